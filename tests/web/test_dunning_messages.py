"""One message's page (as sent, attempts, invoices) and its PDF download."""

from __future__ import annotations

import pytest
from django.test import Client

from encaisse.accounts.models import User
from encaisse.web.views.dunning_messages import body_blocks, readable_address
from tests.web.dunning_samples import PDF, Messages

pytestmark = pytest.mark.usefixtures("frozen_today")


def test_the_message_page_shows_what_was_sent_to_whom_and_each_attempt(
    client: Client, bob: User, bob_messages: Messages
) -> None:
    client.force_login(bob)
    page = client.get(f"/dunning/messages/{bob_messages.sent.pk}/").content.decode()
    assert "Mise en demeure – Boulangerie Bob" in page  # the subject as sent
    assert "compta@client.test" in page and "relances@atelier.test" in page
    assert "Veuillez régler." in page
    table = '<table class="mail-table"><tr><th scope="col">Facture</th><th scope="col">Solde</th>'
    assert table + "</tr><tr><td>X-1</td><td>10,00 €</td></tr></table>" in page
    assert "badge-attempt-sent" in page
    assert f"/dunning/messages/{bob_messages.sent.pk}/pdf/" in page
    assert "BOB-OVERDUE" in page  # the invoices concerned
    assert 'data-action="approve"' not in page


def test_a_failed_message_shows_its_error_and_finance_may_retry_it(
    client: Client, alice: User, bob_messages: Messages
) -> None:
    client.force_login(alice)
    page = client.get(f"/dunning/messages/{bob_messages.failed.pk}/").content.decode()
    assert "550 no such user" in page and "badge-attempt-permanent" in page
    assert 'data-action="retry"' in page


def test_a_message_to_review_shows_what_it_would_say_today(
    client: Client, alice: User, bob_messages: Messages
) -> None:
    client.force_login(alice)
    page = client.get(f"/dunning/messages/{bob_messages.to_review.pk}/").content.decode()
    assert 'id="upcoming"' in page and "sandbox srcdoc=" in page
    assert "BOB-OVERDUE" in page and "Boulangerie Bob" in page
    assert 'data-action="approve"' in page and 'data-action="skip"' in page


def test_the_pdf_is_served_to_those_who_see_the_customer(
    client: Client, bob: User, dave: User, bob_messages: Messages
) -> None:
    for viewer in (bob, dave):
        client.force_login(viewer)
        response = client.get(f"/dunning/messages/{bob_messages.sent.pk}/pdf/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]


def test_another_reps_message_and_pdf_are_not_found(
    client: Client, carol: User, bob_messages: Messages
) -> None:
    client.force_login(carol)
    assert client.get(f"/dunning/messages/{bob_messages.sent.pk}/").status_code == 404
    assert client.get(f"/dunning/messages/{bob_messages.sent.pk}/pdf/").status_code == 404


def test_a_message_without_a_pdf_has_none_to_download(
    client: Client, bob: User, bob_messages: Messages
) -> None:
    client.force_login(bob)
    assert client.get(f"/dunning/messages/{bob_messages.failed.pk}/pdf/").status_code == 404


def test_the_text_version_keeps_the_aligned_table_and_makes_paragraphs() -> None:
    body = "Madame,\n\nInvoice  Due\nF-1      01/02\nF-22     03/04\n\nCordialement,\nAda"
    blocks = body_blocks(body)
    assert [bool(block.rows) for block in blocks] == [False, True, False]
    assert blocks[1].rows == [["Invoice", "Due"], ["F-1", "01/02"], ["F-22", "03/04"]]


def test_an_encoded_sender_is_shown_readable() -> None:
    assert (
        readable_address("=?utf-8?q?Atelier_Lumi=C3=A8re?= <r@a.fr>") == "Atelier Lumière <r@a.fr>"
    )
    assert readable_address("Plain <p@a.fr>") == "Plain <p@a.fr>"
