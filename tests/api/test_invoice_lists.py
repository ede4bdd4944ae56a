"""/invoices lists: every page in id order, whatever the filter; and on SQLite,
a range of due dates planned without sorting the matching rows (issue 8)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from encaisse.accounts.models import User
from encaisse.ledger.models import Invoice
from encaisse.ledger.selectors import invoices_visible_to, open_invoices
from tests.api.conftest import ApiAs
from tests.api.test_customers import walk
from tests.conftest import make_customer, make_invoice

pytestmark = pytest.mark.django_db
OCTOBER = {"due_from": "2026-10-01", "due_to": "2026-10-31"}


def _ledger(bob: User, carol: User) -> None:
    """Bob's and Carol's customers, invoices due before, within and after October."""
    dues = [dt.date(2026, 9, 30), dt.date(2026, 10, 1), dt.date(2026, 10, 15)]
    dues += [dt.date(2026, 10, 31), dt.date(2026, 11, 1)]
    for owner in (bob, carol, bob):
        customer = make_customer(owner)
        for due in dues:
            make_invoice(customer, issue=dt.date(2026, 9, 1), due=due)


@pytest.mark.parametrize(
    "params",
    [
        {},
        OCTOBER,
        {"due_from": "2026-10-15"},
        {"due_to": "2026-10-01"},
        {**OCTOBER, "open": "true"},
    ],
)
def test_every_page_holds_the_next_rows_in_id_order(
    api_as: ApiAs, alice: User, bob: User, carol: User, dave: User, params: dict[str, str]
) -> None:
    _ledger(bob, carol)
    for user in (alice, bob, dave):  # finance, a rep, the lead of bob's team
        expected = invoices_visible_to(user)
        if "due_from" in params:
            expected = expected.filter(due_date__gte=params["due_from"])
        if "due_to" in params:
            expected = expected.filter(due_date__lte=params["due_to"])
        if "open" in params:
            expected = open_invoices(expected)
        ids = list(expected.order_by("id").values_list("id", flat=True))
        rows = walk(api_as(user), "/api/v1/invoices", limit=2, **params)
        assert [row["id"] for row in rows] == ids, user
        assert ids  # the ledger has rows for every case


# sqlite_stat1 of the 1 000 000-invoice bench ledger (bench/api_bench.py lists):
# the plans below are those SQLite chooses at that size.
STAT1_AT_1M = [
    ("ledger_customer", "ledger_customer_account_manager_id_7b342bcd", "100000 20000"),
    ("ledger_customer", "customer_manager_name_key", "100000 20000 3"),
    ("ledger_customer", "customer_manager_updated", "100000 20000 10000 1"),
    ("ledger_customer", "customer_name_key", "100000 10 1"),
    ("ledger_customer", "customer_open_balance", "100000 2"),
    ("ledger_customer", "customer_updated", "100000 50000 1"),
    ("ledger_customer", "sqlite_autoindex_ledger_customer_1", "100000 1"),
    ("ledger_invoice", "invoice_customer_due", "1000000 10 2"),
    ("ledger_invoice", "invoice_due", "1000000 1725 1"),
    ("ledger_invoice", "invoice_number", "1000000 1"),
    ("ledger_invoice", "invoice_open_due", "178865 399"),
    ("ledger_invoice", "invoice_status_due", "1000000 333334 726"),
    ("ledger_invoice", "invoice_updated", "1000000 333334 1"),
    ("ledger_invoice", "sqlite_autoindex_ledger_invoice_1", "1000000 1"),
]


def _as_at_a_million_invoices() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(
            "DELETE FROM sqlite_stat1 WHERE tbl IN ('ledger_customer', 'ledger_invoice')"
        )
        cursor.executemany("INSERT INTO sqlite_stat1 VALUES (%s, %s, %s)", STAT1_AT_1M)
        cursor.execute("ANALYZE sqlite_schema")  # reload the statistics


def _plan(client: Any, params: dict[str, str]) -> list[tuple[int, str]]:
    """(parent, step) of the plan of the list's query on invoices."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/v1/invoices", params).status_code == 200
    (sql,) = [q["sql"] for q in captured.captured_queries if "ledger_invoice" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")  # the captured SQL has its values inlined
        return [(parent, step) for _, parent, _, step in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
@pytest.mark.parametrize("cursor", [False, True])
def test_a_due_range_is_paged_without_sorting_the_matching_rows(
    api_as: ApiAs, alice: User, bob: User, carol: User, dave: User, cursor: bool
) -> None:
    _ledger(bob, carol)
    _as_at_a_million_invoices()
    params = {**OCTOBER, "limit": "2"}
    if cursor:  # a page deep in the list: after the middle invoice
        half = {"limit": str(Invoice.objects.count() // 2)}
        params["cursor"] = api_as(alice).get("/api/v1/invoices", half).json()["next_cursor"]
    for user in (alice, bob, dave):
        plan = _plan(api_as(user), params)
        steps = [step for _, step in plan]
        # The rows are read by key; only the page's ids may be sorted.
        assert "SEARCH ledger_invoice USING INTEGER PRIMARY KEY (rowid=?)" in steps, plan
        assert not [step for parent, step in plan if parent == 0 and "TEMP B-TREE" in step], plan
        # The ids come from an index alone: the due range for finance, each
        # of their customers' range for a rep or a team lead.
        from_index = [step for step in steps if "_due " in step]
        if user == alice:
            assert from_index == [
                "SEARCH U0 USING COVERING INDEX invoice_due (due_date>? AND due_date<?)"
            ], plan
        else:
            assert len(from_index) == 1, plan
            index = (
                "COVERING INDEX invoice_customer_due (customer_id=? AND due_date>? AND due_date<?)"
            )
            assert from_index[0].endswith(f" USING {index}"), plan
