"""Finance applies the cash on account of the Quadra FEC in a real browser.

Import the corpus's Quadra FEC → the workspace lists its 62 items on account →
filter TOUT EN GROS → Apply (htmx swaps the row, the recent applications
reload) → Undo it with a reason → the same page in English. The French
workspace goes to docs/screenshots/cash-application.png with
ENCAISSE_SCREENSHOTS=1 (so CI never rewrites the committed picture).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from encaisse.accounts.models import User
from encaisse.ledger.models import Invoice
from tests.conftest import PASSWORD
from tests.e2e.test_browse import SCREENSHOTS, sign_in
from tests.imports.test_fec_corpus import CORPUS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="shared FEC corpus not available"),
]
QUADRA = "ekylibre__quadra__123456789FEC20190731.txt"


def test_finance_applies_then_undoes_the_cash_of_tout_en_gros(
    transactional_db: None,
    live_server: Any,
    alice: User,
    tmp_path: Path,
    page: Page,  # last: the data is written before Playwright starts its loop
) -> None:
    from encaisse.ledger.imports import import_file

    with (CORPUS / QUADRA).open("rb") as handle:
        report = import_file(kind="fec", file=handle, filename=QUADRA, actor=alice)
    assert report.status == "applied"
    folder = SCREENSHOTS if os.environ.get("ENCAISSE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    base = live_server.url

    sign_in(page, base, "alice", PASSWORD)
    page.get_by_role("link", name="Rapprochement").click()
    expect(page.locator("h1")).to_have_text("Rapprochement des encaissements")
    expect(page.locator(".result-count")).to_contain_text("62")
    expect(page.locator(".page-header .btn-primary")).to_contain_text("(22)")
    page.screenshot(path=folder / "cash-application.png")

    page.fill("input[name=q]", "tout en")
    page.wait_for_url(re.compile(r"q=tout"))
    row = page.locator("tr.cash-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Numéro de facture 190646 trouvé dans la référence bancaire")
    expect(row.locator(".badge-confidence-certain")).to_have_text("Certaine")
    row.locator("button[data-action=apply]").first.click()
    expect(page.locator("tr.row-acted")).to_contain_text("affecté à 1 facture")
    recent = page.locator("#recent")
    expect(recent).to_contain_text("TOUT EN GROS")
    invoice = Invoice.objects.get(number="190646")
    assert invoice.status == "paid"

    recent.locator("details.undo summary").first.click()
    recent.locator("input[name=reason]").first.fill("virement d'un autre client")
    recent.locator("details.undo button[type=submit]").first.click()
    expect(page.locator(".messages")).to_contain_text("la facture 190646 est rouverte")
    expect(page).to_have_url(re.compile(r"/cash/\?q=tout"))  # back where she was
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance) == ("open", invoice.amount)

    page.click("form.langswitch button[value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Cash application")
    page.goto(f"{base}/cash/?q=tout+en")
    expect(page.locator("tr.cash-row")).to_contain_text(
        "Invoice number 190646 found in the bank reference"
    )
    page.screenshot(path=tmp_path / "cash-application-en.png")
