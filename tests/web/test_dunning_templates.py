"""Template editor: wording saved through the sandbox check, live preview, no leaks."""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.test import Client

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.dunning.models import DunningStep, MessageTemplate
from tests.web.conftest import Portfolio

pytestmark = pytest.mark.usefixtures("frozen_today")

HOSTILE = [
    "{{ customer.__class__ }}",
    "{% load static %}{% static 'x' %}",
    "{{ settings.SECRET_KEY }}",
    "{{ customer_name|upper }}",
    "{# hidden #}{{ request }}",
]


def template(code: str = "reminder_1", language: str = "fr") -> MessageTemplate:
    return MessageTemplate.objects.get(code=code, language=language)


def wording(subject: str, body: str, name: str = "Relance 1") -> dict[str, str]:
    return {"name": name, "subject": subject, "body": body}


def leaks(page: str) -> list[str]:
    """Server details a page must never show."""
    found = [marker for marker in ("<class", "Traceback", "encaisse.ledger") if marker in page]
    if settings.SECRET_KEY in page:
        found.append("SECRET_KEY")
    return found


def test_finance_saves_a_template_and_the_edit_is_recorded(client: Client, alice: User) -> None:
    client.force_login(alice)
    reminder = template()
    body = "Bonjour {{ contact_name }},\n\n{{ invoices_table }}\n\nTotal : {{ total_due }}"
    response = client.post(
        f"/dunning/templates/{reminder.pk}/", wording("Relance – {{ customer_name }}", body)
    )
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert reminder.subject == "Relance – {{ customer_name }}" and reminder.body == body
    assert reminder.updated_by == alice
    entry = Activity.objects.get(verb="dunning.template.saved")
    assert entry.actor == alice and entry.payload["code"] == "reminder_1"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_hostile_template_is_refused_on_save_and_nothing_is_stored(
    client: Client, alice: User, hostile: str
) -> None:
    client.force_login(alice)
    reminder = template()
    before = (reminder.subject, reminder.body)
    response = client.post(
        f"/dunning/templates/{reminder.pk}/", wording("Sujet", f"Bonjour\n{hostile}")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="template-errors"' in page
    reminder.refresh_from_db()
    assert (reminder.subject, reminder.body) == before
    assert not leaks(page)


def test_a_hostile_subject_is_refused_too(client: Client, alice: User) -> None:
    client.force_login(alice)
    reminder = template()
    client.post(f"/dunning/templates/{reminder.pk}/", wording("{{ settings.DEBUG }}", "Bonjour"))
    reminder.refresh_from_db()
    assert "settings" not in reminder.subject


@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_live_preview_refuses_a_hostile_template_without_rendering_it(
    client: Client, alice: User, bobs: Portfolio, hostile: str
) -> None:
    client.force_login(alice)
    response = client.post(
        f"/dunning/templates/{template().pk}/preview/",
        {"subject": "Sujet", "body": f"Bonjour {{{{ customer_name }}}}\n{hostile}"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "preview-errors" in page and "srcdoc" not in page
    assert "Boulangerie Bob" not in page  # nothing was rendered
    assert not leaks(page)


def test_the_live_preview_renders_unsaved_wording_for_the_most_overdue_customer(
    client: Client, alice: User, bobs: Portfolio, carols: Portfolio
) -> None:
    client.force_login(alice)
    reminder = template()
    response = client.post(
        f"/dunning/templates/{reminder.pk}/preview/",
        {
            "subject": "Pour {{ customer_name }}",
            "body": "Dû : {{ total_due }}\n\n{{ invoices_table }}",
        },
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    # Both owe 950.00 overdue; the tie goes to the first customer created.
    assert "Pour Boulangerie Bob" in page
    assert "BOB-OVERDUE" in page and "950,00" in page
    reminder.refresh_from_db()
    assert "Pour" not in reminder.subject  # a preview stores nothing


def test_the_preview_follows_the_customer_chosen(
    client: Client, alice: User, bobs: Portfolio, carols: Portfolio
) -> None:
    client.force_login(alice)
    response = client.post(
        f"/dunning/templates/{template().pk}/preview/",
        {"subject": "Pour {{ customer_name }}", "body": "x", "customer": carols.customer.pk},
    )
    assert "Pour Carrosserie Carol" in response.content.decode()
    unknown = client.post(
        f"/dunning/templates/{template().pk}/preview/",
        {"subject": "s", "body": "b", "customer": 999_999},
    )
    assert unknown.status_code == 404


def test_the_editor_page_lists_the_placeholders_and_shows_a_preview(
    client: Client, alice: User, bobs: Portfolio
) -> None:
    client.force_login(alice)
    page = client.get(f"/dunning/templates/{template('formal_notice').pk}/").content.decode()
    for name in ("invoices_table", "penalties_total", "notice_deadline", "company_iban"):
        assert f"{{{{ {name} }}}}" in page
    assert 'id="preview-subject"' in page and "Boulangerie Bob" in page


@pytest.mark.parametrize("name", ["bob", "dave"])
def test_only_finance_and_admins_edit_templates(
    client: Client, everyone: dict[str, User], name: str
) -> None:
    client.force_login(everyone[name])
    reminder = template()
    assert client.get("/dunning/templates/").status_code == 403
    response = client.post(f"/dunning/templates/{reminder.pk}/", wording("Pirate", "Pirate"))
    assert response.status_code == 403
    assert template().subject != "Pirate"


def test_a_template_of_ones_own_becomes_a_choice_for_plan_steps(
    client: Client, alice: User
) -> None:
    client.force_login(alice)
    response = client.post(
        "/dunning/templates/new/",
        {"code": "reminder_3", "language": "fr"} | wording("Troisième relance", "Bonjour"),
    )
    created = MessageTemplate.objects.get(code="reminder_3", language="fr")
    assert response["Location"] == f"/dunning/templates/{created.pk}/"
    step = DunningStep.objects.filter(plan__is_default=True).first()
    assert step is not None
    form = client.get(f"/dunning/steps/{step.pk}/").content.decode()
    assert 'value="reminder_3"' in form
    again = client.post(
        "/dunning/templates/new/",
        {"code": "reminder_3", "language": "fr"} | wording("Doublon", "Bonjour"),
    )
    assert (
        again.status_code == 200 and MessageTemplate.objects.filter(code="reminder_3").count() == 1
    )


def test_the_list_shows_each_code_per_language_and_the_steps_using_it(
    client: Client, alice: User
) -> None:
    client.force_login(alice)
    page = client.get("/dunning/templates/").content.decode()
    fr, en = template("formal_notice", "fr"), template("formal_notice", "en")
    assert f"/dunning/templates/{fr.pk}/" in page and f"/dunning/templates/{en.pk}/" in page
    assert "Mise en demeure" in page  # the default plan's step that uses it


def test_an_oversized_body_is_refused_with_a_clear_error_and_not_stored(
    client: Client, alice: User, bobs: Portfolio
) -> None:
    client.force_login(alice)
    reminder = template()
    before = reminder.body
    response = client.post(
        f"/dunning/templates/{reminder.pk}/", wording("Sujet", "Bonjour " * 3000)
    )
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Assurez-vous que cette valeur comporte au plus 20000 caractères" in page
    assert 'maxlength="20000"' not in page  # the browser must not cut a paste silently
    reminder.refresh_from_db()
    assert reminder.body == before
    preview = client.post(
        f"/dunning/templates/{reminder.pk}/preview/",
        {"subject": "Sujet", "body": "Bonjour " * 3000},
        HTTP_HX_REQUEST="true",
    )
    assert "Le corps du message fait 24000 caractères" in html.unescape(preview.content.decode())
    assert "srcdoc" not in preview.content.decode()
