"""Server time of the ledger list pages on the configured database.

Usage (after `encaisse demo --invoices 1000000`):

    DATABASE_URL=postgres://… .venv/bin/python bench/web_lists.py

Renders each page through Django's test client (no network), as the demo
finance user, a manager and a sales rep, and prints the median time and the
number of SQL queries. The target is < 300 ms per page.
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
from encaisse.ledger.selectors import customers_visible_to  # noqa: E402

USERS = ("finance", "manager", "commercial1")
RUNS = 5


def urls(user: User) -> list[str]:
    # A customer the user may see (a manager owns none: one of his team's).
    customer = customers_visible_to(user).order_by("-open_balance").first()
    assert customer is not None
    some = customer.pk
    return [
        "/customers/",
        "/customers/?sort=-balance",
        "/customers/?sort=-balance&page=20",
        "/customers/?q=boulangerie",
        "/customers/?q=electricite",
        "/customers/?q=5",
        "/customers/?sort=-name&page=20",
        "/customers/?overdue=on&sort=-balance",
        "/customers/?status=on_hold",
        "/invoices/",
        "/invoices/?page=20",
        "/invoices/?sort=-balance",
        "/invoices/?sort=-amount&status=all",
        "/invoices/?bucket=90%2B",
        "/invoices/?bucket=1-30&sort=-balance",
        "/invoices/?status=all&sort=-due",
        "/invoices/?q=FA2026-00001",
        "/invoices/?q=electricite joly",
        "/invoices/?sort=customer",
        "/invoices/?sort=-customer&status=all",
        f"/invoices/?customer={some}&status=all",
        "/payments/",
        "/payments/?on_account=on",
        "/payments/?page=20",
        "/payments/?q=negoce",
        "/payments/?sort=customer",
        f"/customers/{some}/",
    ]


def main() -> None:
    client = Client()
    worst = 0.0
    for username in USERS:
        user = User.objects.get(username=username)
        client.force_login(user)
        print(f"\n== {username} ({user.role})")
        for url in urls(user):
            timings = []
            queries = 0
            for _ in range(RUNS):
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - start) * 1000)
                queries = len(captured)
                assert response.status_code == 200, (url, response.status_code)
            median = statistics.median(timings)
            worst = max(worst, median)
            flag = "  SLOW" if median > 300 else ""
            print(f"{median:8.1f} ms  {queries:3d} queries  {url}{flag}")
    print(f"\nworst median: {worst:.1f} ms")


if __name__ == "__main__":
    main()
