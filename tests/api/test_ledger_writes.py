"""Ledger writes through the API: upsert by key, bulk all-or-nothing, the import's messages."""

from __future__ import annotations

import json
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.test import Client

from encaisse.accounts.models import User
from encaisse.ledger.imports import import_file
from encaisse.ledger.models import Customer, ImportBatch, Invoice, Payment
from tests.api.conftest import ApiAs

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def customer(bob: User) -> Customer:
    from tests.conftest import make_customer

    return make_customer(bob, "Boulangerie Bob", terms_days=30)


def invoice(number: str, customer: Customer, amount: str = "1200.00", **more: Any) -> dict:
    return {
        "number": number,
        "customer_key": customer.external_key,
        "issue_date": "2026-03-01",
        "amount": amount,
        **more,
    }


def put(client: Client, key: str, body: dict) -> Any:
    return client.put(f"/api/v1/invoices/by-key/{key}", body, content_type=JSON)


def test_upsert_creates_then_says_unchanged_and_changes_nothing(
    api_as: ApiAs, alice: User, customer: Customer
) -> None:
    client = api_as(alice)
    body = invoice("F-1", customer)
    first = put(client, "ERP-1", body)
    assert first.status_code == 201, first.content
    assert first.json()["outcome"] == "created"
    data = first.json()["data"]
    assert data["external_key"] == "ERP-1" and data["balance"] == "1200.00"
    assert data["due_date"] == "2026-03-31"  # the customer's 30 days
    again = put(client, "ERP-1", body)
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    assert again.json()["data"]["updated_at"] == data["updated_at"]
    assert Invoice.objects.filter(external_key="ERP-1").count() == 1
    changed = put(client, "ERP-1", {**body, "po_reference": "PO-9"})
    assert changed.json()["outcome"] == "updated"
    assert changed.json()["data"]["po_reference"] == "PO-9"


def test_upsert_refusal_uses_the_import_message_and_points_at_the_field(
    api_as: ApiAs, alice: User, customer: Customer, tmp_path: Any
) -> None:
    response = put(api_as(alice), "ERP-2", invoice("F-2", customer, amount="12,5,0"))
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["pointer"] == "/amount"
    # The CSV import says the same of the same cell.
    csv = f"number;customer_key;issue_date;amount\nF-2;{customer.external_key};2026-03-01;12,5,0\n"
    report = import_file(
        kind="invoices", file=BytesIO(csv.encode()), filename="f.csv", actor=alice, dry_run=True
    )
    assert [row_error.reason for row_error in report.errors] == [error["detail"]]


def test_bulk_with_one_bad_record_writes_nothing_and_lists_every_error(
    api_as: ApiAs, alice: User, customer: Customer
) -> None:
    records = [invoice(f"B-{i}", customer) for i in range(5)]
    records[1]["amount"] = "-3"
    records[3]["issue_date"] = "31/31/2026"
    records[4]["customer_key"] = "NO-SUCH-CUSTOMER"
    response = api_as(alice).post("/api/v1/invoices/bulk", {"records": records}, content_type=JSON)
    assert response.status_code == 422
    pointers = {error["pointer"] for error in response.json()["errors"]}
    assert pointers == {"/records/1/amount", "/records/3/issue_date", "/records/4/customer_key"}
    assert not Invoice.objects.filter(number__startswith="B-").exists()


@pytest.mark.parametrize("bad", ["Boulangerie\x00", "Caf\ud800"])
def test_text_no_database_can_hold_is_a_422_at_its_place_not_a_500(
    api_as: ApiAs, alice: User, customer: Customer, bad: str
) -> None:
    # Found by the fuzz test on PostgreSQL (NUL; SQLite's driver refuses the
    # surrogate): the import stored its error message, quoting the value, as JSON.
    records = [invoice("FA-1", customer), invoice("FA-2", customer, po_reference=bad)]
    client = api_as(alice)
    # json.dumps escapes them ("\u0000"), as a client's JSON library would.
    body = json.dumps({"records": records})
    response = client.post("/api/v1/invoices/bulk", body, content_type=JSON)
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == ["/records/1/po_reference"]
    unknown = json.dumps({"records": [{**invoice("FA-3", customer), bad: "x"}]})
    response = client.post("/api/v1/invoices/bulk", unknown, content_type=JSON)
    assert [e["pointer"] for e in response.json()["errors"]] == ["/records/0"]
    assert not Invoice.objects.exists()


def test_a_nul_in_a_query_parameter_is_a_422_on_it(api_as: ApiAs, alice: User) -> None:
    response = api_as(alice).get("/api/v1/customers", {"q": "Boulangerie\x00"})
    assert response.status_code == 422
    assert [e["parameter"] for e in response.json()["errors"]] == ["q"]


