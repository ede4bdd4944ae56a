"""Finance hands a customer over from its page (the form loads in place with htmx),
then sees the handover page with its case file link; screenshots as in test_browse."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from encaisse.accounts.models import User
from encaisse.resolution.models.handover import Handover
from encaisse.resolution.services.agency import agency_save
from tests.conftest import PASSWORD
from tests.e2e.test_browse import SCREENSHOTS, sign_in
from tests.web.conftest import Portfolio

pytestmark = pytest.mark.browser


def test_hand_over_from_the_customer_page(
    transactional_db: None,
    live_server: Any,
    alice: User,
    bobs: Portfolio,
    settings: Any,
    tmp_path: Path,
    page: Page,  # last: the data is written before Playwright starts its loop
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = SCREENSHOTS if os.environ.get("ENCAISSE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    agency_save(
        actor=alice, name="Cabinet Recouvra", fee_percent=Decimal("12"), fixed_fee=Decimal("35")
    )
    base = live_server.url
    sign_in(page, base, alice.username, PASSWORD)
    page.goto(f"{base}/customers/{bobs.customer.pk}/")
    panel = page.locator("#handover-panel")
    panel.get_by_role("link", name="Transmettre").click()
    form = page.locator("#handover-form")
    expect(form).to_be_visible()  # loaded in place, still on the customer page
    assert re.search(r"/customers/\d+/$", page.url)
    form.get_by_label("Cabinet", exact=True).select_option(label="Cabinet Recouvra")
    form.get_by_label("Note").fill("Dossier transmis après mise en demeure")
    page.screenshot(path=str(folder / "handover-form-fr.png"), full_page=True)
    form.get_by_role("button", name="Transmettre").click()
    page.wait_for_url(re.compile(r"/resolution/handovers/[0-9a-f-]+/$"))
    expect(page.get_by_text("Télécharger le dossier (ZIP)")).to_be_visible()
    page.screenshot(path=str(folder / "handover-detail-fr.png"), full_page=True)
    assert Handover.objects.get().whole_account
