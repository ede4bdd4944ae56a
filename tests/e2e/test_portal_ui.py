"""The debtor portal in a real browser, on a desktop and on a 390 px phone.

Screenshots go to a temporary folder, or to docs/screenshots/ with
ENCAISSE_SCREENSHOTS=1 (portal-fr.png, portal-phone-fr.png).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from playwright.sync_api import Browser, expect

from encaisse.demo import identifiers
from encaisse.demo.staff import COMPANY
from encaisse.ledger.models import Company, Contact
from encaisse.ledger.services import payment_record
from encaisse.resolution.services.portal import portal_link_create
from tests.conftest import make_customer, make_invoice
from tests.dunning.conftest import invoice_due, remindable_customer, run_day
from tests.smtp import Inbox

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TODAY = dt.date(2026, 12, 6)


def portal_customer() -> str:
    """A customer of the demo company with late and coming invoices and a payment on
    account; its portal path."""
    company = Company.current()
    company.legal_name = COMPANY.legal_name
    company.address = COMPANY.address
    company.email = COMPANY.email
    company.phone = COMPANY.phone
    company.bic = COMPANY.bic
    company.siren = identifiers.siren_for(0, 55_312_704)
    company.vat_number = identifiers.vat_for(company.siren)
    company.iban = identifiers.french_iban("30004", "01234", "00012345678")
    company.save()
    customer = make_customer(
        None, "Menuiserie du Lac", address="4 quai des Brotteaux", postal_code="69006"
    )
    Contact.objects.create(
        customer=customer, name="Claire Martin", email="c.martin@menuiserie-du-lac.fr",
        phone="04 78 52 10 10", preferred_for_reminders=True,
    )  # fmt: skip
    for number, amount, issue, due in [
        ("FA-2026-0981", "2 340.00", dt.date(2026, 9, 15), dt.date(2026, 10, 15)),
        ("FA-2026-1042", "1 187.40", dt.date(2026, 10, 8), dt.date(2026, 11, 7)),
        ("FA-2026-1107", "864.00", dt.date(2026, 11, 3), dt.date(2026, 12, 3)),
        ("FA-2026-1163", "3 120.00", dt.date(2026, 11, 24), dt.date(2026, 12, 24)),
    ]:
        make_invoice(customer, amount.replace(" ", ""), issue=issue, due=due, number=number)
    payment_record(
        actor=None, customer=customer, amount=Decimal("500.00"), date=dt.date(2026, 12, 2),
        external_key="VIR-20261202-77", bank_reference="VIR MENUISERIE DU LAC", strategy=None,
    )  # fmt: skip
    token = portal_link_create(customer=customer, actor=None).token
    return f"/portal/{token}/"


@time_machine.travel(dt.datetime(2026, 12, 6, 9, 30, tzinfo=dt.UTC), tick=True)
def test_the_portal_on_a_desktop_and_a_phone(
    transactional_db: None, live_server: Any, browser: Browser, tmp_path: Path
) -> None:
    path = portal_customer()
    folder = SCREENSHOTS if os.environ.get("ENCAISSE_SCREENSHOTS") == "1" else tmp_path

    desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = desktop.new_page()
    page.goto(live_server.url + path)
    expect(page.locator("h1")).to_contain_text("Menuiserie du Lac")
    expect(page.locator(".portal-invoices")).to_contain_text("FA-2026-0981")
    expect(page.locator("#pay")).to_contain_text("FR76 3000 4012 3400 0123 4567 862")
    expect(page.locator("#pay svg.qr")).to_be_visible()
    page.screenshot(path=folder / "portal-fr.png", full_page=True)
    desktop.close()

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="fr-FR"
    )
    page = phone.new_page()
    page.goto(live_server.url + path)
    expect(page.locator("h1")).to_contain_text("Menuiserie du Lac")
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=folder / "portal-phone-fr.png", full_page=True)

    # The billing contact, updated from the phone.
    page.get_by_role("link", name="Mettre à jour votre contact de facturation").click()
    page.fill("input[name=email]", "pas-une-adresse")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".error")).to_contain_text("adresse e-mail valide")
    page.fill("input[name=email]", "compta@menuiserie-du-lac.fr")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".message-success")).to_contain_text("mis à jour")
    assert Contact.objects.get(name="Claire Martin").email == "compta@menuiserie-du-lac.fr"
    phone.close()


def test_a_customer_opens_the_link_of_a_real_reminder_email(
    transactional_db: None, live_server: Any, smtp_inbox: Inbox, browser: Browser
) -> None:
    """The first half of the customer's journey (the lead adds the promise to it):
    a reminder caught by the loopback SMTP server, its link opened in Chromium."""
    customer = remindable_customer(None, "Menuiserie du Lac")
    invoice = invoice_due(customer, dt.date(2026, 11, 20), "980.00")
    with time_machine.travel(dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC), tick=False):
        run_day(dt.date(2026, 11, 23))
    body = next(
        part.get_payload(decode=True)
        for part in smtp_inbox.messages[0].walk()
        if part.get_content_type() == "text/plain"
    )
    assert isinstance(body, bytes)
    found = re.search(r"http://localhost:8000(/portal/[A-Za-z0-9_-]{43}/)", body.decode())
    assert found is not None

    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC), tick=True):
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
        page = context.new_page()
        page.goto(live_server.url + found.group(1))
        expect(page.locator("h1")).to_contain_text("Menuiserie du Lac")
        expect(page.locator(".portal-invoices")).to_contain_text(invoice.number)
        context.close()
