"""The import pages in a real browser (issue 7): a template downloaded, a cut-off file and a
file mixing encodings reviewed, in French and in English. Screenshots go to a temporary
folder (docs/screenshots/ with ENCAISSE_SCREENSHOTS=1, as test_browse does)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from encaisse.accounts.models import User
from encaisse.dunning.models import MessageTemplate
from encaisse.ledger.models import Customer, ImportBatch
from tests.conftest import PASSWORD
from tests.e2e.test_browse import SCREENSHOTS, sign_in
from tests.imports.helpers import run

pytestmark = pytest.mark.browser

CUT = "external_key;name;city\nC1;Dupont SA;Lyon\nC2;Énergies Four".encode()
MIXED = "external_key;name\nC1;Hélène Dupont\nC2;Noël SA\n".encode() + b"C3;Caf\xe9 \xd6k\xf6\n"


def _upload(page: Page, base: str, tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    page.goto(f"{base}/imports/new/")
    page.select_option("select[name=kind]", "customers")
    page.set_input_files("input[name=file]", str(path))
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_url("**/imports/review/**")


def test_import_pages_in_the_browser(
    transactional_db: None,
    live_server: Any,
    alice: User,
    page: Page,  # last: the data above is written before Playwright starts its loop
    tmp_path: Path,
) -> None:
    folder = SCREENSHOTS if os.environ.get("ENCAISSE_SCREENSHOTS") == "1" else tmp_path
    base = live_server.url
    sign_in(page, base, "alice", PASSWORD)

    page.goto(f"{base}/imports/new/")
    expect(page.locator("h2")).to_contain_text("Modèles CSV")
    with page.expect_download() as download:
        page.click("a[href$='/imports/template/invoices.csv']")
    template = Path(download.value.path()).read_text(encoding="utf-8")
    assert template.startswith("\ufeffIdentifiant;N° facture;Code client;Date facture;")
    assert download.value.suggested_filename.startswith("modele-factures-")
    page.screenshot(path=folder / "imports-new-fr.png", full_page=True)

    _upload(page, base, tmp_path, "clients-coupe.csv", CUT)
    errors = page.locator("table.errors")
    expect(errors).to_contain_text("3 cellules attendues comme dans l'en-tête, 2 trouvée(s)")
    expect(errors).to_contain_text("manque\u00a0: city")
    button = page.get_by_role("button", name="Importer seulement la ligne valide (1)")
    expect(button).to_be_visible()
    page.screenshot(path=folder / "imports-review-cut-fr.png", full_page=True)
    button.click()
    expect(page.locator("h1")).to_contain_text("clients-coupe.csv")
    assert list(Customer.objects.values_list("name", flat=True)) == ["Dupont SA"]

    _upload(page, base, tmp_path, "clients-melange.csv", MIXED)
    expect(page.locator("p.error").first).to_contain_text(
        "La ligne 4 n'est pas en UTF-8 comme le reste du fichier"
    )
    expect(page.locator("button[name=valid_rows_only]")).to_have_count(0)
    page.screenshot(path=folder / "imports-review-encoding-fr.png", full_page=True)

    # A rejected batch (from the command line: the page offers no apply for this file).
    rejected = run("customers", CUT, filename="clients-coupe.csv", actor=alice)
    page.goto(f"{base}/imports/")
    expect(page.locator("tbody tr").first).to_contain_text("Rejeté")
    page.screenshot(path=folder / "imports-list-fr.png", full_page=True)
    page.goto(f"{base}/imports/{rejected.batch_id}/")
    expect(page.locator("dl")).to_contain_text("Rien\u00a0: le fichier a été rejeté.")
    expect(page.locator("dl")).not_to_contain_text("Créé")
    page.screenshot(path=folder / "imports-detail-rejected-fr.png", full_page=True)

    User.objects.filter(pk=alice.pk).update(language="en")
    _upload(page, base, tmp_path, "customers-cut.csv", CUT)
    expect(page.locator("table.errors")).to_contain_text(
        "expected 3 cells as in the header, found 2: the line is cut off"
    )
    expect(page.get_by_role("button", name="Import the 1 valid row only")).to_be_visible()
    page.screenshot(path=folder / "imports-review-cut-en.png", full_page=True)
    page.goto(f"{base}/imports/new/")
    expect(page.locator("h2")).to_contain_text("CSV templates")
    page.screenshot(path=folder / "imports-new-en.png", full_page=True)
    assert ImportBatch.objects.filter(status="applied").count() == 1


def test_a_template_body_over_the_cap_is_refused_in_the_editor(
    transactional_db: None, live_server: Any, alice: User, page: Page, tmp_path: Path
) -> None:
    folder = SCREENSHOTS if os.environ.get("ENCAISSE_SCREENSHOTS") == "1" else tmp_path
    template = MessageTemplate.objects.get(code="reminder_1", language="fr")
    before = template.body
    sign_in(page, live_server.url, "alice", PASSWORD)
    page.goto(f"{live_server.url}/dunning/templates/{template.pk}/")
    page.fill("textarea[name=body]", "b" * 20_800)  # all kept: no maxlength to cut the paste
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("main")).to_contain_text(
        "Assurez-vous que cette valeur comporte au plus 20000 caractères (actuellement 20800)."
    )
    page.screenshot(path=folder / "template-too-long-fr.png", full_page=False)
    template.refresh_from_db()
    assert template.body == before
