"""When the ledger last received data (SPEC §3, §4.4): cheap whatever the ledger's size."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from encaisse.accounts.models import User
from encaisse.ledger.models import ImportBatch, ImportKind, ImportStatus
from encaisse.ledger.selectors import ledger_refreshed_at
from encaisse.ledger.services import payment_record
from tests.conftest import make_customer

NOON = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A test table is a few rows, where a sequential scan is as cheap as
            # anything: ask whether an index *can* serve the query.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(" ".join(map(str, row)) for row in cursor.fetchall())


@pytest.mark.django_db
def test_the_ledger_is_as_fresh_as_its_latest_import_or_payment(bob: User) -> None:
    assert ledger_refreshed_at() is None
    customer = make_customer(bob)
    with time_machine.travel(NOON, tick=False):
        payment_record(
            actor=None,
            customer=customer,
            amount=Decimal("5.00"),
            date=NOON.date(),
            external_key="P",
        )
    assert ledger_refreshed_at() == NOON
    ImportBatch.objects.create(
        kind=ImportKind.INVOICES,
        filename="factures.csv",
        sha256="2" * 64,
        status=ImportStatus.APPLIED,
        finished_at=NOON + dt.timedelta(hours=3),
    )
    assert ledger_refreshed_at() == NOON + dt.timedelta(hours=3)


@pytest.mark.django_db
def test_the_newest_payment_is_read_from_an_index_not_by_sorting_the_table(bob: User) -> None:
    customer = make_customer(bob)
    for n in range(3):
        payment_record(
            actor=None,
            customer=customer,
            amount=Decimal("5.00"),
            date=timezone.localdate(),
            external_key=f"P{n}",
        )
    with CaptureQueriesContext(connection) as captured:
        ledger_refreshed_at()
    on_payments = [q["sql"] for q in captured.captured_queries if "ledger_payment" in q["sql"]]
    assert len(on_payments) == 1
    plan = _plan(on_payments[0])  # the captured SQL has its parameters inlined
    assert "payment_created" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan and "Seq Scan" not in plan, plan
