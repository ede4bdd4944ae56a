"""/api/v1/handovers, /api/v1/agencies and /api/v1/write-offs (docs/handover.md,
docs/write-offs.md). Writes are finance's: `require_editor` answers 403 before
any lookup, so a refusal says nothing about the object."""

import uuid

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from encaisse.api.access import get_visible, require_editor
from encaisse.api.auth import caller
from encaisse.api.pagination import KeysetPagination
from encaisse.api.schemas.common import Instant
from encaisse.api.schemas.handovers import (
    AgencyOut,
    DecisionIn,
    HandoverEndIn,
    HandoverIn,
    HandoverOut,
    WriteOffIn,
    WriteOffOut,
)
from encaisse.ledger.selectors import customers_visible_to, invoices_visible_to
from encaisse.lib.errors import ValidationFailed
from encaisse.resolution.models.handover import CollectionAgency, Handover
from encaisse.resolution.models.write_off import WriteOff
from encaisse.resolution.selectors.handover import agencies, handovers_visible_to
from encaisse.resolution.selectors.write_off import write_offs_visible_to
from encaisse.resolution.services.case_file import case_file_build, case_file_name
from encaisse.resolution.services.handover import (
    handover_close,
    handover_create,
    handover_recall,
)
from encaisse.resolution.services.write_off import (
    write_off_approve,
    write_off_reject,
    write_off_request,
)
from encaisse.web.timeline import sentence

handovers = Router(tags=["handovers"])
agencies_router = Router(tags=["handovers"])
write_offs = Router(tags=["write-offs"])


class Filters(Schema):
    customer_id: int | None = None
    status: str | None = Field(None, description="filter on the status")
    updated_since: Instant | None = None


def _filtered(found: QuerySet, filters: Filters) -> QuerySet:
    if filters.customer_id is not None:
        found = found.filter(customer_id=filters.customer_id)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.updated_since is not None:
        return found.filter(updated_at__gte=filters.updated_since).order_by("updated_at", "id")
    return found.order_by("id")


def _handovers(request: HttpRequest) -> QuerySet[Handover]:
    return handovers_visible_to(caller(request)).prefetch_related("lines")


@handovers.get("", response=list[HandoverOut], summary="List handovers")
@paginate(KeysetPagination)
def handover_list(request: HttpRequest, filters: Query[Filters]) -> QuerySet[Handover]:
    return _filtered(_handovers(request), filters)


@handovers.get("/{uuid:public_id}", response=HandoverOut, summary="Get a handover")
def handover_get(request: HttpRequest, public_id: uuid.UUID) -> Handover:
    return get_visible(_handovers(request), public_id=public_id)


@handovers.post("", response={201: HandoverOut}, summary="Hand a customer or invoices over")
def handover_new(request: HttpRequest, payload: HandoverIn) -> Status[Handover]:
    require_editor(request)
    user = caller(request)
    customer = get_visible(customers_visible_to(user), pk=payload.customer_id)
    agency = None
    if payload.agency_id is not None:
        agency = CollectionAgency.objects.filter(pk=payload.agency_id).first()
        if agency is None:
            raise ValidationFailed.single("agency_id", _("Choose the agency."))
    invoices = None
    if payload.invoice_ids is not None:
        invoices = list(
            invoices_visible_to(user).filter(customer=customer, pk__in=payload.invoice_ids)
        )
        if len(invoices) != len(set(payload.invoice_ids)):
            message = _("Choose open invoices of this customer.")
            raise ValidationFailed.single("invoice_ids", message)
    handover = handover_create(
        actor=user,
        customer=customer,
        kind=payload.kind,
        agency=agency,
        invoices=invoices,
        handed_on=payload.handed_on,
        fee_percent=payload.fee_percent,
        fixed_fee=payload.fixed_fee,
        note=payload.note,
    )
    return Status(201, get_visible(_handovers(request), pk=handover.pk))


