"""A rep proposes an instalment plan in a real browser, sees the schedule before saving,
and finance approves it. With ENCAISSE_SCREENSHOTS=1 the form and the plan page go to
docs/screenshots/payment-plan-*.png."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from encaisse.accounts.models import User
from tests.conftest import PASSWORD, make_customer, make_invoice
from tests.e2e.test_browse import SCREENSHOTS, sign_in

pytestmark = pytest.mark.browser


def test_a_rep_proposes_a_plan_with_its_schedule_and_finance_approves(
    transactional_db: None,
    live_server: Any,
    alice: User,
    bob: User,
    tmp_path: Path,
    page: Page,  # last: the data is written before Playwright starts its loop
) -> None:
    folder = SCREENSHOTS if os.environ.get("ENCAISSE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    today = timezone.localdate()
    customer = make_customer(bob, "Menuiserie Martin")
    make_invoice(customer, "1000.00", issue=today - dt.timedelta(days=60), due=today)
    first = today + dt.timedelta(days=10)
    base = live_server.url
    sign_in(page, base, "bob", PASSWORD)
    page.goto(f"{base}/customers/{customer.pk}/")
    page.get_by_role("link", name="Proposer un échéancier").click()
    page.locator("input[name=invoices]").first.check()
    page.fill("input[name=instalment_count]", "4")
    page.fill("input[name=first_due_on]", first.isoformat())
    page.locator("input[name=first_due_on]").dispatch_event("change")
    schedule = page.locator("#plan-schedule tbody tr")
    expect(schedule).to_have_count(4)
    expect(page.locator("#plan-schedule")).to_contain_text("250,00")
    page.screenshot(path=folder / "payment-plan-form.png", full_page=True)
    page.get_by_role("button", name="Enregistrer l’échéancier").click()
    expect(page.locator("h1")).to_contain_text("Proposé")
    page.context.clear_cookies()
    sign_in(page, base, "alice", PASSWORD)
    page.goto(f"{base}/resolution/plans/?view=proposed")
    page.get_by_role("link", name="Menuiserie Martin").click()
    page.fill("textarea[name=comment]", "Accord validé au téléphone")
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("h1")).to_contain_text("En cours")
    expect(page.locator("#instalments tbody tr")).to_have_count(4)
    page.screenshot(path=folder / "payment-plan-detail.png", full_page=True)
