"""The cash-application workspace: list, filters, apply, split, apply all confident, undo."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.ledger.models import Allocation, Company, Customer, Invoice, Payment
from encaisse.ledger.services import cash_apply, payment_record
from tests.conftest import make_customer, make_invoice

pytestmark = pytest.mark.django_db
D = Decimal
HTMX = {"HTTP_HX_REQUEST": "true"}


def on_account(customer: Customer, amount: str, key: str, text: str = "") -> Payment:
    return payment_record(
        actor=None, customer=customer, amount=D(amount), date=dt.date(2026, 3, 2),
        external_key=key, remittance=text, bank_reference=key, strategy=None,
    )  # fmt: skip


@pytest.fixture
def cash(bob: User, carol: User) -> dict[str, Any]:
    """Tout en Gros pays its invoice by number; Vinissime's transfer has no reference."""
    gros = make_customer(bob, "Tout en Gros")
    named = make_invoice(gros, "2511.65", number="190646")
    vin = make_customer(carol, "Vinissime")
    old = make_invoice(vin, "106.22", number="171557", due=dt.date(2026, 1, 20))
    make_invoice(vin, "338.26", number="171587")
    make_invoice(vin, "999.00", number="171600")
    return {
        "gros": gros,
        "named": named,
        "vin": vin,
        "old": old,
        "p_gros": on_account(gros, "2511.65", "VIR-190646", "FACT 190646"),
        "p_vin": on_account(vin, "444.48", "VIR-VIN", "REGLEMENT"),
    }


def test_finance_sees_every_item_on_account_with_ranked_suggestions(
    client: Client, alice: User, cash: dict[str, Any]
) -> None:
    client.force_login(alice)
    page = client.get("/cash/").content.decode()
    assert "Rapprochement des encaissements" in page
    assert "Tout en Gros" in page and "Vinissime" in page
    assert "Numéro de facture 190646 trouvé dans le texte de remise" in page
    assert "2 factures font le montant\u00a0: 171557, 171587" in page
    assert "Certaine" in page and "Moyenne" in page
    assert "Affecter la correspondance sûre (1)" in page


def test_sales_and_managers_may_not_open_it(
    client: Client, bob: User, dave: User, cash: dict[str, Any]
) -> None:
    for user in (bob, dave):
        client.force_login(user)
        assert client.get("/cash/").status_code == 403
        kind, pk = "payment", cash["p_gros"].pk
        assert client.post(f"/cash/{kind}/{pk}/apply/", {"allocations": "1:1"}).status_code == 403
    assert Allocation.objects.count() == 0


def test_filters_by_customer_confidence_and_kind(
    client: Client, alice: User, cash: dict[str, Any]
) -> None:
    client.force_login(alice)
    mine = client.get("/cash/", {"customer": cash["gros"].pk}).content.decode()
    assert "Tout en Gros" in mine and "Vinissime" not in mine
    certain = client.get("/cash/", {"confidence": "certain"}).content.decode()
    assert "VIR-190646" in certain and "VIR-VIN" not in certain
    medium = client.get("/cash/", {"confidence": "medium"}).content.decode()
    assert "VIR-VIN" in medium and "VIR-190646" not in medium
    searched = client.get("/cash/", {"q": "vini"}).content.decode()
    assert "VIR-VIN" in searched and "VIR-190646" not in searched
    notes = client.get("/cash/", {"kind": "credit_note"}).content.decode()
    assert "VIR-VIN" not in notes and "Aucun encaissement" in notes


def test_the_page_costs_the_same_queries_for_more_items(
    client: Client, alice: User, cash: dict[str, Any]
) -> None:
    client.force_login(alice)
    Company.current()  # created on first use: not the page's cost

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/cash/").status_code == 200
        return len(captured)

    before = queries()
    for n in range(6):
        customer = make_customer(None)
        make_invoice(customer, "10.00")
        on_account(customer, "10.00", f"MORE-{n}")
    assert queries() == before


