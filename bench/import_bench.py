"""Import benchmark (issue: foundation). Not a test: prints figures.

    .venv/bin/python bench/import_bench.py --invoices 1000000 [--db sqlite,postgres]

1. Generates the demo ledger as CSV (cached under var/bench/<N>-<seed>/).
2. For each database, in a fresh child process and a fresh database:
   a. the database's own raw bulk load of the same rows into bare tables with
      the same columns (SQLite: executemany from the csv reader; PostgreSQL: COPY);
   b. the Encaisse import of the four files (customers, invoices, payments,
      credit notes), with wall time, rows/s and the child's peak RSS;
   c. server time of the customers and invoices lists for a finance user and a
      sales rep (Django test client, median of 5 after a warm-up).
3. Prints a table and the import / raw ratio.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FILES = ("customers", "invoices", "payments", "credit_notes")
TODAY = dt.date(2026, 11, 24)
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def _csv_dir(invoices: int, seed: int) -> Path:
    folder = ROOT / "var" / "bench" / f"{invoices}-{seed}"
    if not (folder / "done").exists():
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "encaisse.settings")
        import django

        django.setup()
        from encaisse.demo.csv_files import write_csv

        started = time.perf_counter()
        counts = write_csv(folder, invoices=invoices, seed=seed, today=TODAY, progress=True)
        print(f"generated {counts} in {time.perf_counter() - started:.1f} s", flush=True)
        (folder / "done").write_text(json.dumps(counts))
    return folder


def _database_url(db: str, workdir: Path) -> str:
    if db == "sqlite":
        path = workdir / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS encaisse_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE encaisse_bench")
    return "postgres://postgres@127.0.0.1:5432/encaisse_bench"


# ---------------------------------------------------------------- child side


def _raw_load(folder: Path) -> dict[str, float]:
    """The database's own bulk load of the same rows into bare tables."""
    from django.db import connection

    timings: dict[str, float] = {}
    vendor = connection.vendor
    for name in FILES:
        path = folder / f"{name}.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        # Typed like the ledger columns would be is not possible for CSV text on
        # SQLite (no types) and would make COPY parse; text columns = the raw load.
        columns = ", ".join(f'"{column}" text' for column in header)
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TABLE IF EXISTS "raw_{name}"')
            cursor.execute(f'CREATE TABLE "raw_{name}" ({columns})')
        started = time.perf_counter()
        with connection.cursor() as cursor, path.open(encoding="utf-8", newline="") as handle:
            if vendor == "sqlite":
                reader = csv.reader(handle)
                next(reader)
                marks = ", ".join("?" * len(header))
                # One transaction, as a bulk load would do (autocommit = one commit per row).
                cursor.execute("BEGIN")
                cursor.connection.executemany(f'INSERT INTO "raw_{name}" VALUES ({marks})', reader)
                cursor.execute("COMMIT")
            else:
                copy_sql = f'COPY "raw_{name}" FROM STDIN WITH (FORMAT csv, HEADER true)'
                with cursor.cursor.copy(copy_sql) as copy:
                    while block := handle.read(1 << 20):
                        copy.write(block)
        timings[name] = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TABLE "raw_{name}"')
    return timings


def _import(folder: Path) -> tuple[dict[str, float], dict[str, int]]:
    from encaisse.ledger.imports import import_file

    timings: dict[str, float] = {}
    rows: dict[str, int] = {}
    for name in FILES:
        path = folder / f"{name}.csv"
        started = time.perf_counter()
        with path.open("rb") as handle:
            report = import_file(kind=name, file=handle, filename=path.name, actor=None)
        timings[name] = time.perf_counter() - started
        if report.file_error or report.has_errors:
            raise SystemExit(f"{name}: import rejected: {report.file_error or report.errors[:5]}")
        rows[name] = sum(1 for _ in path.open(encoding="utf-8")) - 1
    return timings, rows


def _list_times() -> dict[str, float]:
    from django.test import Client

    from encaisse.accounts.models import User

    client = Client()
    results: dict[str, float] = {}
    for username in ("finance", "commercial1"):
        client.force_login(User.objects.get(username=username))
        for page in (
            "/customers/",
            "/invoices/",
            "/customers/?sort=-balance",
            "/invoices/?bucket=90%2B",
            "/invoices/?sort=-balance",
        ):
            durations = []
            for _ in range(6):
                started = time.perf_counter()
                response = client.get(page)
                durations.append(time.perf_counter() - started)
                assert response.status_code == 200, (page, response.status_code)
            results[f"{username} {page}"] = statistics.median(durations[1:]) * 1000
    return results


def child(db: str, folder: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "encaisse.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from encaisse.demo.users import ensure_demo_users

    call_command("migrate", verbosity=0)
    ensure_demo_users()
    raw = _raw_load(folder)
    imported, rows = _import(folder)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lists = _list_times()
    print(
        "RESULT "
        + json.dumps(
            {
                "db": db,
                "raw": raw,
                "import": imported,
                "rows": rows,
                "peak_rss_mb": peak_mb,
                "lists_ms": lists,
            }
        ),
        flush=True,
    )


# ---------------------------------------------------------------- parent side


def _report(result: dict[str, Any]) -> None:
    raw_total = sum(result["raw"].values())
    import_total = sum(result["import"].values())
    rows_total = sum(result["rows"].values())
    print(f"\n== {result['db']}")
    print(f"{'file':<14}{'rows':>10}{'raw load s':>12}{'import s':>10}{'rows/s':>10}{'ratio':>7}")
    for name in FILES:
        raw, imp, rows = result["raw"][name], result["import"][name], result["rows"][name]
        print(f"{name:<14}{rows:>10}{raw:>12.2f}{imp:>10.2f}{rows / imp:>10.0f}{imp / raw:>7.1f}")
    print(
        f"{'total':<14}{rows_total:>10}{raw_total:>12.2f}{import_total:>10.2f}"
        f"{rows_total / import_total:>10.0f}{import_total / raw_total:>7.1f}"
    )
    print(f"peak RSS of the importing process: {result['peak_rss_mb']:.0f} MB")
    for page, ms in result["lists_ms"].items():
        print(f"list {page:<48} {ms:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, Path(args.folder))
        return
    folder = _csv_dir(args.invoices, args.seed)
    for db in args.db.split(","):
        env = {**os.environ, "DATABASE_URL": _database_url(db, folder), "LOG_LEVEL": "WARNING"}
        started = time.perf_counter()
        output = subprocess.run(
            [sys.executable, __file__, "--child", db, "--folder", str(folder)],
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        line = next(row for row in output.splitlines() if row.startswith("RESULT "))
        _report(json.loads(line.removeprefix("RESULT ")))
        print(f"(child process: {time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
