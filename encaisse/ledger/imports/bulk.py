"""Raw, chunked writes: the fastest path each database offers.

SQLite: `executemany` on one prepared INSERT. PostgreSQL: `COPY … FROM STDIN`
through psycopg 3. Values are plain Python (str, int, Decimal, date, None);
both drivers adapt them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.utils import timezone


def now_value() -> Any:
    """`created_at` as the backend stores it (SQLite: naive UTC text)."""
    now = timezone.now()
    if connection.vendor == "sqlite":
        return connection.ops.adapt_datetimefield_value(now)
    return now


# SQLite's default page cache is 2 MB: a million-row import then spends its time
# re-reading index pages (each row goes into half a dozen B-trees in key order
# unrelated to the file's). 128 MB (negative = KiB) is allocated only as used,
# and keeps a million-invoice import under 500 MB of memory.
SQLITE_IMPORT_CACHE_KIB = 128 * 1024


@contextmanager
def tuned_for_bulk() -> Iterator[None]:
    """Connection settings for one import, restored afterwards.

    SQLite: a larger page cache. Durability settings are left alone: the
    import commits like any other transaction. (`temp_store` cannot be changed
    inside a transaction, which an import may run in; its sorts are small.)
    PostgreSQL needs nothing here.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache_size = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {cache_size}")


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


def insert_with_ids(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> list[int]:
    """Insert `rows` with ids reserved beforehand; return the ids, in the rows' order.

    The rows that refer to the new ones (allocations) then need no lookup of
    the ids after the insert (a query per chunk, seconds at a million rows).
    """
    ids = _reserve_ids(table, len(rows))
    insert(table, ("id", *columns), [(pk, *row) for pk, row in zip(ids, rows, strict=True)])
    return ids


def _reserve_ids(table: str, count: int) -> list[int]:
    if not count:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the import transaction holds the database's write lock (it has
        # written its ImportBatch), so no one else can take these ids meanwhile.
        # AUTOINCREMENT's high-water mark is respected: ids are never reused.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
        highest = max(highest, cursor.fetchone()[0])
    return list(range(highest + 1, highest + 1 + count))


def update(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Rows are (values…, id)."""
    if not rows:
        return
    sets = ", ".join(f"{name} = %s" for name in columns)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", rows)


def update_many(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Set `columns` on many rows at once; rows are (values…, id).

    PostgreSQL: COPY into a temporary table shaped like the target, then one
    UPDATE … FROM: a per-row UPDATE costs a network round trip each (minutes
    for a million rows). SQLite is in-process: `executemany` is the fast path.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        update(table, columns, rows)
        return
    names = ", ".join(columns)
    sets = ", ".join(f"{name} = u.{name}" for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE _bulk_update ON COMMIT DROP AS "
            f"SELECT {names}, id FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY _bulk_update ({names}, id) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"UPDATE {table} t SET {sets} FROM _bulk_update u WHERE t.id = u.id")
        cursor.execute("DROP TABLE _bulk_update")


def is_empty(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")
        return cursor.fetchone() is None


def select_in(sql: str, values: Iterable[Any], chunk: int = 2000) -> list[tuple[Any, ...]]:
    """Run `sql`, which has one `IN ({marks})` membership test, over `values` in chunks.

    PostgreSQL gets `= ANY(%s)` with one array parameter instead, in one
    statement: psycopg parses every query client-side, and a 2 000-placeholder
    IN list costs more to parse and plan than to run.
    """
    items = list(values)
    result: list[tuple[Any, ...]] = []
    if not items:
        return result
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            assert "IN ({marks})" in sql
            cursor.execute(sql.replace("IN ({marks})", "= ANY(%s)"), [items])
            return cursor.fetchall()
        for start in range(0, len(items), chunk):
            part = items[start : start + chunk]
            cursor.execute(sql.format(marks=", ".join(["%s"] * len(part))), part)
            result.extend(cursor.fetchall())
    return result
