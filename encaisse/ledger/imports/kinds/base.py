"""The shape every kind follows: `handle(chunk)` checks a chunk of parsed rows, then writes it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from encaisse.ledger.imports.context import Context, CustomerInfo
from encaisse.ledger.imports.schema import Row, Schema
from encaisse.lib import bulk


class Handler:
    entity: str = ""
    table: str = ""
    schema: Schema
    checks_currency = True  # rows must be in their customer's currency

    def __init__(self, ctx: Context, *, source: str = "csv") -> None:
        self.ctx = ctx
        self.source = source  # stored on created rows: csv, or fec when the FEC import delegates
        self.seen: set[str] = set()
        self._table_was_empty = bulk.is_empty(self.table)

    def handle_chunk(self, rows: list[Row]) -> None:
        """Check the rows whose cells did not all parse for what else is wrong with them
        (an unknown customer), so that a row's every error is reported at once; then
        handle the others."""
        broken = [row for row in rows if row.broken]
        if not broken:
            self.handle(rows)
            return
        if any(column.name == "customer_key" for column in self.schema.columns):
            keyed = [row for row in broken if "customer_key" in row.values]
            self.ctx.customers.load({row.values["customer_key"] for row in keyed})
            for row in keyed:
                self.customer_of(row, check_currency=self.checks_currency)
        self.handle([row for row in rows if not row.broken])

    def handle(self, rows: list[Row]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Called once after the last chunk (set-based recomputations go here)."""

    def error(self, row: Row, column: str, reason: str) -> None:
        report = self.ctx.report
        report.add_error(row.line, column, reason)
        if not row.failed:  # a row with several errors is one row with errors
            row.failed = True
            report.error_rows += 1

    def existing(self, sql: str, keys: Iterable[str]) -> list[tuple[Any, ...]]:
        """`bulk.select_in(sql, keys)` on this kind's table, for the rows already stored.

        Skipped when the table was empty as the import started: a key repeated
        in the file is refused by `first_time` before its row is looked up, so
        only rows that predate the import could match. A first load of a large
        ledger saves one index probe per row (seconds at a million rows on
        PostgreSQL, where the probes also flush the pages the import dirtied).
        """
        if self._table_was_empty:
            return []
        return bulk.select_in(sql, keys)

    def stored(self, columns: str, rows: list[Row]) -> dict[str, tuple[Any, ...]]:
        """`columns` of the rows already in this kind's table under the chunk's keys, by key."""
        found = self.existing(
            f"SELECT external_key, {columns} FROM {self.table} WHERE external_key IN ({{marks}})",
            [row.values["external_key"] for row in rows],
        )
        return {r[0]: r[1:] for r in found}

    def first_time(self, row: Row, key: str, column: str = "external_key") -> bool:
        """False (and an error) when `key` already appeared earlier in the file."""
        if key in self.seen:
            self.error(row, column, _("duplicate key %(key)r in this file") % {"key": key})
            return False
        self.seen.add(key)
        return True

    def customer_of(self, row: Row, *, check_currency: bool = True) -> CustomerInfo | None:
        """The row's customer, or None (and an error) when unknown or in another currency."""
        values = row.values
        customer = self.ctx.customers.get(values["customer_key"])
        if customer is None:
            reason = _("unknown customer %(key)r") % {"key": values["customer_key"]}
            self.error(row, "customer_key", reason)
            return None
        currency = values.get("currency", customer.currency)
        if check_currency and currency != customer.currency:
            self.error(
                row,
                "currency",
                _("currency %(currency)s differs from the customer's (%(expected)s)")
                % {"currency": currency, "expected": customer.currency},
            )
            return None
        return customer