def test_bulk_twice_is_unchanged_the_second_time(
    api_as: ApiAs, alice: User, customer: Customer
) -> None:
    client = api_as(alice)
    body = {"records": [invoice(f"C-{i}", customer, amount=f"{i + 1}.50") for i in range(20)]}
    first = client.post("/api/v1/invoices/bulk", body, content_type=JSON).json()
    assert (first["created"], first["updated"], first["unchanged"]) == (20, 0, 0)
    batches = ImportBatch.objects.count()
    second = client.post("/api/v1/invoices/bulk", body, content_type=JSON).json()
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 20)
    assert ImportBatch.objects.count() == batches
    assert [r["id"] for r in second["records"]] == [r["id"] for r in first["records"]]


def test_bulk_dry_run_writes_nothing(api_as: ApiAs, alice: User, customer: Customer) -> None:
    body = {"dry_run": True, "records": [invoice("D-1", customer)]}
    result = api_as(alice).post("/api/v1/invoices/bulk", body, content_type=JSON).json()
    assert result["created"] == 1 and result["records"][0]["id"] is None
    assert not Invoice.objects.filter(number="D-1").exists()


def test_bulk_over_the_limit_is_refused(api_as: ApiAs, alice: User, customer: Customer) -> None:
    body = {"records": [invoice(f"L-{i}", customer) for i in range(1001)]}
    response = api_as(alice).post("/api/v1/invoices/bulk", body, content_type=JSON)
    assert response.status_code == 422
    assert not Invoice.objects.filter(number__startswith="L-").exists()


def test_create_refuses_an_existing_key_with_409(
    api_as: ApiAs, alice: User, customer: Customer
) -> None:
    client = api_as(alice)
    assert (
        client.post("/api/v1/invoices", invoice("K-1", customer), content_type=JSON).status_code
        == 201
    )
    again = client.post("/api/v1/invoices", invoice("K-1", customer), content_type=JSON)
    assert again.status_code == 409


def test_patch_changes_only_what_is_sent(api_as: ApiAs, alice: User, customer: Customer) -> None:
    client = api_as(alice)
    created = client.post(
        "/api/v1/invoices", invoice("P-1", customer, po_reference="PO-A"), content_type=JSON
    ).json()
    patched = client.patch(
        f"/api/v1/invoices/{created['id']}", {"due_date": "2026-04-15"}, content_type=JSON
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["due_date"] == "2026-04-15"
    assert patched.json()["po_reference"] == "PO-A"
    assert patched.json()["amount"] == "1200.00"


def test_a_payment_pushed_with_its_invoice_numbers_settles_them(
    api_as: ApiAs, alice: User, customer: Customer
) -> None:
    client = api_as(alice)
    client.post("/api/v1/invoices", invoice("S-1", customer, amount="300.00"), content_type=JSON)
    response = client.put(
        "/api/v1/payments/by-key/VIR-1",
        {
            "customer_key": customer.external_key,
            "date": "2026-03-10",
            "amount": "300.00",
            "invoice_numbers": ["S-1"],
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    assert response.json()["data"]["allocated"] == "300.00"
    settled = client.get("/api/v1/invoices/by-key/S-1").json()
    assert settled["status"] == "paid" and settled["balance"] == "0.00"
    assert Payment.objects.get(external_key="VIR-1").amount == Decimal("300.00")


def test_a_rep_may_not_push_to_the_ledger(api_as: ApiAs, bob: User, customer: Customer) -> None:
    client = api_as(bob)
    assert put(client, "R-1", invoice("R-1", customer)).status_code == 403
    bulk = client.post("/api/v1/invoices/bulk", {"records": []}, content_type=JSON)
    assert bulk.status_code == 403


def test_a_pushed_invoice_shows_in_the_web_app(
    api_as: ApiAs,
    alice: User,
    customer: Customer,
    login,  # type: ignore[no-untyped-def]
) -> None:
    put(api_as(alice), "WEB-1", invoice("F-WEB-1", customer))
    page = login(alice).get("/invoices/", {"q": "F-WEB-1"})
    assert "F-WEB-1" in page.content.decode()


def test_customers_upsert_and_contacts(api_as: ApiAs, alice: User, bob: User) -> None:
    client = api_as(alice)
    response = client.put(
        "/api/v1/customers/by-key/CRM-7",
        {"name": "Garage Martin", "account_manager": "bob", "credit_limit": "5000"},
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["account_manager"] == "bob" and data["credit_limit"] == "5000.00"
    unknown = client.put(
        "/api/v1/customers/by-key/CRM-8",
        {"name": "X", "account_manager": "nobody"},
        content_type=JSON,
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["pointer"] == "/account_manager"