@handovers.post("/{uuid:public_id}/recall", response=HandoverOut, summary="Recall a handover")
def handover_take_back(
    request: HttpRequest, public_id: uuid.UUID, payload: HandoverEndIn
) -> Handover:
    require_editor(request)
    handover = get_visible(_handovers(request), public_id=public_id)
    handover_recall(actor=caller(request), handover=handover, comment=payload.comment)
    return get_visible(_handovers(request), pk=handover.pk)


@handovers.post("/{uuid:public_id}/close", response=HandoverOut, summary="Close a handover")
def handover_end(request: HttpRequest, public_id: uuid.UUID, payload: HandoverEndIn) -> Handover:
    require_editor(request)
    handover = get_visible(_handovers(request), public_id=public_id)
    handover_close(actor=caller(request), handover=handover, comment=payload.comment)
    return get_visible(_handovers(request), pk=handover.pk)


@handovers.get(
    "/{uuid:public_id}/case-file",
    response={200: None},
    summary="Download the case file (ZIP)",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The case file",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def handover_case_file(request: HttpRequest, public_id: uuid.UUID) -> FileResponse:
    user = caller(request)
    handover = get_visible(_handovers(request), public_id=public_id)
    archive = case_file_build(handover=handover, user=user, describe=sentence)
    return FileResponse(
        archive,
        as_attachment=True,
        filename=case_file_name(handover),
        content_type="application/zip",
    )


@agencies_router.get("", response=list[AgencyOut], summary="List collection agencies")
@paginate(KeysetPagination)
def agency_list(request: HttpRequest) -> QuerySet[CollectionAgency]:
    return agencies().order_by("id")


def _write_offs(request: HttpRequest) -> QuerySet[WriteOff]:
    return write_offs_visible_to(caller(request)).prefetch_related("lines")


@write_offs.get("", response=list[WriteOffOut], summary="List write-offs")
@paginate(KeysetPagination)
def write_off_list(request: HttpRequest, filters: Query[Filters]) -> QuerySet[WriteOff]:
    return _filtered(_write_offs(request), filters)


@write_offs.get("/{uuid:public_id}", response=WriteOffOut, summary="Get a write-off")
def write_off_get(request: HttpRequest, public_id: uuid.UUID) -> WriteOff:
    return get_visible(_write_offs(request), public_id=public_id)


@write_offs.post("", response={201: WriteOffOut}, summary="Request a write-off")
def write_off_new(request: HttpRequest, payload: WriteOffIn) -> Status[WriteOff]:
    require_editor(request)
    user = caller(request)
    customer = get_visible(customers_visible_to(user), pk=payload.customer_id)
    invoices = list(invoices_visible_to(user).filter(customer=customer, pk__in=payload.invoice_ids))
    if len(invoices) != len(set(payload.invoice_ids)):
        raise ValidationFailed.single("invoice_ids", _("Choose open invoices of this customer."))
    write_off = write_off_request(
        actor=user, customer=customer, invoices=invoices, reason=payload.reason, note=payload.note
    )
    return Status(201, get_visible(_write_offs(request), pk=write_off.pk))


@write_offs.post("/{uuid:public_id}/approve", response=WriteOffOut, summary="Approve a write-off")
def write_off_yes(request: HttpRequest, public_id: uuid.UUID, payload: DecisionIn) -> WriteOff:
    require_editor(request)
    write_off = get_visible(_write_offs(request), public_id=public_id)
    write_off_approve(actor=caller(request), write_off=write_off, comment=payload.comment)
    return get_visible(_write_offs(request), pk=write_off.pk)


@write_offs.post("/{uuid:public_id}/reject", response=WriteOffOut, summary="Reject a write-off")
def write_off_no(request: HttpRequest, public_id: uuid.UUID, payload: DecisionIn) -> WriteOff:
    require_editor(request)
    write_off = get_visible(_write_offs(request), public_id=public_id)
    write_off_reject(actor=caller(request), write_off=write_off, comment=payload.comment)
    return get_visible(_write_offs(request), pk=write_off.pk)
