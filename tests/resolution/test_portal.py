"""The debtor portal: what the customer sees, the PDFs, the contact update, the view log."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from pypdf import PdfReader
from stdnum import iso11649

from encaisse.collab.models import Activity
from encaisse.ledger.models import Contact
from encaisse.lib.sepa import epc_payload, rf_reference
from encaisse.resolution.models import PortalLink
from encaisse.resolution.selectors.portal import customer_reference
from encaisse.resolution.services.portal import portal_link_for
from tests.resolution.portal_helpers import (
    BIC,
    IBAN,
    company_with_bank,
    customer_with_invoices,
    link_for,
)

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def test_the_customer_sees_its_open_invoices_balance_and_how_to_pay(client: Client) -> None:
    company_with_bank()
    customer = customer_with_invoices("Menuiserie du Lac")
    issued = link_for(customer)

    response = client.get(issued.url.removeprefix("http://localhost:8000"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Menuiserie du Lac" in page and "Atelier Dupont SAS" in page
    for number in customer.invoices.values_list("number", flat=True):
        assert number in page
    assert "1\u202f550,50\u00a0€" in page  # 1 200.00 + 350.50, in French
    assert "FR76 3000 4012 3400 0123 4567 862" in page and BIC in page
    assert iso11649.format(customer_reference(customer)) in page
    assert '<svg viewBox="0 0' in page  # the EPC QR code
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"  # never sent to another site
    assert response["Content-Language"] == "fr"


def test_an_english_customer_gets_the_portal_in_english(client: Client) -> None:
    company_with_bank()
    customer = customer_with_invoices("Lakeside Joinery", language="en")

    page = client.get(f"/portal/{link_for(customer).token}/").content.decode()

    assert "Your open invoices" in page and "How to pay" in page


def test_the_statement_of_account_lists_the_open_invoices_and_the_reference(
    client: Client,
) -> None:
    company_with_bank()
    customer = customer_with_invoices("Menuiserie du Lac")
    token = link_for(customer).token

    response = client.get(f"/portal/{token}/statement.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Relevé de compte" in text
    for number in customer.invoices.values_list("number", flat=True):
        assert number in text
    assert iso11649.format(customer_reference(customer)) in text
    assert "1 550,50 €" in text


def test_an_open_invoice_has_its_summary_pdf(client: Client) -> None:
    company_with_bank()
    customer = customer_with_invoices("Menuiserie du Lac")
    invoice = customer.invoices.order_by("due_date").first()
    assert invoice is not None

    response = client.get(
        f"/portal/{link_for(customer).token}/invoices/{invoice.external_key}/summary.pdf"
    )

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert invoice.number in text and "1 200,00 €" in text
    assert iso11649.format(rf_reference(invoice.number)) in text


def test_the_epc_payload_is_the_epc069_12_format() -> None:
    payload = epc_payload(
        name="Atelier Dupont SAS",
        iban="FR76 3000 4012 3400 0123 4567 862",
        bic="BNPAFRPPXXX",
        amount=Decimal("1550.5"),
        reference="RF18 5390 0754 7034",
    )

    assert payload == (
        "BCD\n002\n1\nSCT\nBNPAFRPPXXX\nAtelier Dupont SAS\nFR7630004012340001234567862\n"
        "EUR1550.50\n\nRF18539007547034"
    )


def test_an_epc_payload_without_reference_carries_the_text_and_refuses_bad_amounts() -> None:
    payload = epc_payload(name="A", iban=IBAN, amount=Decimal("12"), text="Facture F-1")
    assert payload.split("\n") == [
        "BCD",
        "002",
        "1",
        "SCT",
        "",
        "A",
        IBAN,
        "EUR12.00",
        "",
        "",
        "Facture F-1",
    ]
    with pytest.raises(ValueError):
        epc_payload(name="A", iban=IBAN, amount=Decimal("0"))
    with pytest.raises(ValueError):
        epc_payload(name="A", iban=IBAN, amount=Decimal("1000000000"))


@pytest.mark.parametrize("seed", ["C00012", "F-2026/0042", "539007547034", "x" * 21])
def test_rf_references_are_valid_iso_11649(seed: str) -> None:
    reference = rf_reference(seed)
    assert iso11649.is_valid(reference)
    assert reference[4:] == "".join(c for c in seed.upper() if c.isalnum())


def test_rf_reference_of_a_too_long_key_falls_back_to_the_customer_number() -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    customer.external_key = "A-VERY-LONG-ERP-CUSTOMER-KEY-0001"
    assert iso11649.is_valid(customer_reference(customer))
    with pytest.raises(ValueError):
        rf_reference("A-VERY-LONG-ERP-CUSTOMER-KEY-0001")


def test_the_contact_update_is_the_customers_with_the_previous_values(client: Client) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    token = link_for(customer).token

    response = client.post(
        f"/portal/{token}/actions/contact/",
        {"name": "Paul Payeur", "email": "paul@client.test", "phone": "+33 4 72 00 00 01"},
    )

    assert response.status_code == 302 and response["Location"].endswith("?done=contact")
    contact = Contact.objects.get(customer=customer)
    assert (contact.name, contact.email, contact.phone) == (
        "Paul Payeur", "paul@client.test", "+33 4 72 00 00 01",
    )  # fmt: skip
    entry = Activity.objects.get(verb="resolution.portal.contact_updated")
    assert entry.actor is None and entry.payload["by"] == "customer"
    assert entry.payload["changes"]["email"] == {
        "from": "claire@client.test",
        "to": "paul@client.test",
    }
    assert entry.payload["changes"]["name"] == {"from": "Claire Compta", "to": "Paul Payeur"}
    assert not Activity.objects.filter(verb="ledger.contact.updated").exists()  # one entry


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("email", "paul@client.test\r\nBcc: victim@example.com"),
        ("name", "Paul\nPayeur"),
        ("name", ""),
        ("phone", "call me maybe"),
        ("phone", "01 02\r\n03"),
    ],
)
def test_a_bad_contact_update_shows_an_error_and_writes_nothing(
    client: Client, field: str, value: str
) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    token = link_for(customer).token
    before = list(Contact.objects.values_list("name", "email", "phone"))
    entries = Activity.objects.count()
    data = {"name": "Paul Payeur", "email": "paul@client.test", "phone": "04 72 00 00 01"}

    response = client.post(f"/portal/{token}/actions/contact/", {**data, field: value})

    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert list(Contact.objects.values_list("name", "email", "phone")) == before
    # Only the page view of the GET-less POST is not logged either: nothing at all.
    assert Activity.objects.count() == entries


def test_a_page_view_is_logged_once_per_link_per_hour(
    client: Client, _frozen: time_machine.Traveller
) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    issued = link_for(customer)
    home = f"/portal/{issued.token}/"

    client.get(home)
    client.get(home)
    client.get(f"/portal/{issued.token}/statement.pdf")
    assert Activity.objects.filter(verb="resolution.portal.viewed").count() == 1
    _frozen.shift(dt.timedelta(minutes=59))
    client.get(home)
    assert Activity.objects.filter(verb="resolution.portal.viewed").count() == 1
    _frozen.shift(dt.timedelta(minutes=2))
    client.get(home)

    views = Activity.objects.filter(verb="resolution.portal.viewed", customer=customer)
    assert views.count() == 2
    assert all(v.payload == {"by": "customer", "link": issued.link.pk} for v in views)
    issued.link.refresh_from_db()
    assert issued.link.last_seen_at == NOW + dt.timedelta(minutes=61)


def test_the_timeline_says_the_customer_opened_the_portal(client: Client, alice: object) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    client.get(f"/portal/{link_for(customer).token}/")
    client.force_login(alice)  # type: ignore[arg-type]

    page = client.get(f"/customers/{customer.pk}/").content.decode()

    assert "Le client a consulté son espace" in page
    assert "Le client</" in page or "· Le client" in page


def test_a_live_link_is_reused_until_half_its_validity_then_renewed(
    _frozen: time_machine.Traveller,
) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    first = portal_link_for(customer=customer)
    assert portal_link_for(customer=customer).link == first.link
    assert portal_link_for(customer=customer).token == first.token
    _frozen.shift(dt.timedelta(days=31))  # 60-day links: less than half left

    renewed = portal_link_for(customer=customer)

    assert renewed.link != first.link and renewed.token != first.token
    assert PortalLink.objects.filter(customer=customer).count() == 2
    stored = PortalLink.objects.get(pk=first.link.pk)
    assert first.token not in (stored.nonce, stored.digest)  # only its hash is kept


def test_a_contact_update_emits_portal_contact_updated(client: Client) -> None:
    from encaisse.webhooks.models import WebhookEndpoint, WebhookEvent

    WebhookEndpoint.objects.create(url="https://hooks.example.com/encaisse")
    customer = customer_with_invoices("Menuiserie du Lac")

    client.post(
        f"/portal/{link_for(customer).token}/actions/contact/",
        {"name": "Paul Payeur", "email": "paul@client.test", "phone": ""},
    )

    event = WebhookEvent.objects.get(type="portal.contact_updated")
    data = event.payload["data"]
    assert data["by"] == "customer" and data["contact"]["email"] == "paul@client.test"
    assert data["customer"] == {"id": customer.pk, "external_key": customer.external_key}
