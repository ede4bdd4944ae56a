"""The customer's journey, in a real browser (issue 9): a reminder email caught by
the loopback SMTP server → its portal link opened in Chromium on a phone → a
promise to pay → finance (alice) signs in and sees the promise on the customer
page and the invoice's dunning waiting for it → the dunning runs of the next days
send that customer nothing until the promise's grace ends.

With ENCAISSE_SCREENSHOTS=1 the promise form is photographed into
docs/screenshots/portal-promise-fr.png (390 px phone); otherwise into a
temporary folder.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest
import time_machine
from playwright.sync_api import Browser, expect

from encaisse.accounts.models import User
from encaisse.dunning.models import DunningMessage
from encaisse.resolution.models import Promise, PromiseSource, PromiseStatus
from tests.conftest import PASSWORD
from tests.dunning.conftest import invoice_due, remindable_customer, run_day
from tests.e2e.test_browse import sign_in
from tests.smtp import Inbox

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
FIRST_REMINDER = dt.date(2026, 11, 23)  # due 20/11, the plan's first step at +3
PROMISED = dt.date(2026, 12, 2)
GRACE_UNTIL = dt.date(2026, 12, 5)  # promised date + 3 grace days (the default)


def at(day: dt.date, hour: int = 8) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=dt.UTC)


def link_in(inbox: Inbox) -> str:
    body = next(
        part.get_payload(decode=True)
        for part in inbox.messages[-1].walk()
        if part.get_content_type() == "text/plain"
    )
    assert isinstance(body, bytes)
    found = re.search(r"http://localhost:8000(/portal/[A-Za-z0-9_-]{43}/)", body.decode())
    assert found is not None
    return found.group(1)


def test_a_customer_promises_from_the_reminder_and_dunning_waits_for_it(
    transactional_db: None,
    live_server: Any,
    smtp_inbox: Inbox,
    browser: Browser,
    alice: User,
    tmp_path: Path,
) -> None:
    folder = SCREENSHOTS if os.environ.get("ENCAISSE_SCREENSHOTS") == "1" else tmp_path
    customer = remindable_customer(None, "Menuiserie du Lac")
    invoice = invoice_due(customer, dt.date(2026, 11, 20), "980.00")
    with time_machine.travel(at(FIRST_REMINDER), tick=False):
        run_day(FIRST_REMINDER)
    assert len(smtp_inbox.messages) == 1
    path = link_in(smtp_inbox)

    with time_machine.travel(at(FIRST_REMINDER, 10), tick=True):
        # The customer, on his phone, from the link of the email.
        phone = browser.new_context(
            viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="fr-FR"
        )
        page = phone.new_page()
        page.set_default_timeout(15_000)
        page.goto(live_server.url + path)
        expect(page.locator(".portal-invoices")).to_contain_text(invoice.number)
        page.get_by_role("link", name="Promettre une date de paiement").click()
        expect(page.locator("input[name=amount]")).to_have_value("980.00")
        page.fill("input[name=promised_on]", PROMISED.isoformat())
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=folder / "portal-promise-fr.png", full_page=True)
        # A date in the past is refused on its field, and writes nothing.
        page.fill("input[name=promised_on]", "2026-11-01")
        page.get_by_role("button", name="Promettre ce paiement").click()
        expect(page.locator(".error")).to_contain_text("aujourd’hui ou une date ultérieure")
        assert not Promise.objects.exists()
        page.fill("input[name=promised_on]", PROMISED.isoformat())
        page.get_by_role("button", name="Promettre ce paiement").click()
        expect(page.locator(".message-success")).to_contain_text("02/12/2026")
        phone.close()

        promise = Promise.objects.get(customer=customer)
        assert (promise.status, promise.source, promise.grace_until) == (
            PromiseStatus.OPEN, PromiseSource.PORTAL, GRACE_UNTIL,
        )  # fmt: skip

        # Finance signs in: the promise is on the customer page, by the customer,
        # and the invoice's dunning waits for it.
        desktop = browser.new_context(viewport={"width": 1440, "height": 900}, locale="fr-FR")
        page = desktop.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, live_server.url, alice.username, PASSWORD)
        page.goto(f"{live_server.url}/customers/{customer.pk}/")
        expect(page.locator("body")).to_contain_text("pour le 02/12/2026")
        expect(page.locator("body")).to_contain_text("faite par le client")
        page.goto(f"{live_server.url}/invoices/{invoice.pk}/")
        expect(page.locator("body")).to_contain_text(
            "Bloquée (Promesse de paiement) jusqu'au 05/12/2026"
        )
        desktop.close()

    # The plan's next steps (+10 on 30/11, +15 on 05/12) fall within the grace:
    # every run until the grace ends sends that customer nothing.
    blocked = {}
    day = FIRST_REMINDER + dt.timedelta(days=1)
    while day <= GRACE_UNTIL:
        with time_machine.travel(at(day), tick=False):
            blocked[day] = run_day(day).blocked
        day += dt.timedelta(days=1)
    assert len(smtp_inbox.messages) == 1
    assert DunningMessage.objects.filter(customer=customer).count() == 1
    assert blocked[dt.date(2026, 11, 30)] == 1  # the +10 step, held by the promise

    # Once the grace is over, dunning resumes: the step the lateness calls for
    # (the rep's call at +15) is performed on the next working day.
    tasks = 0
    for day in (dt.date(2026, 12, 6), dt.date(2026, 12, 7)):
        with time_machine.travel(at(day), tick=False):
            tasks += run_day(day).tasks
    assert tasks == 1
