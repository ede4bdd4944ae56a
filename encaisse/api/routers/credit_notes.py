"""/api/v1/credit-notes: credit notes (avoirs) a caller may see; writes through the import."""

import datetime as dt

from django.db.models import F, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from encaisse.api.access import get_visible
from encaisse.api.auth import caller
from encaisse.api.ledger_routes import add_writes
from encaisse.api.pagination import KeysetPagination
from encaisse.api.routers.customers import ordered_for_sync
from encaisse.api.schemas.common import Instant
from encaisse.api.schemas.ledger import CreditNoteBulk, CreditNoteOut, CreditNoteRecord
from encaisse.ledger.models import CreditNote
from encaisse.ledger.selectors import credit_notes_visible_to

router = Router(tags=["credit notes"])


class CreditNoteFilters(Schema):
    customer_id: int | None = None
    customer_key: str | None = None
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None
    unallocated: bool | None = Field(None, description="true: with an amount not yet applied")
    updated_since: Instant | None = None


def _notes(request: HttpRequest) -> QuerySet[CreditNote]:
    return credit_notes_visible_to(caller(request)).select_related("customer")


@router.get("", response=list[CreditNoteOut], summary="List credit notes")
@paginate(KeysetPagination)
def credit_note_list(
    request: HttpRequest, filters: Query[CreditNoteFilters]
) -> QuerySet[CreditNote]:
    notes = _notes(request)
    if filters.customer_id is not None:
        notes = notes.filter(customer_id=filters.customer_id)
    if filters.customer_key:
        notes = notes.filter(customer__external_key=filters.customer_key)
    if filters.issued_from:
        notes = notes.filter(issue_date__gte=filters.issued_from)
    if filters.issued_to:
        notes = notes.filter(issue_date__lte=filters.issued_to)
    if filters.unallocated:
        notes = notes.filter(allocated__lt=F("amount"))
    return ordered_for_sync(notes, filters.updated_since)


@router.get("/by-key/{key}", response=CreditNoteOut, summary="Get a credit note by external key")
def credit_note_by_key(request: HttpRequest, key: str) -> CreditNote:
    return get_visible(_notes(request), external_key=key)


@router.get("/{int:pk}", response=CreditNoteOut, summary="Get a credit note")
def credit_note_get(request: HttpRequest, pk: int) -> CreditNote:
    return get_visible(_notes(request), pk=pk)


def _base(note: CreditNote) -> dict[str, object]:
    return {
        "number": note.number,
        "customer_key": note.customer.external_key,
        "issue_date": note.issue_date,
        "amount": note.amount,
    }


add_writes(
    router,
    kind="credit_notes",
    noun="a credit note",
    record=CreditNoteRecord,
    bulk=CreditNoteBulk,
    out=CreditNoteOut,
    visible=_notes,
    base=_base,
)
