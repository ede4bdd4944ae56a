"""`import_records` (the API's bulk upsert) against the CSV import of the same rows.

Not a test: prints figures. Issue 8 asks that 100 000 invoices pushed 1 000 per
call take at most twice the CSV import of the same rows.

    .venv/bin/python bench/import_records_bench.py --invoices 100000 [--db sqlite,postgres]

1. Generates the demo ledger as CSV (cached under var/bench/<N>-<seed>/).
2. For each database and each path, in a fresh child process and database:
   the customers file is imported (not timed), then the invoices go in either
   by the CSV import of invoices.csv, or by `import_records` in calls of
   `--per-call` records (the file's rows as dicts, built before timing: an API
   server receives them parsed from JSON). Then the same rows again (all
   unchanged: the idempotent re-push / re-import).
3. Prints wall times, rows/s, peak RSS and the API / CSV ratio.

The service is measured, not HTTP: bench/api_bench.py (the API's own) adds the
server's share.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, csv_dir, database_url

sys.path.insert(0, str(ROOT))
BENCH_DB = "encaisse_bench_records"


# ---------------------------------------------------------------- child side


def _csv_import(path: Path) -> float:
    from encaisse.ledger.imports import import_file

    started = time.perf_counter()
    with path.open("rb") as handle:
        report = import_file(kind="invoices", file=handle, filename=path.name, actor=None)
    elapsed = time.perf_counter() - started
    if report.has_errors:
        raise SystemExit(f"CSV import rejected: {report.file_error or report.errors[:5]}")
    return elapsed


def _api_push(path: Path, per_call: int) -> tuple[float, dict[str, int], float]:
    """Seconds for all calls, outcome counts, and the slowest call in ms."""
    from encaisse.ledger.imports import import_records
    from encaisse.ledger.models import Company

    with path.open(encoding="utf-8", newline="") as handle:
        records = [{k: v for k, v in row.items() if v} for row in csv.DictReader(handle)]
    company = Company.current()
    counts: dict[str, int] = {}
    slowest = 0.0
    started = time.perf_counter()
    for start in range(0, len(records), per_call):
        call_started = time.perf_counter()
        result = import_records(
            company=company,
            kind="invoices",
            records=records[start : start + per_call],
            actor=None,
            source_label=f"bench {start}",
        )
        slowest = max(slowest, time.perf_counter() - call_started)
        if not result.ok:
            raise SystemExit(f"push rejected: {result.errors[:5]}")
        for record in result.records:
            counts[record.outcome] = counts.get(record.outcome, 0) + 1
    return time.perf_counter() - started, counts, slowest * 1000


def child(db: str, path: str, folder: Path, per_call: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "encaisse.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from encaisse.demo.users import ensure_demo_users
    from encaisse.ledger.imports import import_file

    call_command("migrate", verbosity=0)
    ensure_demo_users()
    with (folder / "customers.csv").open("rb") as handle:
        import_file(kind="customers", file=handle, filename="customers.csv", actor=None)
    invoices = folder / "invoices.csv"
    rows = sum(1 for _ in invoices.open(encoding="utf-8")) - 1
    result: dict[str, Any] = {"db": db, "path": path, "rows": rows}
    if path == "csv":
        result["first"] = _csv_import(invoices)
        result["again"] = _csv_import(invoices)
    else:
        result["first"], result["counts"], result["slowest_ms"] = _api_push(invoices, per_call)
        result["again"], result["again_counts"], result["again_slowest_ms"] = _api_push(
            invoices, per_call
        )
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(result), flush=True)


# ---------------------------------------------------------------- parent side


def _run(db: str, path: str, folder: Path, per_call: int) -> dict[str, Any]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(db, folder, BENCH_DB),
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, __file__, "--child", f"{db}:{path}", "--folder", str(folder)]
    output = subprocess.run(
        [*command, "--per-call", str(per_call)],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    line = next(row for row in output.splitlines() if row.startswith("RESULT "))
    return dict(json.loads(line.removeprefix("RESULT ")))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--per-call", type=int, default=1000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        db, path = args.child.split(":")
        child(db, path, Path(args.folder), args.per_call)
        return
    folder = csv_dir(args.invoices, args.seed)
    for db in args.db.split(","):
        by_csv = _run(db, "csv", folder, args.per_call)
        by_api = _run(db, "api", folder, args.per_call)
        rows = by_csv["rows"]
        print(f"\n== {db}: {rows} invoices; API in calls of {args.per_call}")
        print(f"{'path':<34}{'first s':>9}{'rows/s':>9}{'again s':>9}{'peak MB':>9}")
        for label, result in (("CSV import (one file)", by_csv), ("import_records", by_api)):
            print(
                f"{label:<34}{result['first']:>9.2f}{rows / result['first']:>9.0f}"
                f"{result['again']:>9.2f}{result['peak_rss_mb']:>9.0f}"
            )
        print(f"API outcomes first {by_api['counts']}, again {by_api['again_counts']}")
        print(
            f"slowest call: {by_api['slowest_ms']:.0f} ms first, "
            f"{by_api['again_slowest_ms']:.0f} ms again"
        )
        print(
            f"ratio API / CSV: {by_api['first'] / by_csv['first']:.2f} first, "
            f"{by_api['again'] / by_csv['again']:.2f} again",
            flush=True,
        )


if __name__ == "__main__":
    main()
