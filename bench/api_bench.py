"""The REST API against the database's and the CSV import's own work (issue 8).

Not a test: prints figures.

    .venv/bin/python bench/api_bench.py bulk  [--invoices 100000] [--db sqlite,postgres]
    .venv/bin/python bench/api_bench.py lists [--invoices 1000000] [--db sqlite,postgres]

bulk: the demo ledger's invoices pushed through `POST /api/v1/invoices/bulk`,
`--per-call` records a call (each with its Idempotency-Key, as
examples/sync_csv.py does), over HTTP to the real server (`encaisse serve`:
gunicorn, 2 workers, DEBUG off) against the CSV import of the same file in the
same run (bench/import_records_bench.py's child), each in a fresh database
holding the customers. Then the same calls again (all unchanged). Prints the
wall times, the ratio and the peak RSS (VmHWM) of each server process.
Targets: ratio ≤ 2, server peak RSS ≤ 300 MB.

lists: on the `--invoices` ledger (imported once from the CSV files and kept
under var/bench/ or in PostgreSQL database encaisse_bench_api_<N>), the list
operations' server time (Django's test client in process, no network, median
of --runs after a warm-up) for the finance user and a sales rep, on the first
page and on a page deep in the cursor (after the middle row of the caller's
list). Target: ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, csv_dir, database_url

sys.path.insert(0, str(ROOT))
PORT = 8765
SERVER_ENV = {"LOG_LEVEL": "WARNING", "ENCAISSE_API_RATE_LIMIT": "1000000", "DEBUG": "0"}


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.update(SERVER_ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "encaisse.settings")
    import django

    django.setup()


def _token(username: str) -> str:
    from encaisse.accounts.models import User
    from encaisse.accounts.tokens import api_token_create

    user = User.objects.get(username=username)
    return api_token_create(actor=user, user=user, name="bench", scope="write").plain


# ------------------------------------------------------------------ bulk


def prepare_bulk(url: str, folder: Path) -> None:
    """Child: schema, demo users and the customers; prints a finance token."""
    _django(url)
    from django.core.management import call_command

    from encaisse.demo.users import ensure_demo_users
    from encaisse.ledger.imports import import_file

    call_command("migrate", verbosity=0)
    ensure_demo_users()
    with (folder / "customers.csv").open("rb") as handle:
        import_file(kind="customers", file=handle, filename="customers.csv", actor=None)
    print("TOKEN " + _token("finance"), flush=True)


def _records(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: v for k, v in row.items() if v} for row in csv.DictReader(handle)]


def _push(token: str, records: list[dict[str, str]], per_call: int, tag: str) -> dict[str, Any]:
    """Every chunk through one keep-alive connection; outcome counts, times."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=300)
    counts: dict[str, int] = {}
    calls: list[float] = []
    started = time.perf_counter()
    for start in range(0, len(records), per_call):
        body = json.dumps({"records": records[start : start + per_call]})
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": f"bench-{tag}-{start}",
        }
        call_started = time.perf_counter()
        connection.request("POST", "/api/v1/invoices/bulk", body=body, headers=headers)
        response = connection.getresponse()
        answer = json.loads(response.read())
        calls.append(time.perf_counter() - call_started)
        if response.status != 200:
            raise SystemExit(f"call at row {start}: {response.status} {str(answer)[:500]}")
        for outcome in ("created", "updated", "unchanged"):
            counts[outcome] = counts.get(outcome, 0) + answer[outcome]
    connection.close()
    return {
        "seconds": time.perf_counter() - started,
        "counts": counts,
        "median_call_ms": statistics.median(calls) * 1000,
        "slowest_call_ms": max(calls) * 1000,
    }


def _wait_for_port() -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", PORT), 1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def _peaks_mb(root_pid: int) -> dict[str, float]:
    """Peak resident memory (VmHWM) of every process of the server."""
    import psutil

    peaks: dict[str, float] = {}
    for process in [psutil.Process(root_pid), *psutil.Process(root_pid).children(recursive=True)]:
        status = Path(f"/proc/{process.pid}/status").read_text()
        kilobytes = next(int(line.split()[1]) for line in status.splitlines() if "VmHWM" in line)
        name = " ".join(process.cmdline()[2:4]) or process.name()
        peaks[f"{process.pid} {name}"] = kilobytes / 1024
    return peaks


