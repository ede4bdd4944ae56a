"""What `import_records` returns: per record what it did, or every error."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

# The API's bulk limit: a call is one transaction, and its errors one response.
MAX_RECORDS = 1000

# "upsert": create or update by external key; "create": an existing key is an error
# (code "conflict"); "update": an unknown key is an error (code "not_found").
Mode = Literal["upsert", "create", "update"]

# "invalid": the value (or the record) is wrong; "conflict": the key is taken (or held
# outside the caller's scope); "not_found": no such key; "error": the call failed as a
# whole (unknown kind, too many records, a database refusal).
ErrorCode = Literal["invalid", "conflict", "not_found", "error"]


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class RecordOutcome:
    """One record applied: `id` is None for an object a dry run would create."""

    index: int
    outcome: Outcome
    id: int | None
    external_key: str


@dataclass(frozen=True)
class RecordError:
    """One problem: the record's 0-based index (None: the whole call) and field.

    `field` is the import's column name (`amount`, `customer_key`…), or the key
    as sent when no column has that name; `message` is the CSV import's message
    for the same value, in the active language.
    """

    index: int | None
    field: str
    message: str
    code: ErrorCode = "invalid"


@dataclass
class RecordsResult:
    """Either `records` (one outcome per record, in order) or `errors` (all of them)."""

    kind: str
    dry_run: bool
    applied: bool
    records: list[RecordOutcome] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    # The ImportBatch (applied or rejected); None for a dry run or a push that changed nothing.
    batch_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> bool:
        return any(record.outcome != Outcome.UNCHANGED for record in self.records)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for record in self.records if record.outcome == outcome)

    @classmethod
    def refused(cls, kind: str, dry_run: bool, reason: str) -> RecordsResult:
        return cls(kind, dry_run, False, errors=[RecordError(None, "", reason, "error")])
