"""Dunning benchmark (issue 3, performance). Not a test: prints figures.

    .venv/bin/python bench/dunning_bench.py --sizes 10000,100000,1000000 --db both

For each database and size (smallest first, so that 1 M comes last):

0. A demo ledger of N invoices (`encaisse.demo.loader.load_into_database`,
   seed 7, today 2026-11-24) is built once and cached: SQLite as a file under
   var/bench/, PostgreSQL as a database `encaisse_bench_dunning_<N>` used as a
   template. Each measurement starts from a fresh copy (file copy /
   CREATE DATABASE … TEMPLATE), in a fresh child process, with no dunning state.
1. Raw SQL: the due invoices (open, balance > 0, due date + first step offset
   ≤ run date) joined with their customers, fetchall on the driver's cursor.
2. First run: `dunning_run(run_on=today)` on the ledger with no dunning state:
   every open invoice is enrolled and decided. µs per open invoice, ratio to (1),
   due lines per second (Tryton's figure is per overdue line), phases.
3. Steady state: the runs of the next 7 days, with what each examined (the
   states due and the invoices enrolled).
4. Preview: `dunning_preview(on=today + 7)` after (3).
Peak RSS of the child process.

`--profile` runs the first run under cProfile and prints the top functions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TODAY = dt.date(2026, 11, 24)
SEED = 7
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
WORK_DB = "encaisse_bench_dunning"
BENCH_DIR = ROOT / "var" / "bench"
DAYS = 7  # daily runs after the first one


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "encaisse.settings")
    import django

    django.setup()


def _base_name(size: int) -> str:
    return f"{WORK_DB}_{size}"


def _sqlite_path(name: str) -> Path:
    return BENCH_DIR / f"{name}.sqlite3"


def _url(db: str, name: str) -> str:
    return f"sqlite:///{_sqlite_path(name)}" if db == "sqlite" else f"{PG_SERVER}/{name}"


def _pg(sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else []


def _base_exists(db: str, size: int) -> bool:
    name = _base_name(size)
    if db == "sqlite":
        return (BENCH_DIR / f"{name}.done").exists()
    return bool(_pg(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"))


def _drop(db: str, name: str) -> None:
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{_sqlite_path(name)}{suffix}").unlink(missing_ok=True)
    else:
        _pg(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _fresh_copy(db: str, size: int) -> str:
    """The working database: a copy of the cached ledger, without any dunning state."""
    _drop(db, WORK_DB)
    if db == "sqlite":
        shutil.copyfile(_sqlite_path(_base_name(size)), _sqlite_path(WORK_DB))
    else:
        _pg(f"CREATE DATABASE {WORK_DB} TEMPLATE {_base_name(size)}")
    return _url(db, WORK_DB)


def _child(args: list[str], url: str) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING", "DEBUG": "0"}
    output = subprocess.run(
        [sys.executable, __file__, *args], env=env, check=True, stdout=subprocess.PIPE, text=True
    ).stdout
    for line in output.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line.removeprefix("RESULT ")))
        print(line, flush=True)
    raise SystemExit("the child printed no result")


# ---------------------------------------------------------------- child side


def child_build(size: int) -> dict[str, Any]:
    _setup()
    from django.core.management import call_command

    from encaisse.demo.loader import load_into_database
    from encaisse.ledger.services.balances import statistics_refresh

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    result = load_into_database(invoices=size, seed=SEED, today=TODAY)
    # As an import leaves the ledger: the loader analyses before it computes
    # the balances, so its statistics count every invoice as open.
    statistics_refresh()
    seconds = time.perf_counter() - started
    _settle()
    return {"seconds": seconds, "counts": result.counts}


def _settle() -> None:
    """PostgreSQL: VACUUM the fresh ledger, as autovacuum leaves a ledger at rest.

    Rows just loaded carry no hint bits: the first transactions to read them
    (the run's foreign-key checks on invoices and customers) look each one up
    in the commit log and dirty its page. A production ledger was loaded long
    before its dunning runs; measured on a fresh one, the first run at 1 M
    took twice as long, most of it in the commit's foreign-key checks.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def _raw_due_query(on: dt.date) -> tuple[int, float]:
    """The database alone: the due invoices with their customers, fetched."""
    from django.db import connection

    from encaisse.dunning.models import DunningStep

    first_offset = min(DunningStep.objects.values_list("offset_days", flat=True))
    last_due = on - dt.timedelta(days=first_offset)
    sql = """
        SELECT i.id, i.customer_id, i.due_date, i.balance, i.status,
               c.risk_class, c.status, c.language
        FROM ledger_invoice i JOIN ledger_customer c ON c.id = i.customer_id
        WHERE i.status IN ('open', 'partially_paid') AND i.balance > 0 AND i.due_date <= %s
    """
    connection.ensure_connection()
    raw = connection.connection.cursor()
    if connection.vendor == "sqlite":
        sql, param = sql.replace("%s", "?"), last_due.isoformat()
    else:
        param = last_due  # type: ignore[assignment]
    started = time.perf_counter()
    raw.execute(sql, [param])
    rows = raw.fetchall()
    elapsed = time.perf_counter() - started
    raw.close()
    return len(rows), elapsed


def _count(sql: str, params: list[Any] | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return int(cursor.fetchone()[0])


def _timed_run(on: dt.date) -> dict[str, Any]:
    from encaisse.dunning.services.run import dunning_run

    started = time.perf_counter()
    report = dunning_run(run_on=on)
    return {
        "on": on.isoformat(),
        "s": time.perf_counter() - started,
        "phases": report.seconds,
        "report": report.as_dict(),
    }


def _due_plan(on: dt.date) -> list[str]:
    """The database's plan for the run's query of due states (is the partial index used?)."""
    from django.db import connection

    from encaisse.dunning.services.facts import _COLUMNS, _DUE_SQL

    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + _DUE_SQL.format(**_COLUMNS), [on])
        return [str(row[-1] if connection.vendor == "sqlite" else row[0]) for row in cursor]


def _first_run_confirmed() -> None:
    """A ledger cached before the go-live policy existed: confirm it as the demo does."""
    from encaisse.dunning.models import BacklogMode, DunningSettings
    from encaisse.dunning.services.go_live import go_live_set

    if DunningSettings.current().first_run_confirmed_at is None:
        go_live_set(actor=None, go_live_on=None, mode=BacklogMode.FULL, ceiling_offset=None)


def _ledger_written_before(moment: dt.datetime) -> None:
    """Date every ledger row's `updated_at` at `moment`, as if the books had been
    imported then. The cached ledger was written on the wall clock (the day the
    cache was built) and the runs happen on the simulated clock: without this,
    every row looks written after each run, and each run would wake every
    covered invoice (services.parking). Two days before the first run: beyond
    the wake's margin, so the daily runs show the steady state (a ledger written
    the day before would wake the covered invoices once more on day +1)."""
    from django.db import connection

    value = connection.ops.adapt_datetimefield_value(moment)
    with connection.cursor() as cursor:
        for table in ("ledger_customer", "ledger_invoice", "ledger_payment", "ledger_creditnote"):
            cursor.execute(f"UPDATE {table} SET updated_at = %s", [value])


def child_measure(profile: bool) -> dict[str, Any]:
    _setup()
    from django.core.management import call_command
    from django.utils import timezone

    from encaisse.dunning.services.preview import dunning_preview
    from encaisse.lib import clock

    call_command("migrate", verbosity=0)  # the cached ledger may predate a migration
    _first_run_confirmed()
    written = dt.datetime.combine(TODAY - dt.timedelta(days=2), dt.time(0, 0))
    _ledger_written_before(timezone.make_aware(written))
    result: dict[str, Any] = {}
    open_sql = (
        "SELECT COUNT(*) FROM ledger_invoice"
        " WHERE status IN ('open', 'partially_paid') AND balance > 0"
    )
    result["invoices"] = _count("SELECT COUNT(*) FROM ledger_invoice")
    result["customers"] = _count("SELECT COUNT(*) FROM ledger_customer")
    result["open"] = _count(open_sql)
    _raw_due_query(TODAY)  # warm the cache the way the run will find it
    result["raw_rows"], result["raw_s"] = _raw_due_query(TODAY)

    def at(day: int) -> Any:
        moment = dt.datetime.combine(TODAY + dt.timedelta(days=day), dt.time(6, 0))
        return clock.simulated(timezone.make_aware(moment))

    with at(0):
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
        result["first"] = _timed_run(TODAY)
        if profile:
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(40)
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(30)
    result["days"] = []
    for day in range(1, DAYS + 1):
        on = TODAY + dt.timedelta(days=day)
        due = _count("SELECT COUNT(*) FROM dunning_invoicedunning WHERE next_action_on <= %s", [on])
        if day == 1:
            result["due_plan"] = _due_plan(on)
        with at(day):
            result["days"].append({"due": due, **_timed_run(on)})
            if day == 1:  # the preview a week ahead, as finance would ask for it that morning
                started = time.perf_counter()
                preview = dunning_preview(on=TODAY + dt.timedelta(days=7))
                result["preview_s"] = time.perf_counter() - started
                result["preview_messages"] = sum(d.messages for d in preview.days)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


# ---------------------------------------------------------------- parent side


def _phases(phases: dict[str, float]) -> str:
    return ", ".join(f"{name} {seconds:.2f}" for name, seconds in phases.items())


def _report(db: str, size: int, r: dict[str, Any]) -> None:
    first = r["first"]
    print(
        f"\n== {db}, {size:,} invoices: {r['customers']:,} customers, {r['open']:,} open,"
        f" {r['raw_rows']:,} due (due date + first offset <= run date)"
    )
    print(f"raw due query      {r['raw_s']:7.3f} s")
    print(
        f"first run          {first['s']:7.3f} s  {first['s'] / r['open'] * 1e6:5.1f} µs/open"
        f" invoice, {first['s'] / r['raw_s']:5.1f}× raw, {r['raw_rows'] / first['s']:,.0f}"
        f" due lines/s, {r['open'] / first['s']:,.0f} open invoices/s"
    )
    report = first["report"]
    print(
        f"  {_phases(first['phases'])}; performed {report['performed']:,},"
        f" messages {report['messages']:,}, tasks {report['tasks']:,}"
    )
    for number, day in enumerate(r["days"], start=1):
        report = day["report"]
        print(
            f"day +{number} {day['on']}  {day['s']:7.3f} s  {report['examined']:,} examined"
            f" ({report['examined'] / r['invoices']:.2%} of invoices: {day['due']:,} states due"
            f" + {report['enrolled']:,} enrolled; {report['blocked']:,} blocked,"
            f" {report['performed']:,} performed, {report['messages']:,} messages,"
            f" {report['covered']:,} covered, {report.get('covered_woken', 0):,} covered woken)"
            f"  {_phases(day['phases'])}"
        )
    print(f"preview (+7)       {r['preview_s']:7.3f} s  {r['preview_messages']:,} messages")
    print(f"peak RSS           {r['peak_rss_mb']:7.0f} MB")
    print("due query plan:    " + " / ".join(r["due_plan"][:4]), flush=True)


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _summary(rows: list[tuple[str, int, list[dict[str, Any]]]]) -> None:
    print(
        "\n(median of the repetitions; first run: fastest in brackets)\n"
        "| db | invoices | open | due | raw s | first run s | µs/open | × raw | due lines/s"
        " | day +1 examined | day +1 s | days +2..+7 examined | days +2..+7 s"
        " | preview s | RSS MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for db, size, results in rows:
        r = results[0]
        raw = _median([x["raw_s"] for x in results])
        firsts = [x["first"]["s"] for x in results]
        first = _median(firsts)
        day1 = _median([x["days"][0]["s"] for x in results])
        later = _median([_median([d["s"] for d in x["days"][1:]]) for x in results])
        later_due = _median([d["report"]["examined"] for d in r["days"][1:]])
        preview = _median([x["preview_s"] for x in results])
        print(
            f"| {db} | {size:,} | {r['open']:,} | {r['raw_rows']:,} | {raw:.2f}"
            f" | {first:.2f} ({min(firsts):.2f}) | {first / r['open'] * 1e6:.1f}"
            f" | {first / raw:.1f} | {r['raw_rows'] / first:,.0f}"
            f" | {r['days'][0]['report']['examined']:,} | {day1:.2f}"
            f" | {later_due:,.0f} | {later:.2f}"
            f" | {preview:.2f} | {max(x['peak_rss_mb'] for x in results):.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached ledgers")
    parser.add_argument("--repeat", type=int, default=1, help="measurements per size")
    parser.add_argument("--profile", action="store_true", help="cProfile the first run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "build":
        print("RESULT " + json.dumps(child_build(args.size)), flush=True)
        return
    if args.child == "measure":
        print("RESULT " + json.dumps(child_measure(args.profile)), flush=True)
        return
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    dbs = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    sizes = sorted(int(size) for size in args.sizes.split(","))
    rows = []
    for size in sizes:
        for db in dbs:
            if args.rebuild or not _base_exists(db, size):
                name = _base_name(size)
                _drop(db, name)
                if db == "postgres":
                    _pg(f"CREATE DATABASE {name}")
                built = _child(["--child", "build", "--size", str(size)], _url(db, name))
                if db == "sqlite":
                    (BENCH_DIR / f"{name}.done").write_text(json.dumps(built))
                print(f"built {db} {size}: {built['counts']} in {built['seconds']:.0f} s")
            results = []
            for _ in range(args.repeat):
                url = _fresh_copy(db, size)
                child_args = ["--child", "measure"] + (["--profile"] if args.profile else [])
                results.append(_child(child_args, url))
                _report(db, size, results[-1])
                _drop(db, WORK_DB)
            rows.append((db, size, results))
    _summary(rows)


if __name__ == "__main__":
    main()
