"""`import_records` (the API's upserts): outcomes, idempotence, all-or-nothing, dry runs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from encaisse.accounts.models import User
from encaisse.ledger.imports import MAX_RECORDS, Outcome
from encaisse.ledger.models import Contact, Customer, ImportBatch, Invoice, Payment
from encaisse.ledger.models.imports import ImportSource
from tests.imports.records_helpers import ledger_snapshot, push

pytestmark = pytest.mark.django_db

CUSTOMERS = [
    {"external_key": "C1", "name": "Boulangerie Dupont", "terms_days": 45, "account_manager": "bob",
     "tags": ["vip", "bakery"], "contact_email": "marie@dupont.test", "credit_limit": "10000.00"},
    {"external_key": "C2", "name": "Garage Martin", "status": "prospect"},
]  # fmt: skip
INVOICES = [
    {"number": "F1", "customer_key": "C1", "issue_date": "2026-01-10", "amount": "1200.00",
     "amount_excl_tax": "1000.00", "po_reference": "PO-1"},
    {"number": "F2", "customer_key": "C1", "issue_date": dt.date(2026, 1, 15),
     "amount": Decimal("600")},
    {"number": "F3", "customer_key": "C2", "issue_date": "2026-01-20", "amount": "99.90"},
]  # fmt: skip


def test_records_are_created_with_their_ids_and_keys(alice: User, bob: User) -> None:
    result = push("customers", CUSTOMERS, actor=alice)
    assert result.ok and result.applied, result.errors
    assert [(r.index, r.outcome, r.external_key) for r in result.records] == [
        (0, Outcome.CREATED, "C1"),
        (1, Outcome.CREATED, "C2"),
    ]
    dupont = Customer.objects.get(external_key="C1")
    assert result.records[0].id == dupont.pk
    assert (dupont.account_manager, dupont.terms_days, dupont.tags) == (bob, 45, ["vip", "bakery"])
    assert dupont.credit_limit == Decimal("10000.00")
    assert Contact.objects.get(customer=dupont).email == "marie@dupont.test"
    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert (batch.source, batch.kind, batch.filename, batch.status) == (
        ImportSource.API,
        "customers",
        "test push",
        "applied",
    )

    result = push("invoices", INVOICES, actor=alice)
    assert [r.outcome for r in result.records] == [Outcome.CREATED] * 3
    f1 = Invoice.objects.get(external_key="F1")
    assert (f1.due_date, f1.balance, f1.source) == (dt.date(2026, 2, 24), Decimal("1200.00"), "api")
    assert Customer.objects.get(external_key="C1").open_balance == Decimal("1800.00")


def test_the_same_payload_twice_is_unchanged_and_writes_nothing(alice: User, bob: User) -> None:
    push("customers", CUSTOMERS, actor=alice)
    push("invoices", INVOICES, actor=alice)
    before = ledger_snapshot()
    stamps = sorted(Invoice.objects.values_list("id", "updated_at"))
    customer_stamps = sorted(Customer.objects.values_list("id", "updated_at"))
    batches = ImportBatch.objects.count()

    for kind, records in (("customers", CUSTOMERS), ("invoices", INVOICES)):
        again = push(kind, records, actor=alice)
        assert again.ok and not again.changed
        assert {r.outcome for r in again.records} == {Outcome.UNCHANGED}
        assert all(r.id is not None for r in again.records)
        assert again.batch_id is None and not again.applied

    assert ledger_snapshot() == before
    assert sorted(Invoice.objects.values_list("id", "updated_at")) == stamps
    assert sorted(Customer.objects.values_list("id", "updated_at")) == customer_stamps
    assert ImportBatch.objects.count() == batches  # not even a batch row


def test_a_changed_record_is_updated_and_only_it(alice: User, bob: User) -> None:
    push("customers", CUSTOMERS, actor=alice)
    push("invoices", INVOICES, actor=alice)
    changed = [dict(INVOICES[0]), *INVOICES[1:]]
    changed[0]["po_reference"] = "PO-2"
    result = push("invoices", changed, actor=alice)
    assert [r.outcome for r in result.records] == [
        Outcome.UPDATED, Outcome.UNCHANGED, Outcome.UNCHANGED
    ]  # fmt: skip
    assert Invoice.objects.get(external_key="F1").po_reference == "PO-2"


def test_a_dry_run_writes_nothing_but_says_what_would_happen(alice: User, bob: User) -> None:
    result = push("customers", CUSTOMERS, actor=alice, dry_run=True)
    assert result.ok and not result.applied and result.dry_run
    assert [(r.outcome, r.id) for r in result.records] == [(Outcome.CREATED, None)] * 2
    assert not Customer.objects.exists() and not ImportBatch.objects.exists()


def test_payments_name_invoices_to_allocate_to(alice: User, bob: User) -> None:
    push("customers", CUSTOMERS, actor=alice)
    push("invoices", INVOICES, actor=alice)
    result = push(
        "payments",
        [{"external_key": "P1", "customer_key": "C1", "date": "2026-02-01", "amount": "1500",
          "invoice_numbers": ["F1", "F2"]}],
        actor=alice,
    )  # fmt: skip
    assert result.ok, result.errors
    assert Payment.objects.get(external_key="P1").allocated == Decimal("1500.00")
    assert Invoice.objects.get(external_key="F2").balance == Decimal("300.00")
    assert Customer.objects.get(external_key="C1").open_balance == Decimal("300.00")


def test_aliases_of_the_csv_header_are_accepted(alice: User, bob: User) -> None:
    push("customers", CUSTOMERS, actor=alice)
    result = push(
        "invoices",
        [
            {
                "N° facture": "F9",
                "code_client": "C2",
                "date_facture": "10/01/2026",
                "montant": "10,00",
            }
        ],
        actor=alice,
    )
    assert result.ok, result.errors
    assert Invoice.objects.get(number="F9").amount == Decimal("10.00")


def test_unknown_fields_and_values_no_cell_could_hold_are_errors(alice: User, bob: User) -> None:
    push("customers", CUSTOMERS, actor=alice)
    result = push(
        "invoices",
        [{"number": "F9", "customer_key": "C2", "issue_date": "2026-01-10", "amount": {"x": 1},
          "colour": "red"}],
        actor=alice,
    )  # fmt: skip
    assert [(e.index, e.field, e.code) for e in result.errors] == [
        (0, "amount", "invalid"),
        (0, "colour", "invalid"),
    ]  # the refused amount is not also "missing"
    assert not Invoice.objects.filter(number="F9").exists()


def test_more_than_the_limit_is_refused_whole(alice: User) -> None:
    records = [{"external_key": f"C{n}", "name": "x"} for n in range(MAX_RECORDS + 1)]
    result = push("customers", records, actor=alice)
    assert [(e.index, e.code) for e in result.errors] == [(None, "error")]
    assert not Customer.objects.exists()


def test_create_and_update_modes(alice: User, bob: User) -> None:
    push("customers", CUSTOMERS, actor=alice)
    taken = push("customers", [CUSTOMERS[1]], actor=alice, mode="create")
    assert [(e.index, e.field, e.code) for e in taken.errors] == [(0, "external_key", "conflict")]
    unknown = push("customers", [{"external_key": "C9", "name": "x"}], actor=alice, mode="update")
    assert [(e.index, e.field, e.code) for e in unknown.errors] == [
        (0, "external_key", "not_found")
    ]
    assert not Customer.objects.filter(external_key="C9").exists()
    renamed = push("customers", [{"external_key": "C2", "name": "Garage Martin & fils"}],
                   actor=alice, mode="update")  # fmt: skip
    assert [r.outcome for r in renamed.records] == [Outcome.UPDATED]


def test_one_record_costs_a_few_queries_whatever_the_ledger_size(alice: User, bob: User) -> None:
    push("customers", CUSTOMERS, actor=alice)
    record = {"number": "ONE", "customer_key": "C1", "issue_date": "2026-01-10", "amount": "5"}
    push("invoices", [{**record, "number": "FIRST"}], actor=alice)  # the table is not empty
    with CaptureQueriesContext(connection) as small:
        push("invoices", [record], actor=alice)
    push("invoices", [{**record, "number": f"N{n}"} for n in range(300)], actor=alice)
    with CaptureQueriesContext(connection) as large:
        push("invoices", [{**record, "number": "TWO"}], actor=alice)
    assert len(large) == len(small) <= 20
    for query in large.captured_queries:  # no full-table read (COUNT, or a scan without WHERE)
        text = query["sql"].upper()
        bounded = "WHERE" in text or "LIMIT" in text or not text.startswith("SELECT")
        assert "COUNT(" not in text and bounded, text


def test_only_the_created_records_are_read_back_for_their_ids(alice: User, bob: User) -> None:
    """The stored records' ids come with them from the ledger check: a re-push of
    unchanged records reads nothing more (one query of 1 000 keys a call saved)."""
    push("customers", CUSTOMERS, actor=alice)
    first = push("invoices", INVOICES, actor=alice)
    with CaptureQueriesContext(connection) as queries:
        again = push("invoices", INVOICES, actor=alice)
    assert [r.id for r in again.records] == [r.id for r in first.records]
    read_back = [
        q["sql"] for q in queries.captured_queries if "SELECT external_key, id FROM" in q["sql"]
    ]
    assert read_back == []

    changed = [
        {**INVOICES[0], "po_reference": "PO-2"},
        INVOICES[1],
        {**INVOICES[2], "number": "F4"},
    ]
    mixed = push("invoices", changed, actor=alice)
    ids = dict(Invoice.objects.values_list("external_key", "id"))
    assert [(r.outcome, r.id) for r in mixed.records] == [
        (Outcome.UPDATED, ids["F1"]), (Outcome.UNCHANGED, ids["F2"]), (Outcome.CREATED, ids["F4"])
    ]  # fmt: skip
