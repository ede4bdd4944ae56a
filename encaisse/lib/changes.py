"""Applying a partial update to an object and describing what changed.

Settings services take every field as optional (None or `KEEP`: unchanged),
so that a form sending the whole group and an API PATCH sending one field go
through the same code. They write only the fields whose value differs, and
the timeline says old → new for each.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import Any


class Keep(enum.Enum):
    """The marker for "leave this field as it is" where None is a valid value."""

    KEEP = "keep"


KEEP = Keep.KEEP

Changes = dict[str, tuple[Any, Any]]


def given(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values the caller actually passed (None and KEEP mean "unchanged")."""
    return {name: value for name, value in values.items() if value not in (None, KEEP)}


def assign_changes(obj: object, values: Mapping[str, Any]) -> Changes:
    """Set on `obj` the values that differ from its own; return {field: (old, new)}."""
    changes: Changes = {}
    for name, value in values.items():
        old = getattr(obj, name)
        if old != value:
            setattr(obj, name, value)
            changes[name] = (old, value)
    return changes


def _plain(value: Any) -> Any:
    """A JSON-friendly value for the activity payload (money stays a decimal string)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.time | dt.datetime):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def changes_payload(changes: Changes) -> dict[str, dict[str, Any]]:
    return {name: {"from": _plain(old), "to": _plain(new)} for name, (old, new) in changes.items()}
