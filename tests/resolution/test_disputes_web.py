"""Dispute pages: opening from the invoice and customer pages, acting, attachments,
the lists, the root causes; every refusal is a clear error and writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from encaisse.accounts.models import User
from encaisse.dunning.models import Hold
from encaisse.ledger.models import Customer
from encaisse.resolution.models import (
    Dispute,
    DisputeAttachment,
    DisputeReason,
    DisputeSource,
    DisputeStatus,
)
from encaisse.resolution.services.disputes import Disputed, dispute_open
from tests.conftest import make_customer, make_invoice

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 15)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(TODAY, tick=False):
        yield


def pdf(name: str = "bon-de-livraison.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def opened(customer: Customer, reason: DisputeReason, actor: User) -> Dispute:
    return dispute_open(
        actor=actor, customer=customer, reason=reason, lines=[Disputed(make_invoice(customer))]
    )


def test_a_rep_opens_a_dispute_from_the_invoice_page(
    client: Client, bob: User, bobs_customer: Customer, reasons: dict[str, DisputeReason],
    frozen: Any,
) -> None:  # fmt: skip
    invoice = make_invoice(bobs_customer, "900.00")
    client.force_login(bob)
    page = client.get(reverse("invoice", args=[invoice.pk])).content.decode()
    assert reverse("dispute_new_invoice", args=[invoice.pk]) in page
    url = reverse("dispute_new_invoice", args=[invoice.pk])
    partial = client.get(url, headers={"HX-Request": "true"})
    assert b'id="dispute-form"' in partial.content and b"<html" not in partial.content
    response = client.post(
        url,
        {
            "invoices": [invoice.pk],
            f"amount_{invoice.pk}": "250,50",
            "reason": reasons["pricing"].pk,
            "description": "Remise oubliée",
            "owner": "",
            "attachment": pdf(),
        },
    )
    dispute = Dispute.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dispute", args=[dispute.public_id])
    assert dispute.source == DisputeSource.SALES and dispute.opened_by == bob
    assert dispute.amount == Decimal("250.50") and dispute.attachments.count() == 1
    page = client.get(reverse("invoice", args=[invoice.pk])).content.decode()
    assert "Erreur de prix" in page and "En pause jusqu’à la clôture du litige." in page


def test_the_customer_page_offers_the_customers_invoices_only(
    client: Client, bob: User, carol: User, bobs_customer: Customer,
    reasons: dict[str, DisputeReason],
) -> None:  # fmt: skip
    mine = make_invoice(bobs_customer, number="MINE-1")
    other = make_invoice(make_customer(carol), number="THEIRS-1")
    client.force_login(bob)
    url = reverse("dispute_new_customer", args=[bobs_customer.pk])
    form = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "MINE-1" in form and "THEIRS-1" not in form
    response = client.post(url, {"invoices": [other.pk], "reason": reasons["pricing"].pk})
    assert response.status_code == 200 and not Dispute.objects.exists()
    assert mine.pk  # untouched


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (pdf("script.exe", b"MZ\x90\x00"), "Joignez un PDF"),
        (pdf("faux.pdf", b"<html>not a pdf</html>"), "n’est pas un PDF"),
        (pdf("lourd.pdf", PDF + b"0" * (1024 * 1024 + 1)), "trop volumineux"),
    ],
    ids=["wrong-type", "wrong-content", "oversized"],
)
def test_a_bad_attachment_is_refused_and_nothing_is_written(
    client: Client, settings: Any, alice: User, bobs_customer: Customer,
    reasons: dict[str, DisputeReason], upload: SimpleUploadedFile, message: str,
) -> None:  # fmt: skip
    settings.ENCAISSE_DISPUTE_ATTACHMENT_MAX_MB = 1
    invoice = make_invoice(bobs_customer)
    client.force_login(alice)
    response = client.post(
        reverse("dispute_new_invoice", args=[invoice.pk]),
        {"invoices": [invoice.pk], "reason": reasons["delivery"].pk, "attachment": upload},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Dispute.objects.exists() and not Hold.objects.exists()
    assert not DisputeAttachment.objects.exists()


def test_an_amount_above_the_balance_is_refused_on_its_field(
    client: Client, alice: User, bobs_customer: Customer, reasons: dict[str, DisputeReason]
) -> None:
    invoice = make_invoice(bobs_customer, "100.00")
    client.force_login(alice)
    response = client.post(
        reverse("dispute_new_invoice", args=[invoice.pk]),
        {"invoices": [invoice.pk], f"amount_{invoice.pk}": "100,01", "reason": reasons["other"].pk},
    )
    assert response.status_code == 200
    assert "Au plus le solde ouvert" in response.content.decode()
    assert not Dispute.objects.exists()


def test_a_second_dispute_on_an_invoice_is_not_offered(
    client: Client, alice: User, bobs_customer: Customer, reasons: dict[str, DisputeReason]
) -> None:
    invoice = make_invoice(bobs_customer)
    dispute_open(
        actor=alice, customer=bobs_customer, reason=reasons["pricing"], lines=[Disputed(invoice)]
    )
    client.force_login(alice)
    url = reverse("dispute_new_invoice", args=[invoice.pk])
    response = client.post(url, {"invoices": [invoice.pk], "reason": reasons["other"].pk})
    assert response.status_code == 200 and Dispute.objects.count() == 1
    assert "Aucune facture ouverte" in response.content.decode()


def test_finance_resolves_and_rejects_reps_and_managers_may_not(
    client: Client, alice: User, bob: User, dave: User, bobs_customer: Customer,
    reasons: dict[str, DisputeReason],
) -> None:  # fmt: skip
    first = opened(bobs_customer, reasons["pricing"], bob)
    second = opened(bobs_customer, reasons["delivery"], bob)
    for person in (bob, dave):
        client.force_login(person)
        assert client.get(reverse("dispute", args=[first.public_id])).status_code == 200
        for name in ("dispute_resolve", "dispute_reject", "dispute_assign"):
            url = reverse(name, args=[first.public_id])
            assert client.post(url, {"explanation": "x"}).status_code == 403, (person, name)
    client.force_login(dave)
    assert client.post(reverse("dispute_progress", args=[first.public_id])).status_code == 403
    client.force_login(alice)
    empty = client.post(reverse("dispute_reject", args=[second.public_id]), {"explanation": ""})
    assert empty.status_code == 200 and "Expliquez pourquoi" in empty.content.decode()
    client.post(reverse("dispute_reject", args=[second.public_id]), {"explanation": "Livré"})
    client.post(
        reverse("dispute_resolve", args=[first.public_id]),
        {"resolution": "corrected_invoice", "note": "Facture refaite"},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (DisputeStatus.RESOLVED, DisputeStatus.REJECTED)
    assert not Hold.objects.filter(released_on__isnull=True).exists()
    page = client.get(reverse("dispute", args=[second.public_id])).content.decode()
    assert "Litige rejeté\u00a0: «\u00a0Livré\u00a0»" in page


def test_another_reps_dispute_and_attachment_are_not_found(
    client: Client, bob: User, carol: User, alice: User, bobs_customer: Customer,
    reasons: dict[str, DisputeReason],
) -> None:  # fmt: skip
    dispute = opened(bobs_customer, reasons["pricing"], bob)
    client.force_login(bob)
    client.post(reverse("dispute_attach", args=[dispute.public_id]), {"file": pdf()})
    attachment = dispute.attachments.get()
    download = client.get(reverse("dispute_attachment", args=[attachment.public_id]))
    assert download.status_code == 200 and download.getvalue() == PDF
    assert download["Content-Disposition"].startswith("attachment")
    page = client.get(reverse("dispute", args=[dispute.public_id])).content.decode()
    assert "/media/" not in page
    client.force_login(carol)
    assert client.get(reverse("dispute", args=[dispute.public_id])).status_code == 404
    assert client.get(reverse("dispute_attachment", args=[attachment.public_id])).status_code == 404
    assert "Boulangerie Bob" not in client.get(reverse("disputes")).content.decode()
    assert client.get(reverse("dispute_new_customer", args=[bobs_customer.pk])).status_code == 404


def test_the_list_flags_and_filters_sla_overdue_disputes(
    client: Client, alice: User, bob: User, bobs_customer: Customer,
    reasons: dict[str, DisputeReason],
) -> None:  # fmt: skip
    with time_machine.travel(dt.date(2026, 3, 1)):
        late = opened(bobs_customer, reasons["duplicate"], alice)  # 7 days
    with time_machine.travel(TODAY):
        fresh = opened(make_customer(bob, "Fraîcheur SA"), reasons["delivery"], alice)
        client.force_login(alice)
        everything = client.get(reverse("disputes")).content.decode()
        overdue = client.get(reverse("disputes"), {"status": "open", "overdue": "on"})
    assert "En retard depuis le 08/03/2026" in everything and "Fraîcheur SA" in everything
    text = overdue.content.decode()
    assert str(late.public_id) in text and str(fresh.public_id) not in text


def test_finance_edits_the_reasons_reps_may_not(
    client: Client, alice: User, bob: User, reasons: dict[str, DisputeReason]
) -> None:
    client.force_login(bob)
    assert client.get(reverse("dispute_reasons")).status_code == 403
    client.force_login(alice)
    client.post(
        reverse("dispute_reasons"),
        {"new-code": "tva", "new-label_fr": "Erreur de TVA", "new-sla_days": "12"},
    )
    assert DisputeReason.objects.get(code="tva").sla_days == 12
    other = reasons["other"]
    prefix = f"r{other.pk}"
    client.post(
        reverse("dispute_reason", args=[other.pk]),
        {f"{prefix}-label_fr": "Divers", f"{prefix}-sla_days": "20"},
    )
    other.refresh_from_db()
    assert (other.label_fr, other.sla_days, other.active) == ("Divers", 20, False)
