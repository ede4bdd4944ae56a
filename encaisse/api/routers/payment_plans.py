"""/api/v1/payment-plans: instalment plans — list, propose, approve, refuse, cancel."""

import uuid

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from encaisse.api.access import get_visible, require_editor
from encaisse.api.auth import caller
from encaisse.api.pagination import KeysetPagination
from encaisse.api.problems import FieldError, invalid
from encaisse.api.schemas.common import Instant
from encaisse.api.schemas.payment_plans import DecisionIn, PaymentPlanIn, PaymentPlanOut
from encaisse.ledger.selectors import customers_visible_to, invoices_visible_to
from encaisse.resolution.models.payment_plans import PaymentPlan
from encaisse.resolution.selectors.payment_plans import plans_visible_to
from encaisse.resolution.services.payment_plans import (
    plan_approve,
    plan_cancel,
    plan_propose,
    plan_refuse,
)

router = Router(tags=["payment plans"])


class PlanFilters(Schema):
    status: str | None = Field(
        None, description="proposed, active, completed, defaulted, cancelled, refused"
    )
    customer_id: int | None = None
    invoice_id: int | None = None
    updated_since: Instant | None = None


@router.get("", response=list[PaymentPlanOut], summary="List instalment plans")
@paginate(KeysetPagination)
def plan_list(request: HttpRequest, filters: Query[PlanFilters]) -> QuerySet[PaymentPlan]:
    plans = plans_visible_to(caller(request))
    if filters.status:
        plans = plans.filter(status=filters.status)
    if filters.customer_id is not None:
        plans = plans.filter(customer_id=filters.customer_id)
    if filters.invoice_id is not None:
        plans = plans.filter(covered__invoice_id=filters.invoice_id)
    if filters.updated_since is not None:
        return plans.filter(updated_at__gte=filters.updated_since).order_by("updated_at", "id")
    return plans.order_by("id")


@router.get("/{uuid:plan_id}", response=PaymentPlanOut, summary="Get an instalment plan")
def plan_get(request: HttpRequest, plan_id: uuid.UUID) -> PaymentPlan:
    return get_visible(plans_visible_to(caller(request)), public_id=plan_id)


@router.post("", response={201: PaymentPlanOut}, summary="Propose an instalment plan")
def plan_create(request: HttpRequest, payload: PaymentPlanIn) -> Status[PaymentPlan]:
    """A rep proposes for his portfolio (finance approves); finance may `activate` at once."""
    user = caller(request)
    customer = get_visible(customers_visible_to(user), pk=payload.customer_id)
    invoices = list(invoices_visible_to(user).filter(customer=customer, pk__in=payload.invoice_ids))
    if len(invoices) != len(set(payload.invoice_ids)):
        raise invalid(
            [FieldError(_("Each invoice must be one of this customer's."), pointer="/invoice_ids")]
        )
    plan = plan_propose(
        actor=user,
        customer=customer,
        invoices=invoices,
        instalment_count=payload.instalment_count,
        frequency=payload.frequency,
        first_due_on=payload.first_due_on,
        total=payload.total,
        deposit=payload.deposit,
        deposit_due_on=payload.deposit_due_on,
        waive_penalties=payload.waive_penalties,
        grace_days=payload.grace_days,
        note=payload.note,
        activate=payload.activate,
    )
    return Status(201, get_visible(plans_visible_to(user), pk=plan.pk))


def _decided(request: HttpRequest, plan_id: uuid.UUID) -> PaymentPlan:
    require_editor(request)
    return get_visible(plans_visible_to(caller(request)), public_id=plan_id)


@router.post("/{uuid:plan_id}/approve", response=PaymentPlanOut, summary="Approve a proposed plan")
def plan_approved(request: HttpRequest, plan_id: uuid.UUID, payload: DecisionIn) -> PaymentPlan:
    plan = plan_approve(
        actor=caller(request), plan=_decided(request, plan_id), comment=payload.comment
    )
    return get_visible(plans_visible_to(caller(request)), pk=plan.pk)


@router.post("/{uuid:plan_id}/refuse", response=PaymentPlanOut, summary="Refuse a proposed plan")
def plan_refused(request: HttpRequest, plan_id: uuid.UUID, payload: DecisionIn) -> PaymentPlan:
    plan = plan_refuse(
        actor=caller(request), plan=_decided(request, plan_id), comment=payload.comment
    )
    return get_visible(plans_visible_to(caller(request)), pk=plan.pk)


@router.post("/{uuid:plan_id}/cancel", response=PaymentPlanOut, summary="Cancel a plan")
def plan_cancelled(request: HttpRequest, plan_id: uuid.UUID, payload: DecisionIn) -> PaymentPlan:
    plan = plan_cancel(
        actor=caller(request), plan=_decided(request, plan_id), comment=payload.comment
    )
    return get_visible(plans_visible_to(caller(request)), pk=plan.pk)
