"""/api/v1/promises and /api/v1/extensions: promises to pay and due-date extension requests.

A sales rep records promises and asks for extensions on his own customers;
finance cancels promises and approves or refuses extensions.
"""

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from encaisse.api.access import get_visible, require_editor
from encaisse.api.auth import caller
from encaisse.api.pagination import KeysetPagination
from encaisse.api.problems import FieldError, forbidden, invalid
from encaisse.api.routers.customers import ordered_for_sync
from encaisse.api.schemas.common import Instant
from encaisse.api.schemas.promises import (
    CancelIn,
    DecisionIn,
    ExtensionIn,
    ExtensionOut,
    PromiseIn,
    PromiseOut,
    RowId,
)
from encaisse.ledger.models import Customer
from encaisse.ledger.selectors import customers_visible_to, invoices_visible_to
from encaisse.resolution.models import Extension, Promise
from encaisse.resolution.selectors.promises import extensions_visible_to, promises_visible_to
from encaisse.resolution.services.extensions import (
    extension_approve,
    extension_refuse,
    extension_request,
)
from encaisse.resolution.services.promises import promise_cancel, promise_make

promises = Router(tags=["promises"])
extensions = Router(tags=["extensions"])


def _may_act(request: HttpRequest, customer: Customer) -> None:
    """Finance, or the customer's own account manager."""
    user = caller(request)
    if not user.can_edit_ledger and customer.account_manager_id != user.pk:
        raise forbidden()


class PromiseFilters(Schema):
    customer_id: RowId | None = None
    status: str | None = Field(None, description="open, kept, broken or cancelled")
    due_before: dt.date | None = Field(None, description="promised on or before this date")
    updated_since: Instant | None = None


def _promises(request: HttpRequest) -> QuerySet[Promise]:
    return promises_visible_to(caller(request)).prefetch_related("invoices")


@promises.get("", response=list[PromiseOut], summary="List promises to pay")
@paginate(KeysetPagination)
def promise_list(request: HttpRequest, filters: Query[PromiseFilters]) -> QuerySet[Promise]:
    found = _promises(request)
    if filters.customer_id is not None:
        found = found.filter(customer_id=filters.customer_id)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.due_before is not None:
        found = found.filter(promised_on__lte=filters.due_before)
    return ordered_for_sync(found, filters.updated_since)


@promises.get("/{int:pk}", response=PromiseOut, summary="Get a promise to pay")
def promise_get(request: HttpRequest, pk: int) -> Promise:
    return get_visible(_promises(request), pk=pk)


@promises.post("", response={201: PromiseOut}, summary="Record a promise to pay")
def promise_create(request: HttpRequest, payload: PromiseIn) -> Status[Promise]:
    """Pauses the customer's dunning until the promised date plus the grace days."""
    user = caller(request)
    customer = get_visible(customers_visible_to(user), pk=payload.customer_id)
    _may_act(request, customer)
    chosen = list(invoices_visible_to(user).filter(customer=customer, pk__in=payload.invoice_ids))
    if len(chosen) != len(set(payload.invoice_ids)):
        message = _("Choose open invoices of this customer.")
        raise invalid([FieldError(message, pointer="/invoice_ids")])
    promise = promise_make(
        actor=user,
        customer=customer,
        amount=payload.amount,
        promised_on=payload.promised_on,
        invoices=chosen,
        note=payload.note,
    )
    return Status(201, get_visible(_promises(request), pk=promise.pk))


@promises.post("/{int:pk}/cancel", response=PromiseOut, summary="Cancel an open promise")
def promise_end(request: HttpRequest, pk: int, payload: CancelIn) -> Promise:
    """Finance withdraws the promise; its hold is released and dunning resumes."""
    require_editor(request)
    promise = get_visible(_promises(request), pk=pk)
    promise_cancel(actor=caller(request), promise=promise, reason=payload.reason)
    return get_visible(_promises(request), pk=pk)


class ExtensionFilters(Schema):
    customer_id: RowId | None = None
    invoice_id: RowId | None = None
    status: str | None = Field(None, description="pending, approved or refused")
    updated_since: Instant | None = None


@extensions.get("", response=list[ExtensionOut], summary="List due-date extension requests")
@paginate(KeysetPagination)
def extension_list(request: HttpRequest, filters: Query[ExtensionFilters]) -> QuerySet[Extension]:
    found = extensions_visible_to(caller(request))
    if filters.customer_id is not None:
        found = found.filter(customer_id=filters.customer_id)
    if filters.invoice_id is not None:
        found = found.filter(invoice_id=filters.invoice_id)
    if filters.status:
        found = found.filter(status=filters.status)
    return ordered_for_sync(found, filters.updated_since)


@extensions.get("/{int:pk}", response=ExtensionOut, summary="Get a due-date extension request")
def extension_get(request: HttpRequest, pk: int) -> Extension:
    return get_visible(extensions_visible_to(caller(request)), pk=pk)


@extensions.post("", response={201: ExtensionOut}, summary="Request a due-date extension")
def extension_create(request: HttpRequest, payload: ExtensionIn) -> Status[Extension]:
    """Waits for finance's decision (the approvals queue)."""
    user = caller(request)
    invoice = get_visible(
        invoices_visible_to(user).select_related("customer"), pk=payload.invoice_id
    )
    _may_act(request, invoice.customer)
    extension = extension_request(
        actor=user, invoice=invoice, due_on=payload.due_on, reason=payload.reason
    )
    return Status(201, get_visible(extensions_visible_to(user), pk=extension.pk))


@extensions.post(
    "/{int:pk}/approve", response=ExtensionOut, summary="Approve: move the invoice's due date"
)
def extension_yes(request: HttpRequest, pk: int, payload: DecisionIn) -> Extension:
    require_editor(request)
    extension = get_visible(extensions_visible_to(caller(request)), pk=pk)
    extension_approve(actor=caller(request), extension=extension, comment=payload.comment)
    return get_visible(extensions_visible_to(caller(request)), pk=pk)


@extensions.post("/{int:pk}/refuse", response=ExtensionOut, summary="Refuse, with a comment")
def extension_no(request: HttpRequest, pk: int, payload: DecisionIn) -> Extension:
    require_editor(request)
    extension = get_visible(extensions_visible_to(caller(request)), pk=pk)
    extension_refuse(actor=caller(request), extension=extension, comment=payload.comment)
    return get_visible(extensions_visible_to(caller(request)), pk=pk)
