"""/api/v1/allocations: what paid which invoice; apply cash, undo an allocation.

Allocations are append-only money records: undoing one writes its reversal
(a negative allocation), never an edit (SPEC §1).
"""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from encaisse.api.access import get_visible, require_editor
from encaisse.api.auth import caller
from encaisse.api.pagination import KeysetPagination
from encaisse.api.problems import FieldError, invalid
from encaisse.api.schemas.ledger import AllocationIn, AllocationOut, AllocationReverseIn
from encaisse.ledger.models import Allocation, CreditNote, Payment
from encaisse.ledger.selectors import (
    allocations_visible_to,
    credit_notes_visible_to,
    invoices_visible_to,
    payments_visible_to,
)
from encaisse.ledger.services.allocation import AllocationError
from encaisse.ledger.services.cash_application import cash_apply
from encaisse.ledger.services.reversal import allocation_reverse

router = Router(tags=["allocations"])


class AllocationFilters(Schema):
    invoice_id: int | None = None
    payment_id: int | None = None
    credit_note_id: int | None = None


def _allocations(request: HttpRequest) -> QuerySet[Allocation]:
    return allocations_visible_to(caller(request))


@router.get("", response=list[AllocationOut], summary="List allocations")
@paginate(KeysetPagination)
def allocation_list(
    request: HttpRequest, filters: Query[AllocationFilters]
) -> QuerySet[Allocation]:
    allocations = _allocations(request)
    for name in ("invoice_id", "payment_id", "credit_note_id"):
        value = getattr(filters, name)
        if value is not None:
            allocations = allocations.filter(**{name: value})
    return allocations.order_by("id")


@router.get("/{int:pk}", response=AllocationOut, summary="Get an allocation")
def allocation_get(request: HttpRequest, pk: int) -> Allocation:
    return get_visible(_allocations(request), pk=pk)


@router.post("", response={201: list[AllocationOut]}, summary="Apply a payment or a credit note")
def allocation_create(request: HttpRequest, payload: AllocationIn) -> Status[list[Allocation]]:
    require_editor(request)
    user = caller(request)
    if (payload.payment_id is None) == (payload.credit_note_id is None):
        message = _("Give either payment_id or credit_note_id.")
        raise invalid([FieldError(message, pointer="/payment_id")])
    source: Payment | CreditNote
    if payload.payment_id is not None:
        source = get_visible(payments_visible_to(user), pk=payload.payment_id)
    else:
        source = get_visible(credit_notes_visible_to(user), pk=payload.credit_note_id)
    get_visible(invoices_visible_to(user), pk=payload.invoice_id)
    try:
        made = cash_apply(
            actor=user, source=source, allocations=[(payload.invoice_id, payload.amount)]
        )
    except AllocationError as error:
        raise invalid([FieldError(str(error), pointer="/amount")]) from error
    return Status(201, made)


@router.post("/{int:pk}/reverse", response={201: AllocationOut}, summary="Undo an allocation")
def allocation_undo(
    request: HttpRequest, pk: int, payload: AllocationReverseIn
) -> Status[Allocation]:
    require_editor(request)
    allocation = get_visible(_allocations(request), pk=pk)
    try:
        reversal = allocation_reverse(
            actor=caller(request), allocation=allocation, reason=payload.reason
        )
    except AllocationError as error:
        raise invalid([FieldError(str(error), pointer="/reason")]) from error
    return Status(201, reversal)
