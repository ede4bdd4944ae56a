"""In a real browser: finance decides an extension from the approvals queue, and a
rep records a promise from the customer page (htmx, in place).

With ENCAISSE_SCREENSHOTS=1 the queue is photographed into docs/screenshots/
(approvals-fr.png); otherwise into a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from encaisse.accounts.models import User
from encaisse.ledger.models import Contact
from encaisse.resolution.models import Extension, ExtensionStatus, Promise, PromiseSource
from encaisse.resolution.services.extensions import extension_request
from tests.conftest import PASSWORD, make_customer, make_invoice
from tests.e2e.test_browse import SCREENSHOTS, sign_in
from tests.web.conftest import Portfolio

pytestmark = pytest.mark.browser
TODAY = dt.date.today()

REQUESTS = [
    (
        "Boulangerie Martin",
        "bob",
        "4 820,00",
        25,
        "Attend le règlement de son propre client (chantier Lyon 3).",
    ),
    (
        "Garage des Tilleuls",
        "carol",
        "1 275,40",
        15,
        "Trésorerie tendue après l’incendie de l’atelier.",
    ),
    (
        "Imprimerie Duval",
        "bob",
        "12 300,00",
        30,
        "Facture contestée en interne, validation du directeur financier le 20.",
    ),
]


def requests_waiting(everyone: dict[str, User]) -> None:
    for name, rep, amount, days, reason in REQUESTS:
        customer = make_customer(everyone[rep], name)
        Contact.objects.create(customer=customer, name="Compta", email="compta@exemple.test")
        due = TODAY - dt.timedelta(days=12)
        invoice = make_invoice(
            customer,
            amount.replace("\u202f", "").replace(" ", "").replace(",", "."),
            issue=due - dt.timedelta(days=30),
            due=due,
        )
        extension_request(
            actor=everyone[rep],
            invoice=invoice,
            due_on=due + dt.timedelta(days=days),
            reason=reason,
        )
    # One asked by the customer (the portal's door), for the source column.
    Extension.objects.filter(customer__name="Garage des Tilleuls").update(
        source=PromiseSource.PORTAL, requested_by=None
    )


def test_finance_decides_from_the_approvals_queue(
    transactional_db: None,
    live_server: Any,
    everyone: dict[str, User],
    tmp_path: Path,
    page: Page,  # last: the data above is written before Playwright starts its loop
) -> None:
    requests_waiting(everyone)
    sign_in(page, live_server.url, "alice", PASSWORD)
    page.goto(f"{live_server.url}/resolution/approvals/")
    expect(page.locator("h1")).to_have_text("Validations")
    expect(page.locator("main")).to_contain_text("3 demandes attendent une décision")
    folder = SCREENSHOTS if os.environ.get("ENCAISSE_SCREENSHOTS") == "1" else tmp_path
    page.screenshot(path=folder / "approvals-fr.png", full_page=True)

    row = page.locator("tr", has_text="Imprimerie Duval")
    row.get_by_role("button", name="Refuser").click()  # no comment: refused with a reason
    expect(row).to_contain_text("Dites pourquoi")
    row = page.locator("tr", has_text="Imprimerie Duval")
    row.get_by_role("textbox").fill("Déjà reportée deux fois")
    row.get_by_role("button", name="Refuser").click()
    expect(page.locator("tr", has_text="Imprimerie Duval")).to_contain_text("Refusé")
    martin = page.locator("tr", has_text="Boulangerie Martin")
    martin.get_by_role("button", name="Valider").click()
    expect(page.locator("tr", has_text="Boulangerie Martin")).to_contain_text("Accepté")
    decided = dict(Extension.objects.values_list("customer__name", "status"))
    assert decided["Boulangerie Martin"] == ExtensionStatus.APPROVED
    assert decided["Imprimerie Duval"] == ExtensionStatus.REFUSED


def test_a_rep_records_a_promise_in_place(
    transactional_db: None,
    live_server: Any,
    bob: User,
    bobs: Portfolio,
    page: Page,
) -> None:
    sign_in(page, live_server.url, "bob", PASSWORD)
    page.goto(f"{live_server.url}/customers/{bobs.customer.pk}/")
    panel = page.locator("#promises-panel")
    panel.get_by_text("Enregistrer une promesse de paiement").click()
    panel.get_by_label("Montant promis").fill("500")
    panel.get_by_label("Date de paiement promise").fill(
        (dt.date.today() + dt.timedelta(days=7)).isoformat()
    )
    panel.get_by_role("button", name="Enregistrer la promesse").click()
    expect(page.locator("#promises-panel")).to_contain_text("Promesse enregistrée")
    expect(page.locator("#promises-panel")).to_contain_text("500,00")
    assert re.search(r"/customers/\d+/$", page.url)  # in place: no navigation
    promise = Promise.objects.get(customer=bobs.customer)
    assert promise.created_by == bob and promise.source == PromiseSource.SALES
