"""/api/v1/disputes and /api/v1/dispute-reasons: disputes the caller may see; sales reps
open disputes on their own customers, finance assigns, resolves and rejects."""

import uuid

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from encaisse.accounts.models import User
from encaisse.api.access import get_visible, require_editor
from encaisse.api.auth import caller
from encaisse.api.pagination import KeysetPagination
from encaisse.api.problems import FieldError, forbidden, invalid
from encaisse.api.schemas.common import Instant
from encaisse.api.schemas.disputes import (
    DisputeIn,
    DisputeOut,
    DisputePatch,
    DisputeReasonIn,
    DisputeReasonOut,
    DisputeReasonPatch,
    DisputeRejectIn,
    DisputeResolveIn,
)
from encaisse.ledger.selectors import (
    credit_notes_visible_to,
    customers_visible_to,
    invoices_visible_to,
)
from encaisse.lib import clock
from encaisse.resolution.models import OPEN_DISPUTE_STATUSES, Dispute, DisputeReason, DisputeSource
from encaisse.resolution.selectors.disputes import disputes_visible_to, overdue
from encaisse.resolution.services.dispute_reasons import (
    dispute_reason_create,
    dispute_reason_update,
)
from encaisse.resolution.services.disputes import (
    Disputed,
    dispute_assign,
    dispute_open,
    dispute_progress,
    dispute_reject,
    dispute_resolve,
)

router = Router(tags=["disputes"])
reasons = Router(tags=["disputes"])


class DisputeFilters(Schema):
    status: str | None = Field(None, description="open (open or in progress), or one status")
    reason: str | None = Field(None, description="a reason's code")
    customer_id: int | None = None
    owner: str | None = Field(None, description="a username, or `finance` for the queue")
    sla_overdue: bool | None = None
    updated_since: Instant | None = None


def _disputes(request: HttpRequest) -> QuerySet[Dispute]:
    return (
        disputes_visible_to(caller(request))
        .select_related("reason", "opened_by")
        .prefetch_related("lines")
    )


@router.get("", response=list[DisputeOut], summary="List disputes")
@paginate(KeysetPagination)
def dispute_list(request: HttpRequest, filters: Query[DisputeFilters]) -> QuerySet[Dispute]:
    found = _disputes(request)
    if filters.status == "open":
        found = found.filter(status__in=OPEN_DISPUTE_STATUSES)
    elif filters.status:
        found = found.filter(status=filters.status)
    if filters.reason:
        found = found.filter(reason__code=filters.reason)
    if filters.customer_id is not None:
        found = found.filter(customer_id=filters.customer_id)
    if filters.owner == "finance":
        found = found.filter(owner__isnull=True)
    elif filters.owner:
        found = found.filter(owner__username=filters.owner)
    if filters.sla_overdue:
        found = overdue(found, clock.today())
    if filters.updated_since is not None:
        return found.filter(updated_at__gte=filters.updated_since).order_by("updated_at", "id")
    return found.order_by("id")


@router.get("/{uuid:dispute_id}", response=DisputeOut, summary="Get a dispute")
def dispute_get(request: HttpRequest, dispute_id: uuid.UUID) -> Dispute:
    return get_visible(_disputes(request), public_id=dispute_id)


def _owner(user: User, owner_id: int | None, pointer: str) -> User | None:
    if owner_id is None:
        return None
    owner = User.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None:
        raise invalid([FieldError(_("No such user."), pointer=pointer)])
    return owner


@router.post("", response={201: DisputeOut}, summary="Open a dispute on invoices of a customer")
def dispute_create(request: HttpRequest, payload: DisputeIn) -> Status[Dispute]:
    """Finance, admins and the customer's account manager; the invoices' dunning stops."""
    user = caller(request)
    customer = get_visible(customers_visible_to(user), pk=payload.customer_id)
    if not user.can_edit_ledger and customer.account_manager_id != user.pk:
        raise forbidden()
    reason = DisputeReason.objects.filter(code=payload.reason).first()
    if reason is None:
        raise invalid([FieldError(_("Unknown reason code."), pointer="/reason")])
    visible = invoices_visible_to(user).in_bulk([line.invoice_id for line in payload.invoices])
    missing = [i for i, line in enumerate(payload.invoices) if line.invoice_id not in visible]
    if missing:
        message = _("No such invoice.")
        raise invalid([FieldError(message, pointer=f"/invoices/{i}/invoice_id") for i in missing])
    dispute = dispute_open(
        actor=user,
        customer=customer,
        reason=reason,
        lines=[Disputed(visible[line.invoice_id], line.amount) for line in payload.invoices],
        description=payload.description,
        owner=_owner(user, payload.owner_id, "/owner_id"),
        source=DisputeSource.FINANCE if user.can_edit_ledger else DisputeSource.SALES,
    )
    return Status(201, get_visible(_disputes(request), pk=dispute.pk))


