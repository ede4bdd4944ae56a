"""Raw, chunked writes: the fastest path each database offers.

SQLite: `executemany` on one prepared INSERT. PostgreSQL: `COPY … FROM STDIN`
through psycopg 3. Values are plain Python (str, int, Decimal, date, None);
both drivers adapt them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import NOT_PROVIDED, Model
from django.db.models.fields import AutoFieldMixin

from encaisse.lib import clock


def now_value() -> Any:
    """`created_at` as the backend stores it (SQLite: naive UTC text)."""
    now = clock.now()
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


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (restored after).

    A bulk pass allocates hundreds of thousands of rows that all survive:
    the collector kept re-walking them (a sixth of a first dunning run on a
    million invoices). They hold no reference cycles; reference counting
    frees them. The setting is per process: other threads only see their
    cycles collected a few seconds later.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def insert(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Raised as Django's errors, like the executemany path.
            copy_sql = f"COPY {table} ({names}) FROM STDIN"
            with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
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


def update(
    table: str, columns: Sequence[str], rows: list[tuple[Any, ...]], *, key: str = "id"
) -> None:
    """Rows are (values…, key)."""
    if not rows:
        return
    sets = ", ".join(f"{name} = %s" for name in columns)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {sets} WHERE {key} = %s", rows)


def update_many(
    table: str,
    columns: Sequence[str],
    rows: list[tuple[Any, ...]],
    *,
    key: str = "id",
    keep_if_null: Sequence[str] = (),
) -> None:
    """Set `columns` on many rows at once; rows are (values…, key).

    A column in `keep_if_null` keeps its stored value where the row gives NULL,
    so that rows setting it and rows leaving it alone share one statement.
    PostgreSQL: COPY into a temporary table shaped like the target, then one
    UPDATE … FROM: a per-row UPDATE costs a network round trip each (minutes
    for a million rows). SQLite is in-process: `executemany` is the fast path.
    """
    if not rows:
        return
    kept = set(keep_if_null)
    if connection.vendor != "postgresql":
        sets = ", ".join(
            f"{name} = COALESCE(%s, {name})" if name in kept else f"{name} = %s" for name in columns
        )
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE {key} = %s", rows)
        return
    sets = ", ".join(
        f"{name} = COALESCE(u.{name}, t.{name})" if name in kept else f"{name} = u.{name}"
        for name in columns
    )
    with connection.cursor() as cursor:
        _copy_to_temporary(cursor, table, (*columns, key), rows)
        cursor.execute(f"UPDATE {table} t SET {sets} FROM _bulk_rows u WHERE t.{key} = u.{key}")
        cursor.execute("DROP TABLE _bulk_rows")


def upsert(
    table: str,
    columns: Sequence[str],
    rows: list[tuple[Any, ...]],
    *,
    key: str,
    update: Sequence[str],
    rare_conflicts: bool = False,
) -> None:
    """Insert `rows`; where a row with the same `key` exists, set `update` on it instead.

    PostgreSQL: COPY into a temporary table, then one INSERT … SELECT … ON
    CONFLICT (COPY into the table itself cannot resolve conflicts). With
    `rare_conflicts`, a COPY straight into the table is tried first, in a
    savepoint, and the two-step path taken only if it hits a conflict (a
    third less time for a million-row first dunning run).
    """
    if not rows:
        return
    names = ", ".join(columns)
    sets = ", ".join(f"{name} = excluded.{name}" for name in update)
    conflict = f"ON CONFLICT ({key}) DO UPDATE SET {sets}"
    if connection.vendor == "postgresql" and rare_conflicts:
        try:
            with transaction.atomic():
                insert(table, columns, rows)
            return
        except IntegrityError:
            pass  # rolled back to the savepoint: resolve the conflicts below
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks}) {conflict}", rows)
            return
        _copy_to_temporary(cursor, table, columns, rows)
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _bulk_rows {conflict}")
        cursor.execute("DROP TABLE _bulk_rows")


def _copy_to_temporary(
    cursor: Any, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """PostgreSQL: `rows` into a temporary `_bulk_rows` with `table`'s column types."""
    names = ", ".join(columns)
    cursor.execute(
        f"CREATE TEMPORARY TABLE _bulk_rows ON COMMIT DROP AS "
        f"SELECT {names} FROM {table} WITH NO DATA"
    )
    with cursor.cursor.copy(f"COPY _bulk_rows ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def model_columns(
    model: type[Model], given: Sequence[str]
) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """The columns of `model`'s table for a raw insert: `given` first, then the others.

    Returns (columns, defaults): the rows to insert are (values of `given`…,
    *defaults). The defaults are the fields' own, prepared for the database
    once, so a raw insert keeps working when a field with a default is added.
    Left out, for the database to fill: columns with a database default, and
    nullable ones without a default (NULL). A unique field must be given: one
    default for every row would clash.
    """
    others = [
        field
        for field in model._meta.concrete_fields
        if field.column not in given
        and not isinstance(field, AutoFieldMixin)
        and field.db_default is NOT_PROVIDED
        and not (field.null and not field.has_default())
    ]
    for field in others:
        if field.unique:
            raise ValueError(f"{model.__name__}.{field.name} is unique: give it a value per row")
    defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in others)
    return (*given, *(field.column for field in others)), defaults


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