def bulk_over_http(db: str, folder: Path, per_call: int) -> dict[str, Any]:
    url = database_url(db, folder, "api_bench_bulk")
    env = {**os.environ, "DATABASE_URL": url, **SERVER_ENV}
    output = subprocess.run(
        [sys.executable, __file__, "prepare-bulk", "--folder", str(folder)],
        env=env, check=True, stdout=subprocess.PIPE, text=True,
    ).stdout  # fmt: skip
    token = next(line for line in output.splitlines() if line.startswith("TOKEN ")).split()[1]
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "encaisse"), "serve", "--no-worker", "--no-scheduler",
         "--port", str(PORT), "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for_port()
        records = _records(folder / "invoices.csv")
        result = {"rows": len(records), "first": _push(token, records, per_call, "first")}
        result["again"] = _push(token, records, per_call, "again")
        result["peaks_mb"] = _peaks_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return result


def csv_import(db: str, folder: Path, per_call: int) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": database_url(db, folder, "api_bench_csv")}
    env["LOG_LEVEL"] = "WARNING"
    output = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "import_records_bench.py"), "--child",
         f"{db}:csv", "--folder", str(folder), "--per-call", str(per_call)],
        env=env, check=True, stdout=subprocess.PIPE, text=True,
    ).stdout  # fmt: skip
    line = next(row for row in output.splitlines() if row.startswith("RESULT "))
    return dict(json.loads(line.removeprefix("RESULT ")))


def bulk(args: argparse.Namespace) -> None:
    folder = csv_dir(args.invoices, args.seed)
    for db in args.db.split(","):
        by_csv = csv_import(db, folder, args.per_call)
        by_api = bulk_over_http(db, folder, args.per_call)
        first, again = by_api["first"], by_api["again"]
        rows = by_api["rows"]
        print(f"\n== {db}: {rows} invoices; HTTP bulk calls of {args.per_call}")
        print(f"CSV import        first {by_csv['first']:7.2f} s   again {by_csv['again']:7.2f} s")
        print(
            f"API over HTTP     first {first['seconds']:7.2f} s   again {again['seconds']:7.2f} s"
            f"   ({rows / first['seconds']:.0f} rows/s first)"
        )
        print(f"outcomes first {first['counts']}, again {again['counts']}")
        print(
            f"calls: median {first['median_call_ms']:.0f} ms, slowest "
            f"{first['slowest_call_ms']:.0f} ms (first); median {again['median_call_ms']:.0f} ms"
            f", slowest {again['slowest_call_ms']:.0f} ms (again)"
        )
        print(
            f"ratio API / CSV: {first['seconds'] / by_csv['first']:.2f} first, "
            f"{again['seconds'] / by_csv['again']:.2f} again"
        )
        for name, peak in by_api["peaks_mb"].items():
            print(f"server peak RSS {peak:6.0f} MB  {name}")
        print(f"CSV importing process peak RSS {by_csv['peak_rss_mb']:.0f} MB", flush=True)


# ------------------------------------------------------------------ lists


def prepare_ledger(url: str, folder: Path) -> None:
    """Child: the whole demo ledger imported from its CSV files."""
    _django(url)
    from django.core.management import call_command

    from encaisse.demo.users import ensure_demo_users
    from encaisse.ledger.imports import import_file

    call_command("migrate", verbosity=0)
    ensure_demo_users()
    for name in ("customers", "invoices", "payments", "credit_notes"):
        started = time.perf_counter()
        with (folder / f"{name}.csv").open("rb") as handle:
            report = import_file(kind=name, file=handle, filename=f"{name}.csv", actor=None)
        if report.file_error or report.has_errors:
            raise SystemExit(f"{name}: {report.file_error or report.errors[:5]}")
        print(f"  {name} imported in {time.perf_counter() - started:.0f} s", flush=True)


