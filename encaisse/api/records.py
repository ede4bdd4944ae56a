"""Ledger writes through the API: every create, update, upsert and bulk call goes
through `ledger.imports.import_records`, the CSV import's own pipeline.

One object (`write_one`) or up to 1 000 (`write_many`), all or nothing. Errors
come back as problem details: a pointer per record and field
(`/records/3/amount`), the import's message, and its code. A single object's
key held elsewhere is a 409, an unknown one a 404; everything else a 422.
"""

from collections.abc import Mapping
from typing import Any

from django.db.models import Model
from django.http import HttpRequest

from encaisse.accounts.models import User
from encaisse.api.auth import caller
from encaisse.api.problems import FieldError, Problem, conflict, invalid, not_found, pointer
from encaisse.api.schemas.ledger import BulkResult, RecordOutcome
from encaisse.ledger.imports.record_results import Mode, RecordsResult
from encaisse.ledger.imports.records import import_records
from encaisse.ledger.models import Company
from encaisse.ledger.selectors import customers_visible_to


def _scope(user: User) -> Any:
    return None if user.sees_whole_ledger else customers_visible_to(user)


def _run(
    request: HttpRequest, kind: str, records: list[dict[str, Any]], mode: Mode, dry_run: bool
) -> RecordsResult:
    user = caller(request)
    return import_records(
        company=Company.current(),
        kind=kind,
        records=records,
        actor=user,
        source_label=f"API {request.method} {request.path}",
        dry_run=dry_run,
        mode=mode,
        visible_customers=_scope(user),
    )


def _problem(result: RecordsResult, *, bulk: bool) -> Problem:
    codes = {error.code for error in result.errors}
    if not bulk and codes == {"not_found"}:
        return not_found(result.errors[0].message)
    if not bulk and codes == {"conflict"}:
        return conflict(result.errors[0].message)
    errors = []
    for error in result.errors:
        if error.index is None:
            where = pointer("records") if bulk else ""
        elif bulk:
            where = pointer("records", error.index, *([error.field] if error.field else []))
        else:
            where = pointer(error.field) if error.field else ""
        errors.append(FieldError(error.message, pointer=where, code=error.code))
    return invalid(errors)


def write_one(
    request: HttpRequest, kind: str, record: Mapping[str, Any], mode: Mode
) -> RecordOutcome:
    """Create, update or upsert one object; raises a problem when refused."""
    result = _run(request, kind, [dict(record)], mode, dry_run=False)
    if not result.ok:
        raise _problem(result, bulk=False)
    done = result.records[0]
    return RecordOutcome(
        index=0, outcome=done.outcome.value, id=done.id, external_key=done.external_key
    )


def write_many(
    request: HttpRequest, kind: str, records: list[dict[str, Any]], dry_run: bool
) -> BulkResult:
    result = _run(request, kind, records, "upsert", dry_run)
    if not result.ok:
        raise _problem(result, bulk=True)
    outcomes = [
        RecordOutcome(index=r.index, outcome=r.outcome.value, id=r.id, external_key=r.external_key)
        for r in result.records
    ]
    counts = {
        name: sum(1 for o in outcomes if o.outcome == name)
        for name in ("created", "updated", "unchanged")
    }
    return BulkResult(dry_run=dry_run, records=outcomes, **counts)


def sent(payload: Any) -> dict[str, Any]:
    """A record as the client sent it: fields left out are not part of the row
    (as a column absent from a file), extra spellings are kept."""
    return dict(payload.model_dump(exclude_unset=True))


def merged(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    return {**base, **changes}


def key_of(obj: Model) -> str:
    return str(obj.external_key)  # type: ignore[attr-defined]
