"""Finance sets up a webhook endpoint in a real browser and watches a test event arrive.

Settings → Webhooks → New endpoint (a loopback receiver, allowed by the
outbound-safety settings) → Send a test event → the worker delivers it →
Refresh shows it delivered in the log. With ENCAISSE_SCREENSHOTS=1 the list,
the form and the endpoint page go to docs/screenshots/webhooks-*.png.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from encaisse.accounts.models import User
from encaisse.webhooks.tasks import webhooks_process
from tests.conftest import PASSWORD, make_customer, make_invoice
from tests.e2e.test_browse import SCREENSHOTS, sign_in
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.browser


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with override_settings(ENCAISSE_WEBHOOKS_ALLOW_HTTP=True, ENCAISSE_WEBHOOKS_ALLOW_PRIVATE=True):
        running = Receiver().start()
        yield running
        running.stop()


def test_finance_creates_an_endpoint_and_sees_a_test_event_delivered(
    transactional_db: None,
    live_server: Any,
    alice: User,
    receiver: Receiver,
    tmp_path: Path,
    page: Page,  # last: the data is written before Playwright starts its loop
) -> None:
    folder = SCREENSHOTS if os.environ.get("ENCAISSE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    sign_in(page, base, "alice", PASSWORD)
    page.locator(".mainnav").get_by_role("link", name="Paramètres").click()
    page.locator(".subnav").get_by_role("link", name="Webhooks").click()
    expect(page.locator("h1")).to_have_text("Webhooks")
    page.get_by_role("link", name="Nouvelle adresse").click()
    page.fill("input[name=url]", receiver.url)
    page.fill("input[name=description]", "ERP – factures réglées")
    page.check("input[value='invoice.paid']")
    page.check("input[value='payment.recorded']")
    page.screenshot(path=folder / "webhooks-form.png", full_page=True)
    page.get_by_role("button", name="Créer l’adresse").click()
    expect(page.locator(".messages")).to_contain_text("Adresse créée")
    expect(page.locator("#secret")).to_have_value(
        __import__("re").compile(r"^whsec_[A-Za-z0-9+/=]+$")
    )
    page.get_by_role("button", name="Envoyer un événement de test").click()
    expect(page.locator("#deliveries")).to_contain_text("webhook.test")
    customer = make_customer(None, "Tout en Gros")
    make_invoice(customer, "480.00")
    webhooks_process()
    page.get_by_role("button", name="Actualiser").click()
    expect(page.locator("#deliveries")).to_contain_text("Remis")
    expect(page.locator("#deliveries")).to_contain_text("200")
    assert len(receiver.requests) == 1  # the invoice event: not a subscribed type
    page.screenshot(path=folder / "webhooks-endpoint.png", full_page=True)
    page.locator(".subnav").get_by_role("link", name="Webhooks").click()
    expect(page.locator("#endpoints")).to_contain_text("2 types")
    page.screenshot(path=folder / "webhooks-list.png")
