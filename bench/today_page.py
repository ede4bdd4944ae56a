"""Server time of the "Relances du jour" page, and what its freshness check and
the viewer's team lookups cost.

Usage (after `encaisse demo --invoices 100000`):

    DATABASE_URL=… .venv/bin/python bench/today_page.py

Renders /dunning/ through Django's test client (no network) as the demo
finance user, the manager and a sales rep; prints the median server time, the
number of SQL queries, the queries that read the payment table and the team
lookups (`… WHERE team.lead_id = …`), then times the freshness check alone.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "encaisse.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from encaisse.accounts.models import User  # noqa: E402
from encaisse.dunning.delivery.freshness import ledger_is_stale  # noqa: E402
from encaisse.ledger.models import Invoice, Payment  # noqa: E402

USERS = ("finance", "manager", "commercial1")
RUNS = 7


def _median_ms(action: object, runs: int = RUNS) -> float:
    assert callable(action)
    action()  # warm-up
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    print(
        f"{connection.vendor}: {Invoice.objects.count()} invoices, "
        f"{Payment.objects.count()} payments"
    )
    client = Client()
    for username in USERS:
        client.force_login(User.objects.get(username=username))

        def page() -> None:
            assert client.get("/dunning/").status_code == 200

        with CaptureQueriesContext(connection) as captured:
            page()
        sqls = [query["sql"] for query in captured.captured_queries]
        on_payments = sum('FROM "ledger_payment"' in sql for sql in sqls)
        team_lookups = sum('"accounts_team"."lead_id"' in sql for sql in sqls)
        print(
            f"{username:12} /dunning/ {_median_ms(page):7.1f} ms  {len(sqls)} queries, "
            f"{on_payments} on ledger_payment, {team_lookups} team lookups"
        )
    print(f"freshness check alone: {_median_ms(ledger_is_stale, 21):.2f} ms")


if __name__ == "__main__":
    main()
