"""A real browser browses the ledger: sign in, filter the customers, open one.

Runs Debian's Chromium through Playwright against pytest-django's live server.
A second test browses the demo company in both languages and takes a screenshot
of each page: into a temporary folder normally, into docs/screenshots/ with
ENCAISSE_SCREENSHOTS=1 (so CI never rewrites the committed pictures).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Count
from playwright.sync_api import Page, expect

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.ledger.models import Invoice
from tests.conftest import PASSWORD
from tests.web.conftest import Portfolio

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/customers/$"))


def test_sign_in_filter_and_open_a_customer(
    transactional_db: None,
    live_server: Any,
    alice: User,
    bobs: Portfolio,
    carols: Portfolio,
    page: Page,  # last: the data above is written before Playwright starts its loop
) -> None:
    sign_in(page, live_server.url, "alice", PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    results = page.locator("#results")
    expect(results).to_contain_text("Boulangerie Bob")
    expect(results).to_contain_text("Carrosserie Carol")

    # htmx narrows the table in place and keeps the filter in the address bar.
    page.fill("input[name=q]", "carro")
    page.wait_for_url(re.compile(r"q=carro"))
    expect(results).not_to_contain_text("Boulangerie Bob")
    expect(results).to_contain_text("Carrosserie Carol")
    page.fill("input[name=q]", "")
    expect(results).to_contain_text("Boulangerie Bob")

    page.get_by_role("link", name="Boulangerie Bob").click()
    page.wait_for_url(re.compile(rf"/customers/{bobs.customer.pk}/$"))
    expect(page.locator("h1")).to_contain_text("Boulangerie Bob")
    expect(page.locator(".kpis")).to_contain_text("950,00\u00a0€")
    expect(page.locator("main")).to_contain_text("BOB-OVERDUE")
    expect(page.locator(".timeline")).to_contain_text("Facture BOB-OVERDUE émise pour")

    page.get_by_role("link", name="BOB-OVERDUE").first.click()
    expect(page.locator("h1")).to_contain_text("BOB-OVERDUE")
    expect(page.locator("main")).to_contain_text("BOB-AV")


def test_demo_company_pages_in_both_languages(
    transactional_db: None, live_server: Any, page: Page, tmp_path: Path
) -> None:
    from encaisse.demo.loader import load_into_database
    from encaisse.demo.staff import DEMO_PASSWORD

    load_into_database(invoices=1500, seed=7)
    folder = SCREENSHOTS if os.environ.get("ENCAISSE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    base = live_server.url

    page.goto(f"{base}/login/")
    page.screenshot(path=folder / "login-fr.png")
    sign_in(page, base, "finance", DEMO_PASSWORD)
    page.goto(f"{base}/customers/?sort=-balance")
    expect(page.locator("h1")).to_have_text("Clients")
    expect(page.locator("#results tbody tr")).to_have_count(50)
    page.screenshot(path=folder / "customers-fr.png")
    # The customer with the richest timeline, and one of its partly paid invoices.
    busiest = (
        Activity.objects.filter(customer__isnull=False)
        .values("customer_id")
        .annotate(n=Count("id"))
        .order_by("-n")[0]["customer_id"]
    )
    page.goto(f"{base}/customers/{busiest}/")
    expect(page.locator(".kpis")).to_be_visible()
    page.screenshot(path=folder / "customer-fr.png", full_page=True)
    page.goto(f"{base}/invoices/")
    expect(page.locator("h1")).to_have_text("Factures")
    page.screenshot(path=folder / "invoices-fr.png")
    partly_paid = Invoice.objects.filter(status="partially_paid").order_by("due_date")
    invoice = partly_paid.filter(customer_id=busiest).first() or partly_paid.first()
    assert invoice is not None
    page.goto(f"{base}/invoices/{invoice.pk}/")
    expect(page.locator("h1")).to_contain_text(invoice.number)
    page.screenshot(path=folder / "invoice-fr.png", full_page=True)
    page.goto(f"{base}/payments/")
    expect(page.locator("h1")).to_have_text("Paiements")
    page.screenshot(path=folder / "payments-fr.png")

    page.goto(f"{base}/customers/?sort=-balance")
    page.click("form.langswitch button[value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Customers")
    page.screenshot(path=folder / "customers-en.png")
    assert len(list(folder.glob("*.png"))) >= 7
