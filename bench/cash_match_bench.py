"""Cash-application benchmark (issue 7, performance). Not a test: prints figures.

    .venv/bin/python bench/cash_match_bench.py --payments 1000,10000 --db both [--repeat 3]

Requirement: match suggestions for 10 000 unapplied payments against the
1 000 000-invoice ledger in ≤ 30 s on SQLite and PostgreSQL, growing linearly
with the number of payments.

1. The ledger is bench/dunning_bench.py's demo ledger of 1 000 000 invoices
   (100 000 customers; seed 7, today 2026-11-24), built by its code and cached
   under names of its own (SQLite file under var/bench/, PostgreSQL template
   `encaisse_bench_cash_ledger_1000000`). Each measurement starts from a fresh
   copy, in a fresh child process.
2. The child adds N payments on account (one import batch), drawn with a fixed
   seed from the open invoices, with the texts a bank statement shows:
   - 30 % name one invoice in its remittance text or bank reference, spelt
     as the ledger does ("FA2026-0001234") or not ("FACT FA 2026/1234",
     "fa2026-1234", "N° 2026 0001234"), for its balance or part of it;
   - 25 % pay one invoice's exact balance, naming nothing;
   - 15 % pay two or three open invoices of one customer, naming nothing;
   - 30 % name nothing that matches ("ACOMPTE", a bare amount).
3. Timed: reading those N items (`loader.unapplied_items`), then their ranked
   suggestions (`loader.suggestions_for`: one candidates query per chunk of
   1 000 items, the engine per item). Printed: seconds, µs per payment, the
   10k / 1k ratio, the best confidence of each item, the peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import dunning_bench as ledger  # noqa: E402  (the cached 1 M ledger and its helpers)

SIZE = 1_000_000
WORK_DB = "encaisse_bench_cash"
# The same ledger as the dunning bench, cached under a name of its own: a cached ledger
# carries the migrations of the branch that built it.
ledger.WORK_DB = "encaisse_bench_cash_ledger"
SEED = 2026


def _fresh_copy(db: str, size: int) -> str:
    import shutil

    ledger._drop(db, WORK_DB)
    if db == "sqlite":
        shutil.copyfile(ledger._sqlite_path(ledger._base_name(size)), ledger._sqlite_path(WORK_DB))
    else:
        ledger._pg(f"CREATE DATABASE {WORK_DB} TEMPLATE {ledger._base_name(size)}")
    return ledger._url(db, WORK_DB)


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


def _spellings(number: str, rng: random.Random) -> str:
    """The invoice number as a customer types it in a transfer ("FA2026-0001234")."""
    prefix, _sep, rest = number.partition("-")
    year = prefix[2:]
    sequence = rest.lstrip("0")
    return rng.choice(
        [
            number,
            f"FACT {number}",
            f"FACT FA {year}/{sequence}",
            f"{number.lower()}",
            f"N° {year} {rest}",
            f"fa{year}-{sequence}",
        ]
    )


def _draw(count: int) -> list[tuple[Any, ...]]:
    """`count` payment rows on account, with the texts of a bank statement."""
    from django.db import connection

    from encaisse.ledger.imports.context import money

    rng = random.Random(SEED)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT customer_id, id, number, balance, currency FROM ledger_invoice"
            " WHERE balance > 0 AND status IN ('open', 'partially_paid') ORDER BY id"
        )
        by_customer: dict[int, list[tuple[Any, ...]]] = {}
        for row in cursor.fetchall():
            by_customer.setdefault(row[0], []).append(row)
    customers = sorted(by_customer)
    several = [c for c in customers if len(by_customer[c]) >= 3]
    rows = []
    for n in range(count):
        draw = rng.random()
        if draw < 0.15:
            invoices = rng.sample(by_customer[rng.choice(several)], rng.choice((2, 3)))
            amount = sum(money(i[3]) for i in invoices)
            text, reference = "VIR SEPA REGLEMENT", f"VIR{n:010d}"
        else:
            invoices = [rng.choice(by_customer[rng.choice(customers)])]
            balance = money(invoices[0][3])
            if draw < 0.45:
                amount = balance if rng.random() < 0.8 else (balance / 2).quantize(Decimal("0.01"))
                spelt = _spellings(invoices[0][2], rng)
                text, reference = (
                    ("VIR SEPA " + spelt, f"VIR{n:010d}")
                    if rng.random() < 0.7
                    else ("VIR SEPA", spelt)
                )
            elif draw < 0.70:
                amount, text, reference = balance, "VIR SEPA PAIEMENT", f"VIR{n:010d}"
            else:
                amount = Decimal(rng.randint(1_000, 500_000)).scaleb(-2)
                text, reference = rng.choice(["ACOMPTE", "VIREMENT", f"{amount}"]), f"CB{n:08d}"
        customer_id, currency = invoices[0][0], invoices[0][4]
        rows.append((customer_id, currency, amount, text, reference, f"BENCH-CASH-{n:07d}"))
    return rows


def _insert(rows: list[tuple[Any, ...]]) -> int:
    from django.utils import timezone

    from encaisse.ledger.models import ImportBatch, ImportKind, ImportStatus
    from encaisse.lib import bulk

    batch = ImportBatch.objects.create(
        kind=ImportKind.PAYMENTS, filename="bench.csv", sha256="0" * 64,
        status=ImportStatus.APPLIED, finished_at=timezone.now(),
    )  # fmt: skip
    now = bulk.now_value()
    bulk.insert(
        "ledger_payment",
        ("external_key", "customer_id", "date", "currency", "amount", "allocated", "method",
         "bank_reference", "remittance", "source", "import_batch_id", "created_at"),
        [
            (key, customer, "2026-11-24", currency, amount, Decimal("0.00"), "transfer",
             reference, text, "csv", batch.pk, now)
            for customer, currency, amount, text, reference, key in rows
        ],
    )  # fmt: skip
    ledger._settle()
    return batch.pk


def child_measure(count: int) -> dict[str, Any]:
    ledger._setup()
    from django.core.management import call_command
    from django.db import connection

    from encaisse.ledger.matching.loader import suggestions_for, unapplied_items

    call_command("migrate", verbosity=0)  # the cached ledger may predate a migration
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM ledger_payment WHERE allocated < amount")
        before = int(cursor.fetchone()[0])
    batch = _insert(_draw(count))
    started = time.perf_counter()
    items = unapplied_items(batch_id=batch)
    read = time.perf_counter() - started
    results = list(suggestions_for(items))
    total = time.perf_counter() - started
    best = Counter(s[0].confidence.code if s else "none" for _item, s in results)
    return {
        "payments": len(items),
        "on_account_before": before,
        "read_s": read,
        "total_s": total,
        "best": dict(best),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


# ---------------------------------------------------------------- parent side


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--payments", default="1000,10000")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--invoices", type=int, default=SIZE, help="ledger size (1 000 000)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "measure":
        print("RESULT " + json.dumps(child_measure(args.count)), flush=True)
        return
    ledger.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    dbs = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    counts = sorted(int(n) for n in args.payments.split(","))
    table = []
    size = args.invoices
    for db in dbs:
        if not ledger._base_exists(db, size):
            name = ledger._base_name(size)
            ledger._drop(db, name)
            if db == "postgres":
                ledger._pg(f"CREATE DATABASE {name}")
            built = ledger._child(["--child", "build", "--size", str(size)], ledger._url(db, name))
            if db == "sqlite":
                (ledger.BENCH_DIR / f"{name}.done").write_text(json.dumps(built))
            print(f"built {db} {size}: {built['counts']} in {built['seconds']:.0f} s", flush=True)
        figures: dict[int, list[dict[str, Any]]] = {}
        for count in counts:
            for _ in range(args.repeat):
                result = _child(
                    ["--child", "measure", "--count", str(count)], _fresh_copy(db, size)
                )
                ledger._drop(db, WORK_DB)
                figures.setdefault(count, []).append(result)
                print(
                    f"{db} {count:>6} payments: {result['total_s']:6.2f} s"
                    f" (read {result['read_s']:.2f} s),"
                    f" {result['total_s'] / count * 1e6:6.0f} µs/payment, best {result['best']},"
                    f" {result['on_account_before']:,} on account before, RSS"
                    f" {result['peak_rss_mb']:.0f} MB",
                    flush=True,
                )
        table.append((db, figures))
    print("\n| db | payments | s (median) | µs / payment | × the smallest | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for db, figures in table:
        first = statistics.median(r["total_s"] for r in figures[counts[0]])
        for count in counts:
            seconds = statistics.median(r["total_s"] for r in figures[count])
            rss = max(r["peak_rss_mb"] for r in figures[count])
            print(
                f"| {db} | {count:,} | {seconds:.2f} | {seconds / count * 1e6:.0f}"
                f" | {seconds / first:.1f} | {rss:.0f} |"
            )


if __name__ == "__main__":
    main()