@router.patch("/{uuid:dispute_id}", response=DisputeOut, summary="Assign a dispute or start it")
def dispute_update(request: HttpRequest, dispute_id: uuid.UUID, payload: DisputePatch) -> Dispute:
    require_editor(request)
    user = caller(request)
    dispute = get_visible(_disputes(request).select_related("customer"), public_id=dispute_id)
    if payload.status not in (None, "in_progress"):
        message = _("Only in_progress here; close with /resolve or /reject.")
        raise invalid([FieldError(message, pointer="/status")])
    if payload.assign or payload.owner_id is not None:
        dispute_assign(
            actor=user, dispute=dispute, owner=_owner(user, payload.owner_id, "/owner_id")
        )
    if payload.status == "in_progress":
        dispute_progress(actor=user, dispute=dispute)
    return get_visible(_disputes(request), pk=dispute.pk)


@router.post("/{uuid:dispute_id}/resolve", response=DisputeOut, summary="Resolve a dispute")
def dispute_resolve_api(
    request: HttpRequest, dispute_id: uuid.UUID, payload: DisputeResolveIn
) -> Dispute:
    require_editor(request)
    user = caller(request)
    dispute = get_visible(_disputes(request), public_id=dispute_id)
    credit_note = invoice = None
    if payload.credit_note_id is not None:
        credit_note = credit_notes_visible_to(user).filter(pk=payload.credit_note_id).first()
        if credit_note is None:
            raise invalid([FieldError(_("No such credit note."), pointer="/credit_note_id")])
    if payload.corrected_invoice_id is not None:
        invoice = invoices_visible_to(user).filter(pk=payload.corrected_invoice_id).first()
        if invoice is None:
            raise invalid([FieldError(_("No such invoice."), pointer="/corrected_invoice_id")])
    dispute_resolve(
        actor=user,
        dispute=dispute,
        resolution=payload.resolution,
        credit_note=credit_note,
        corrected_invoice=invoice,
        note=payload.note,
    )
    return get_visible(_disputes(request), pk=dispute.pk)


@router.post("/{uuid:dispute_id}/reject", response=DisputeOut, summary="Reject a dispute")
def dispute_reject_api(
    request: HttpRequest, dispute_id: uuid.UUID, payload: DisputeRejectIn
) -> Dispute:
    require_editor(request)
    dispute = get_visible(_disputes(request), public_id=dispute_id)
    dispute_reject(actor=caller(request), dispute=dispute, explanation=payload.explanation)
    return get_visible(_disputes(request), pk=dispute.pk)


@reasons.get("", response=list[DisputeReasonOut], summary="List dispute reasons")
def reason_list(request: HttpRequest) -> QuerySet[DisputeReason]:
    return DisputeReason.objects.order_by("position", "code")


@reasons.post("", response={201: DisputeReasonOut}, summary="Add a dispute reason")
def reason_create(request: HttpRequest, payload: DisputeReasonIn) -> Status[DisputeReason]:
    require_editor(request)
    reason = dispute_reason_create(
        actor=caller(request),
        code=payload.code,
        label_fr=payload.label_fr,
        label_en=payload.label_en,
        sla_days=payload.sla_days,
    )
    return Status(201, reason)


@reasons.patch("/{int:pk}", response=DisputeReasonOut, summary="Rename, re-time or deactivate")
def reason_update(request: HttpRequest, pk: int, payload: DisputeReasonPatch) -> DisputeReason:
    require_editor(request)
    reason = get_visible(DisputeReason.objects.all(), pk=pk)
    return dispute_reason_update(
        actor=caller(request),
        reason=reason,
        label_fr=payload.label_fr if payload.label_fr is not None else reason.label_fr,
        label_en=payload.label_en if payload.label_en is not None else reason.label_en,
        sla_days=payload.sla_days if payload.sla_days is not None else reason.sla_days,
        active=payload.active if payload.active is not None else reason.active,
    )
