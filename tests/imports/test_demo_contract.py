"""The demo generator's files (written to the docs/imports.md contract) import cleanly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from encaisse.accounts.models import User
from encaisse.ledger.models import CreditNote, Customer, Invoice, Payment
from encaisse.ledger.services import balances_recompute
from tests.imports.helpers import net_balances, run

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 15)


def test_demo_csv_files_import_without_errors(tmp_path: Path) -> None:
    from encaisse.demo.csv_files import write_csv
    from encaisse.demo.staff import STAFF

    for member in STAFF:  # the reps the demo customers are assigned to
        User.objects.create_user(username=member.username, role=member.role)

    counts = write_csv(tmp_path, invoices=300, seed=7, today=TODAY)
    for kind in ("customers", "invoices", "payments", "credit_notes"):
        data = (tmp_path / f"{kind}.csv").read_bytes()
        report = run(kind, data, filename=f"{kind}.csv")
        assert report.status == "applied", (kind, report.file_error, report.errors[:5])
        assert report.created == counts[f"{kind}.csv"]
        again = run(kind, data, filename=f"{kind}.csv")
        assert (again.created, again.updated, again.error_count) == (0, 0, 0)
    assert Invoice.objects.count() == counts["invoices.csv"]
    assert Customer.objects.filter(open_balance__gt=0).exists()
    # The import writes balances, statuses and allocated totals itself: a full
    # set-based recomputation afterwards must find nothing to change.
    before = _derived()
    balances_recompute()
    assert _derived() == before


def _derived() -> dict[str, list[tuple[object, ...]]]:
    return {
        "invoices": list(
            Invoice.objects.order_by("pk").values_list("balance", "status", "paid_on")
        ),
        "payments": list(Payment.objects.order_by("pk").values_list("allocated")),
        "credit_notes": list(CreditNote.objects.order_by("pk").values_list("allocated")),
        "customers": list(Customer.objects.order_by("pk").values_list("open_balance")),
    }


def test_demo_fec_imports_and_balances(tmp_path: Path) -> None:
    from encaisse.demo.fec import write_fec

    path = tmp_path / "demo.fec.txt"
    write_fec(path, invoices=300, seed=7, today=TODAY)
    report = run("fec", path.read_bytes(), filename=path.name)
    assert report.status == "applied", (report.file_error, report.errors[:5])
    assert report.tally("invoices").created > 0
    assert net_balances()
