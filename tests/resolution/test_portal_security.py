"""The debtor portal's locks: bad links get a clear page and no data, a link never
reaches another customer's data, requests are rate-limited, no staff session is used."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.ledger.models import Customer
from encaisse.resolution.services.portal import portal_links_revoke
from tests.resolution.portal_helpers import company_with_bank, customer_with_invoices, link_for
from tests.resolution.test_portal import pdf_text
from tests.web.test_authorization import project_routes

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def portal_route_names() -> list[str]:
    """Every portal route, read from the URL resolver (a new one is walked too)."""
    names = [route.name for route in project_routes() if route.path.startswith("portal/")]
    assert {"portal", "portal_statement", "portal_invoice", "portal_action"} <= set(names)
    return names


def customer_data(customer: Customer) -> list[str]:
    """Text that only a page about `customer` may show."""
    numbers = list(customer.invoices.values_list("number", flat=True))
    return [customer.name, customer.external_key, *numbers, "claire@client.test"]


def no_data_of(customer: Customer, content: bytes) -> None:
    text = content.decode("utf-8", "replace")
    for marker in customer_data(customer)[:-1]:
        assert marker not in text


@pytest.mark.parametrize(
    "token",
    [
        "A" * 43,  # well formed, never issued
        "short",
        "A" * 44,
        "A" * 42 + ".",
        "%00%0d%0a",
        "é" * 43,
    ],
)
def test_an_unknown_or_malformed_token_gets_a_clear_404_and_no_data(
    client: Client, token: str
) -> None:
    company_with_bank()
    customer = customer_with_invoices("Menuiserie du Lac")
    link_for(customer)

    response = client.get(f"/portal/{token}/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "Ce lien n'est pas valable" in page
    assert "compta@atelier-dupont.test" in page  # the company's contact
    no_data_of(customer, response.content)


def test_a_tampered_token_gets_the_404_page(client: Client) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    token = link_for(customer).token
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    for name in portal_route_names():
        response = client.get(reverse(name, kwargs=_kwargs(name, tampered, customer)))
        assert response.status_code == 404, name
        no_data_of(customer, response.content)


def test_an_expired_link_gets_a_410_page_with_the_companys_contact(
    client: Client, _frozen: Any
) -> None:
    company_with_bank()
    customer = customer_with_invoices("Menuiserie du Lac")
    token = link_for(customer).token
    _frozen.shift(dt.timedelta(days=60, seconds=1))

    for name in portal_route_names():
        response = client.get(reverse(name, kwargs=_kwargs(name, token, customer)))
        assert response.status_code == 410, name
        assert "Ce lien a expiré" in response.content.decode()
        assert "04 72 00 00 00" in response.content.decode()
        no_data_of(customer, response.content)
    assert not Activity.objects.filter(verb="resolution.portal.viewed").exists()


def test_a_revoked_link_gets_a_410_page_and_writes_nothing(client: Client, alice: User) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    token = link_for(customer).token
    assert portal_links_revoke(customer=customer, actor=alice) == 1

    response = client.get(f"/portal/{token}/")
    posted = client.post(
        f"/portal/{token}/actions/contact/",
        {"name": "Mallory", "email": "mallory@evil.test", "phone": ""},
    )

    assert response.status_code == 410 and posted.status_code == 410
    assert "Ce lien a été retiré" in response.content.decode()
    no_data_of(customer, response.content)
    assert not customer.contacts.filter(name="Mallory").exists()


def _kwargs(name: str, token: str, customer: Customer) -> dict[str, str]:
    invoice = customer.invoices.order_by("id").first()
    assert invoice is not None
    extra = {
        "portal_invoice": {"key": invoice.external_key},
        "portal_invoice_original": {"key": invoice.external_key},
        "portal_action": {"key": "contact"},
    }
    return {"token": token, **extra.get(name, {})}


def test_a_link_never_shows_another_customers_data(client: Client) -> None:
    """Every portal URL, with every customer's token, aimed at every other customer's objects."""
    company_with_bank()
    customers = [customer_with_invoices(name) for name in ("Alpha SARL", "Bravo SA", "Charlie")]
    tokens = {customer.pk: link_for(customer).token for customer in customers}

    for holder in customers:
        token = tokens[holder.pk]
        for target in customers:
            for name in portal_route_names():
                url = reverse(name, kwargs=_kwargs(name, token, target))
                response = client.get(url)
                if target == holder:
                    expected = 404 if name == "portal_invoice_original" else 200
                else:
                    expected = 200 if "key" not in _kwargs(name, token, target) else 404
                    if name == "portal_action":
                        expected = 200  # the action is the holder's own
                assert response.status_code == expected, (holder.name, target.name, name)
                if target == holder:
                    continue
                if response["Content-Type"] == "application/pdf":
                    no_data_of(target, pdf_text(response.content).encode())
                else:
                    no_data_of(target, response.content)


def test_the_contact_form_of_one_link_changes_only_its_customer(client: Client) -> None:
    alpha = customer_with_invoices("Alpha SARL")
    bravo = customer_with_invoices("Bravo SA")

    client.post(
        f"/portal/{link_for(alpha).token}/actions/contact/",
        {"name": "Nouveau", "email": "nouveau@alpha.test", "phone": "", "customer": bravo.pk},
    )

    assert alpha.contacts.get().email == "nouveau@alpha.test"
    assert bravo.contacts.get().email == "claire@client.test"


@override_settings(ENCAISSE_PORTAL_RATE_LIMIT=3, ENCAISSE_PORTAL_IP_RATE_LIMIT=100)
def test_too_many_requests_on_one_link_get_a_clear_429(client: Client, _frozen: Any) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    url = f"/portal/{link_for(customer).token}/"

    statuses = [client.get(url).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    refused = client.get(url)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert (
        "Trop de demandes" in refused.content.decode()
        or "trop de demandes" in refused.content.decode()
    )
    no_data_of(customer, refused.content)
    _frozen.shift(dt.timedelta(seconds=301))
    assert client.get(url).status_code == 200  # a new window


@override_settings(ENCAISSE_PORTAL_RATE_LIMIT=100, ENCAISSE_PORTAL_IP_RATE_LIMIT=5)
def test_one_address_guessing_tokens_is_throttled(client: Client) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    token = link_for(customer).token

    guesses = [client.get(f"/portal/{'A' * 42}{c}/").status_code for c in "BCDEF"]
    after = client.get(f"/portal/{token}/", REMOTE_ADDR="127.0.0.1")
    elsewhere = client.get(f"/portal/{token}/", REMOTE_ADDR="192.0.2.7")

    assert guesses == [404] * 5
    assert after.status_code == 429  # the same address, even with a good token
    assert elsewhere.status_code == 200


def test_no_staff_session_is_needed_nor_changes_what_the_portal_shows(
    client: Client, carol: User
) -> None:
    """carol cannot see this customer in the app; the link shows it all the same, and
    the staff navigation is not on the page."""
    customer = customer_with_invoices("Menuiserie du Lac")
    token = link_for(customer).token
    anonymous = client.get(f"/portal/{token}/").content.decode()
    client.force_login(carol)

    signed_in = client.get(f"/portal/{token}/").content.decode()

    assert "Menuiserie du Lac" in anonymous and "Menuiserie du Lac" in signed_in
    assert 'class="mainnav"' not in signed_in and "/logout/" not in signed_in


def test_the_contact_form_needs_the_csrf_token(client: Client) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    strict = Client(enforce_csrf_checks=True)
    url = f"/portal/{link_for(customer).token}/actions/contact/"

    response = strict.post(url, {"name": "X", "email": "x@client.test", "phone": ""})

    assert response.status_code == 403
    assert customer.contacts.get().name == "Claire Compta"
