"""Two finance users apply the same payment at the same moment: it is never over-allocated.

Real processes with their own connections (tests/dunning/workers.py shares the
test database with them). The first keeps its transaction open while the
second applies: on PostgreSQL the second passes the friendly checks, then its
conditional UPDATE waits for the first and matches no row; on SQLite its
transaction waits for the write lock and then sees the payment spent. Either
way it gets a clear CashApplicationError and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from encaisse.ledger.models import Allocation, Invoice, Payment
from encaisse.ledger.services import payment_record
from tests.conftest import make_customer, make_invoice
from tests.dunning.workers import CHILD_TIMEOUT, ROOT, SharedDatabase

# Committed data for the child processes. No serialized rollback: restoring a snapshot
# clashes with content types another transactional test of this worker re-created
# under other ids; tests/conftest.py reinstalls the migrated defaults after the flush.
pytestmark = pytest.mark.django_db(transaction=True)


def start(db: SharedDatabase, name: str, *args: str) -> subprocess.Popen[str]:
    log = (db.tmp_path / f"cash-{name}.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.ledger.cash_worker", *args],
        cwd=ROOT,
        env=db.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    return process


def test_two_users_applying_the_same_payment_at_once(tmp_path: Path) -> None:
    customer = make_customer(None)
    first, second = make_invoice(customer, "100.00"), make_invoice(customer, "100.00")
    payment = payment_record(
        actor=None, customer=customer, amount=Decimal("100.00"), date=dt.date(2026, 3, 1),
        external_key="P1", strategy=None,
    )  # fmt: skip
    db = SharedDatabase(tmp_path)
    db.handover()
    one = start(db, "1", str(payment.pk), str(first.pk), "100.00", "--hold", "1.5")
    two = start(db, "2", str(payment.pk), str(second.pk), "100.00", "--wait", "0.5")
    for process in (one, two):
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    results = []
    for process in (one, two):
        out, _err = process.communicate(timeout=CHILD_TIMEOUT)
        assert process.returncode == 0, [(tmp_path / f"cash-{n}.log").read_text() for n in "12"]
        results.append(json.loads(out.strip().splitlines()[-1]))
    db.takeback()

    assert [r["applied"] for r in results] == [True, False]
    assert "left to apply" in str(results[1]["error"])
    payment.refresh_from_db()
    assert payment.allocated == Decimal("100.00")
    assert Allocation.objects.count() == 1
    assert Invoice.objects.get(pk=second.pk).balance == Decimal("100.00")
    assert Payment.objects.get().unallocated == 0