def _deep_cursor(queryset: Any, by_change: bool = False) -> str:
    """The cursor of the middle row of the caller's list (as if the caller had
    paged half-way through it)."""
    from encaisse.api.pagination import _encode

    ordering = ["updated_at", "id"] if by_change else ["id"]
    middle = queryset.order_by(*ordering)[queryset.count() // 2]
    return _encode(ordering, middle)


def _urls(username: str) -> list[tuple[str, str]]:
    from encaisse.accounts.models import User
    from encaisse.ledger import selectors

    user = User.objects.get(username=username)
    invoices = selectors.invoices_visible_to(user)
    customers = selectors.customers_visible_to(user)
    payments = selectors.payments_visible_to(user)
    middle = invoices.order_by("updated_at", "id")[invoices.count() // 2]
    since = middle.updated_at.isoformat().replace("+00:00", "Z")
    customer = customers.order_by("-open_balance").first()
    month = "due_from=2026-10-01&due_to=2026-10-31"
    deep = _deep_cursor(invoices)
    assert customer is not None
    return [
        ("customers", "/api/v1/customers"),
        ("customers deep", f"/api/v1/customers?cursor={_deep_cursor(customers)}"),
        ("customers by name", "/api/v1/customers?q=boulangerie"),
        ("invoices", "/api/v1/invoices"),
        ("invoices deep", f"/api/v1/invoices?cursor={deep}"),
        ("invoices limit 500", "/api/v1/invoices?limit=500"),
        ("invoices overdue", "/api/v1/invoices?overdue=true"),
        ("invoices overdue deep", f"/api/v1/invoices?overdue=true&cursor={deep}"),
        ("invoices open", "/api/v1/invoices?open=true"),
        ("invoices due in a month", f"/api/v1/invoices?{month}"),
        ("invoices due in a month deep", f"/api/v1/invoices?{month}&cursor={deep}"),
        ("invoices of a customer", f"/api/v1/invoices?customer_id={customer.pk}"),
        ("invoices updated since", f"/api/v1/invoices?updated_since={since}"),
        (
            "invoices updated since deep",
            f"/api/v1/invoices?updated_since={since}&cursor={_deep_cursor(invoices, True)}",
        ),
        ("payments", "/api/v1/payments"),
        ("payments deep", f"/api/v1/payments?cursor={_deep_cursor(payments)}"),
        ("credit notes", "/api/v1/credit-notes"),
        ("allocations", "/api/v1/allocations"),
        ("holds", "/api/v1/holds"),
        ("tasks (all I may see)", "/api/v1/tasks?mine=false"),
    ]


def measure_lists(url: str, runs: int) -> None:
    """Child: prints one line per (user, list)."""
    _django(url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    worst = 0.0
    for username in ("finance", "commercial1"):
        client = Client(headers={"Authorization": f"Bearer {_token(username)}"})
        print(f"\n-- {username}")
        for label, path in _urls(username):
            client.get(path)  # warm-up
            timings = []
            for _ in range(runs):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(path)
                    timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (path, response.status_code, response.content)
            rows = len(response.json()["results"])
            median = statistics.median(timings)
            worst = max(worst, median)
            flag = "  SLOW" if median > 100 else ""
            print(f"{median:8.1f} ms {len(queries):3d} q {rows:4d} rows  {label}{flag}", flush=True)
    print(f"\nworst median: {worst:.1f} ms", flush=True)


def lists(args: argparse.Namespace) -> None:
    folder = csv_dir(args.invoices, args.seed)
    for db in args.db.split(","):
        name = f"encaisse_bench_api_{args.invoices}"
        marker = folder / f"{name}-{db}.loaded"
        url = database_url(db, folder, name, fresh=not marker.exists())
        env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
        print(f"\n== {db}: list operations on the {args.invoices}-invoice ledger", flush=True)
        if not marker.exists():
            command = [sys.executable, __file__, "prepare-ledger", "--folder", str(folder)]
            subprocess.run(command, env=env, check=True)
            marker.touch()
        command = [sys.executable, __file__, "measure-lists", "--runs", str(args.runs)]
        subprocess.run(command, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "what", choices=["bulk", "lists", "prepare-bulk", "prepare-ledger", "measure-lists"]
    )
    parser.add_argument("--invoices", type=int, default=None)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--per-call", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.what == "bulk":
        args.invoices = args.invoices or 100_000
        bulk(args)
    elif args.what == "lists":
        args.invoices = args.invoices or 1_000_000
        lists(args)
    elif args.what == "prepare-bulk":
        prepare_bulk(os.environ["DATABASE_URL"], args.folder)
    elif args.what == "prepare-ledger":
        prepare_ledger(os.environ["DATABASE_URL"], args.folder)
    else:
        measure_lists(os.environ["DATABASE_URL"], args.runs)


if __name__ == "__main__":
    main()
