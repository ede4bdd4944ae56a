"""What an import found and did: counts per entity and every row error (up to a cap)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from encaisse.lib.cli import number

# Called with the number of bytes read so far, so a CLI or a page can show a bar.
Progress = Callable[[int], None]

ENTITY_LABELS = {
    "customers": _("Customers"),
    "invoices": _("Invoices"),
    "payments": _("Payments"),
    "credit_notes": _("Credit notes"),
}

# Errors kept in memory for the report; the total is always counted.
MAX_REPORTED_ERRORS = 10_000
# Errors stored on the ImportBatch row.
MAX_STORED_ERRORS = 200


@dataclass(frozen=True)
class RowError:
    """One problem in the file: where it is and why, in the user's language."""

    file: str
    line: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "reason": self.reason}


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    """The result of a dry run or of an apply.

    `status` is "valid" or "invalid" after a dry run, "applied" or "rejected"
    after an apply. `file_error` is set when the file could not be read at all.
    """

    kind: str
    filename: str
    dry_run: bool
    valid_rows_only: bool = False
    sha256: str = ""
    encoding: str = ""
    separator: str = ""
    rows: int = 0
    error_rows: int = 0
    error_count: int = 0
    allocations: int = 0
    reversals: int = 0  # allocations undone by the FEC lettering (see imports.lettering)
    auto_applied: int = 0  # items applied after the import (Company.cash_auto_apply)
    tallies: dict[str, Tally] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""
    status: str = ""
    batch_id: int | None = None
    # Our column name → the name the user's header gives it: errors speak the file's words.
    columns: dict[str, str] = field(default_factory=dict)

    def tally(self, entity: str) -> Tally:
        return self.tallies.setdefault(entity, Tally())

    def labelled_tallies(self) -> list[tuple[str, Tally]]:
        """Tallies with the entity's name in the reader's language, for reports."""
        return [(str(ENTITY_LABELS.get(name, name)), tally) for name, tally in self.tallies.items()]

    @property
    def reading(self) -> str:
        """What was read, in the reader's language: "1 ligne lue, aucune en erreur."."""
        rows = ngettext("%(count)s row read", "%(count)s rows read", self.rows) % {
            "count": number(self.rows)
        }
        if self.error_rows:
            errors = ngettext("%(count)s with errors", "%(count)s with errors", self.error_rows) % {
                "count": number(self.error_rows)
            }
        else:
            errors = gettext("none with errors")
        return gettext("%(rows)s, %(errors)s.") % {"rows": rows, "errors": errors}

    def add_error(self, line: int, column: str, reason: str) -> None:
        """One more error; the caller counts the row in `error_rows` once, however many."""
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(
                RowError(self.filename, line, self.columns.get(column, column), reason)
            )

    def bad_row(self, line: int, reason: str) -> None:
        """A line the reader could not turn into cells (wrong number of cells, bad quoting)."""
        self.rows += 1
        self.error_rows += 1
        self.add_error(line, "", reason)

    @property
    def has_errors(self) -> bool:
        return bool(self.file_error) or self.error_count > 0

    @property
    def valid_rows(self) -> int:
        """Rows that "valid rows only" would import (0 when the file cannot be read)."""
        return 0 if self.file_error else max(self.rows - self.error_rows, 0)

    def discard_counts(self) -> None:
        """Nothing was written (a rejected apply): the counts must not say otherwise."""
        self.tallies.clear()
        self.allocations = 0

    @property
    def created(self) -> int:
        return sum(t.created for t in self.tallies.values())

    @property
    def updated(self) -> int:
        return sum(t.updated for t in self.tallies.values())

    @property
    def unchanged(self) -> int:
        return sum(t.unchanged for t in self.tallies.values())

    def counts(self) -> dict[str, Any]:
        """JSON-friendly counts, as stored on the ImportBatch."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "error_rows": self.error_rows,
            "errors": self.error_count,
            "allocations": self.allocations,
            "reversals": self.reversals,
            "auto_applied": self.auto_applied,
            "entities": {
                name: {"created": t.created, "updated": t.updated, "unchanged": t.unchanged}
                for name, t in self.tallies.items()
            },
        }