def test_apply_in_place_with_htmx(client: Client, alice: User, cash: dict[str, Any]) -> None:
    client.force_login(alice)
    payment = cash["p_gros"]
    response = client.post(
        f"/cash/payment/{payment.pk}/apply/",
        {"allocations": f"{cash['named'].pk}:2511.65", "next": "/cash/"},
        **HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Affecté" in body
    # The recent applications reload.
    assert json.loads(response["HX-Trigger"]) == {"cash-applied": {"target": "#recent"}}
    recent = client.get("/cash/", {"part": "recent"}, **HTMX).content.decode()
    assert recent.startswith('<section class="card') and "190646" in recent
    cash["named"].refresh_from_db()
    assert cash["named"].status == "paid"
    activity = Activity.objects.get(verb="ledger.allocation.created")
    assert activity.actor == alice and activity.payload["match"]["code"] == "reference"
    timeline = client.get(f"/invoices/{cash['named'].pk}/").content.decode()
    why = "rapprochement\u00a0: Numéro de facture 190646 trouvé dans le texte de remise"
    assert why in timeline


def test_applying_what_someone_else_applied_meanwhile_says_so(
    client: Client, alice: User, ada: User, cash: dict[str, Any]
) -> None:
    payment = cash["p_vin"]
    shown = f"{cash['old'].pk}:106.22"  # what alice's page offered
    cash_apply(actor=ada, source=payment, allocations=[(cash["old"].pk, D("106.22"))])
    client.force_login(alice)
    response = client.post(f"/cash/payment/{payment.pk}/apply/", {"allocations": shown}, **HTMX)
    body = response.content.decode()
    assert "dépasse le solde restant dû de la facture 171557" in body
    assert Allocation.objects.count() == 1


def test_apply_without_htmx_redirects_back_with_a_message(
    client: Client, alice: User, cash: dict[str, Any]
) -> None:
    client.force_login(alice)
    payment = cash["p_gros"]
    response = client.post(
        f"/cash/payment/{payment.pk}/apply/",
        {"allocations": f"{cash['named'].pk}:2511.65", "next": "/cash/?q=gros"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/cash/?q=gros"
    assert "Paiement VIR-190646 affecté à 1 facture." in response.content.decode()


def test_split_by_hand_validates_each_amount_and_the_total(
    client: Client, alice: User, cash: dict[str, Any]
) -> None:
    client.force_login(alice)
    payment, old = cash["p_vin"], cash["old"]
    other = Invoice.objects.get(number="171587")
    url = f"/cash/payment/{payment.pk}/split/"
    form = client.get(url).content.decode()
    assert "171557" in form and "171587" in form and "444,48" in form
    bad = client.post(url, {f"amount-{old.pk}": "douze"})
    assert bad.status_code == 400 and "Montant invalide\u00a0: douze" in bad.content.decode()
    too_much = client.post(url, {f"amount-{old.pk}": "106,22", f"amount-{other.pk}": "339"})
    assert "339,00\u00a0€ dépasse le solde restant dû de la facture 171587" in (
        too_much.content.decode()
    )
    assert not Allocation.objects.exists()
    done = client.post(url, {f"amount-{old.pk}": "106,22", f"amount-{other.pk}": "300,00"})
    assert done.status_code == 302
    payment.refresh_from_db()
    assert payment.unallocated == D("38.26")


def test_apply_all_confident_asks_then_reports(
    client: Client, alice: User, cash: dict[str, Any]
) -> None:
    client.force_login(alice)
    confirm = client.get("/cash/confident/").content.decode()
    assert "VIR-190646" in confirm and "VIR-VIN" not in confirm
    assert not Allocation.objects.exists()
    result = client.post("/cash/confident/").content.decode()
    assert "1 encaissement affecté." in result
    cash["named"].refresh_from_db()
    assert cash["named"].status == "paid"
    payment = cash["p_vin"]
    payment.refresh_from_db()
    assert payment.allocated == 0


def test_undo_asks_why_and_reopens_the_invoice(
    client: Client, alice: User, cash: dict[str, Any]
) -> None:
    [allocation] = cash_apply(
        actor=alice, source=cash["p_gros"], allocations=[(cash["named"].pk, D("2511.65"))]
    )
    client.force_login(alice)
    page = client.get("/cash/").content.decode()
    assert "Affectations récentes" in page and f"/cash/allocations/{allocation.pk}/undo/" in page
    url = f"/cash/allocations/{allocation.pk}/undo/"
    assert "Pourquoi" in client.post(url, {"reason": ""}).content.decode()
    response = client.post(url, {"reason": "virement d'un autre client", "next": "/cash/"})
    assert response.status_code == 302
    cash["named"].refresh_from_db()
    assert (cash["named"].status, cash["named"].balance) == ("open", D("2511.65"))
    invoice_page = client.get(f"/invoices/{cash['named'].pk}/").content.decode()
    assert "virement d&#x27;un autre client" in invoice_page and "Annulée" in invoice_page
    assert "Affectation annulée" in invoice_page
    assert "Annulée" in client.get("/cash/").content.decode()
    assert "/undo/" not in invoice_page  # undone: nothing left to undo there


def test_the_invoice_page_offers_undo_to_finance_only(
    client: Client, alice: User, bob: User, cash: dict[str, Any]
) -> None:
    [allocation] = cash_apply(
        actor=alice, source=cash["p_gros"], allocations=[(cash["named"].pk, D("2511.65"))]
    )
    url = f"/invoices/{cash['named'].pk}/"
    client.force_login(alice)
    assert f"/cash/allocations/{allocation.pk}/undo/" in client.get(url).content.decode()
    client.force_login(bob)
    assert "/undo/" not in client.get(url).content.decode()


def test_the_auto_apply_setting_is_shown_and_changed(
    client: Client, alice: User, cash: dict[str, Any]
) -> None:
    client.force_login(alice)
    assert "Désactivée" in client.get("/cash/").content.decode()
    client.post("/cash/settings/", {"cash_auto_apply": "1"})
    assert Company.current().cash_auto_apply is True
    page = client.get("/cash/").content.decode()
    assert "Activée" in page
    client.post("/cash/settings/", {"cash_auto_apply": "0"})
    assert Company.current().cash_auto_apply is False
    assert Activity.objects.filter(verb="ledger.company.updated").count() == 2


def test_links_from_the_customer_page_the_payments_and_the_navigation(
    client: Client, alice: User, bob: User, cash: dict[str, Any]
) -> None:
    client.force_login(alice)
    customer = client.get(f"/customers/{cash['gros'].pk}/").content.decode()
    assert f"/cash/?customer={cash['gros'].pk}" in customer
    assert 'href="/cash/"' in client.get("/payments/").content.decode()
    client.force_login(bob)
    customer = client.get(f"/customers/{cash['gros'].pk}/").content.decode()
    assert "/cash/" not in customer
    assert "/cash/" not in client.get("/payments/").content.decode()


def test_the_customer_filter_of_another_portfolio_is_not_a_leak(
    client: Client, alice: User, cash: dict[str, Any]
) -> None:
    client.force_login(alice)
    assert client.get("/cash/", {"customer": 999_999}).status_code == 404
    assert re.search(r"Vinissime", client.get("/cash/").content.decode())


def test_recent_applications_are_those_of_the_cash_application_only(
    client: Client, alice: User, cash: dict[str, Any]
) -> None:
    """An import's allocations (here a payment recorded against its invoice) do not crowd
    the list: it shows what finance applied, by hand or automatically."""
    payment_record(
        actor=alice, customer=cash["vin"], amount=D("338.26"), date=dt.date(2026, 3, 3),
        external_key="BY-IMPORT", remittance="171587",
    )  # fmt: skip
    [mine] = cash_apply(
        actor=alice, source=cash["p_gros"], allocations=[(cash["named"].pk, D("2511.65"))]
    )
    assert Allocation.objects.filter(via_cash_application=True).get() == mine
    client.force_login(alice)
    recent = client.get("/cash/", {"part": "recent"}, **HTMX).content.decode()
    assert f"/cash/allocations/{mine.pk}/undo/" in recent
    assert "171587" not in recent
