"""API records as the cells of a CSV row, so that the import's parsers judge them.

A record is a dict: keys are the import's column names (`external_key`,
`customer_key`, `amount`…) or any spelling a file header may use for them
(docs/imports.md); values are what JSON gives (strings, numbers, booleans,
lists, null) or their Python equivalents (Decimal, date). Each value becomes
the text a spreadsheet would have written, and the kind's schema then parses
it exactly as it parses a file: same rules, same messages.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from encaisse.ledger.imports.reader import normalise_header
from encaisse.ledger.imports.report import ImportReport
from encaisse.ledger.imports.schema import Schema

REQUIRED_MISSING = "required value is missing"  # the schema's msgid, translated at use


def cell_text(value: Any) -> str | None:
    """The cell a spreadsheet would hold for `value`; None when no cell could.

    None is an empty cell (the field is left as it is, as in a file). A list is
    the import's pipe-separated list (invoice numbers, tags).
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # before int: True is an int
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else None
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float: the JSON number as
        # sent, for any amount of up to 15 digits (the API documents strings for money).
        return repr(value) if math.isfinite(value) else None
    if isinstance(value, dt.date):  # a datetime too: the date parser refuses its time part
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        parts = [cell_text(item) for item in value]
        if any(
            part is None or isinstance(item, (list, tuple, dict))
            for part, item in zip(parts, value, strict=True)
        ):
            return None
        return "|".join(part for part in parts if part)
    return None


class RecordShape:
    """How one kind's records map onto its schema's columns (a header with every column)."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.header = [column.name for column in schema.columns]
        self.position = {name: index for index, name in enumerate(self.header)}
        self.required = {column.name for column in schema.columns if column.required}
        self.names: dict[str, str] = {}
        for column in schema.columns:
            for name in (column.name, *column.aliases):
                self.names.setdefault(name, column.name)

    def column_of(self, key: str) -> str | None:
        return self.names.get(key) or self.names.get(normalise_header(key))

    def cells(
        self,
        records: Sequence[Mapping[str, Any]],
        report: ImportReport,
        invalid: dict[int, set[str]],
        keyless: set[int],
    ) -> Iterator[tuple[int, list[str]]]:
        """(index, cells) per record; reports the keys and values no file could hold.

        `invalid` receives index → columns of the values refused here, so that the
        schema's "required value is missing" for their empty cell can be dropped;
        `keyless` the records without an external key (it defaults to the number,
        and its errors then name the number, as a file without the column does).
        """
        # Hot loop (1 000 records a call): each key is resolved once, strings go as they are.
        slots: dict[str, tuple[str, int] | None] = {}
        width = len(self.header)
        key_position = self.position["external_key"]
        for index, record in enumerate(records):
            cells = [""] * width
            given: dict[str, str] = {}
            for key, value in record.items():
                if key not in slots:
                    column = self.column_of(str(key))
                    slots[key] = None if column is None else (column, self.position[column])
                slot = slots[key]
                if slot is None:
                    report.add_error(index, str(key), _("unknown field"))
                    invalid.setdefault(index, set()).add("")
                    continue
                column, position = slot
                if column in given:
                    report.add_error(
                        index,
                        column,
                        _("Columns %(first)s and %(second)s both give %(column)s: keep only one.")
                        % {"first": given[column], "second": key, "column": column},
                    )
                    invalid.setdefault(index, set()).add(column)
                    continue
                given[column] = key
                text = value if type(value) is str else cell_text(value)
                if text is None:
                    report.add_error(
                        index, column, _("not a valid value: %(value)r") % {"value": value}
                    )
                    invalid.setdefault(index, set()).add(column)
                    continue
                cells[position] = text
            if not cells[key_position]:
                keyless.add(index)
            yield index, cells
