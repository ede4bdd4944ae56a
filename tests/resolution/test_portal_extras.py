"""Smaller portal cases: a customer in credit, the invoice's own PDF, the default
templates of an existing deployment gaining the link."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.files.base import ContentFile
from django.test import Client, override_settings

from encaisse.dunning.defaults import default_templates
from encaisse.dunning.models import MessageTemplate
from encaisse.ledger.models import Contact
from encaisse.ledger.services import payment_record
from tests.conftest import make_customer, make_invoice
from tests.resolution.portal_helpers import company_with_bank, customer_with_invoices, link_for

pytestmark = pytest.mark.django_db


def test_a_customer_in_credit_has_nothing_to_pay_and_sees_its_credit(client: Client) -> None:
    company_with_bank()
    customer = make_customer(None, "Menuiserie du Lac")
    payment_record(
        actor=None, customer=customer, amount=Decimal("120.00"), date=dt.date(2026, 12, 1),
        external_key="VIR-1", strategy=None,
    )  # fmt: skip

    page = client.get(f"/portal/{link_for(customer).token}/").content.decode()

    assert "Rien à payer pour le moment." in page
    assert "En votre faveur\u00a0: 120,00\u00a0€" in page
    assert "<svg" not in page  # no QR code for nothing to pay


def test_the_invoices_own_pdf_is_downloadable_when_the_ledger_keeps_one(
    client: Client, tmp_path: Path
) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    invoice = customer.invoices.order_by("id").first()
    assert invoice is not None
    with override_settings(MEDIA_ROOT=tmp_path):
        invoice.pdf.save("f.pdf", ContentFile(b"%PDF-1.4 the invoice"), save=True)
        token = link_for(customer).token
        home = client.get(f"/portal/{token}/").content.decode()
        response = client.get(f"/portal/{token}/invoices/{invoice.external_key}/original.pdf")

    assert "original.pdf" in home
    assert response.status_code == 200 and response.content == b"%PDF-1.4 the invoice"
    assert response["Content-Disposition"].startswith("attachment;")


def test_default_templates_never_edited_gain_the_link_and_edited_ones_are_kept() -> None:
    migration = importlib.import_module("encaisse.resolution.migrations.0005_portal")
    defaults = default_templates()
    untouched = MessageTemplate.objects.get(code="reminder_1", language="fr")
    edited = MessageTemplate.objects.get(code="reminder_2", language="en")
    line = migration._LINES["fr"]
    untouched.body = defaults[("reminder_1", "fr")][2].replace(line, "", 1)
    untouched.save()
    edited.body = "Our own wording, {{ total_due }}."
    edited.save()

    migration._templates_gain_the_link(django_apps, None)

    untouched.refresh_from_db()
    edited.refresh_from_db()
    assert untouched.body == defaults[("reminder_1", "fr")][2]
    assert "{{ portal_url }}" in untouched.body
    assert edited.body == "Our own wording, {{ total_due }}."


def test_an_invoice_number_with_any_character_downloads(client: Client) -> None:
    customer = make_customer(None, "Menuiserie du Lac")
    invoice = make_invoice(customer, "90.00", number='F№ 12/é"x', due=dt.date(2026, 12, 31))

    response = client.get(
        f"/portal/{link_for(customer).token}/invoices/{invoice.external_key}/summary.pdf"
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")


def test_an_email_another_contact_of_the_customer_has_is_refused_with_a_message(
    client: Client,
) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    Contact.objects.create(customer=customer, name="Marc Achats", email="marc@client.test")

    response = client.post(
        f"/portal/{link_for(customer).token}/actions/contact/",
        {"name": "Claire Compta", "email": "marc@client.test", "phone": ""},
    )

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert customer.contacts.get(name="Claire Compta").email == "claire@client.test"
