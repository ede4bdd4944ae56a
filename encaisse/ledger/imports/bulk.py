"""Raw, chunked writes: the fastest path each database offers.

SQLite: `executemany` on one prepared INSERT. PostgreSQL: `COPY … FROM STDIN`
through psycopg 3. Values are plain Python (str, int, Decimal, date, None);
both drivers adapt them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.utils import timezone


def now_value() -> Any:
    """`created_at` as the backend stores it (SQLite: naive UTC text)."""
    now = timezone.now()
    if connection.vendor == "sqlite":
        return connection.ops.adapt_datetimefield_value(now)
    return now


def insert(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def update(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Rows are (values…, id)."""
    if not rows:
        return
    sets = ", ".join(f"{name} = %s" for name in columns)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", rows)


def select_in(sql: str, values: Iterable[Any], chunk: int = 2000) -> list[tuple[Any, ...]]:
    """Run `sql` (with one `{marks}` placeholder for an IN list) over `values` in chunks."""
    items = list(values)
    result: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(items), chunk):
            part = items[start : start + chunk]
            cursor.execute(sql.format(marks=", ".join(["%s"] * len(part))), part)
            result.extend(cursor.fetchall())
    return result
