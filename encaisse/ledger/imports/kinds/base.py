"""The shape every kind follows: `handle(chunk)` checks a chunk of parsed rows, then writes it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from encaisse.ledger.imports.context import Context
from encaisse.ledger.imports.schema import Row, Schema


class Handler:
    entity: str = ""
    schema: Schema

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.seen: set[str] = set()

    def handle(self, rows: list[Row]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Called once after the last chunk (set-based recomputations go here)."""

    def error(self, row: Row, column: str, reason: str) -> None:
        self.ctx.report.add_error(row.line, column, reason)
        self.ctx.report.error_rows += 1

    def first_time(self, row: Row, key: str, column: str = "external_key") -> bool:
        """False (and an error) when `key` already appeared earlier in the file."""
        if key in self.seen:
            self.error(row, column, _("duplicate key %(key)r in this file") % {"key": key})
            return False
        self.seen.add(key)
        return True
