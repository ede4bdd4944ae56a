"""What several benchmarks share: the demo ledger as CSV, and fresh databases."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 24)
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def csv_dir(invoices: int, seed: int = 7) -> Path:
    """The demo ledger of `invoices` invoices as the import's CSV files, generated
    once and cached under var/bench/<N>-<seed>/."""
    folder = ROOT / "var" / "bench" / f"{invoices}-{seed}"
    if not (folder / "done").exists():
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "encaisse.settings")
        import django

        django.setup()
        from encaisse.demo.csv_files import write_csv

        counts = write_csv(folder, invoices=invoices, seed=seed, today=TODAY)
        (folder / "done").write_text(json.dumps(counts))
    return folder


def database_url(db: str, folder: Path, name: str, *, fresh: bool = True) -> str:
    """The URL of database `name` (a file in `folder` for SQLite), emptied first
    unless `fresh` is false."""
    if db == "sqlite":
        path = folder / f"{name}.sqlite3"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    if fresh:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
    return f"postgres://postgres@127.0.0.1:5432/{name}"
