"""/api/v1/settings and /api/v1/plans: the company's settings and the dunning plans,
written through the same services as the settings page and the plan editor."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from encaisse.api.access import get_visible, require_editor
from encaisse.api.auth import caller
from encaisse.api.problems import forbidden
from encaisse.api.schemas.common import LocalTime, Money
from encaisse.dunning.models import DunningPlan
from encaisse.dunning.services.go_live import go_live_policy_update
from encaisse.dunning.services.plan_edit import plan_create, plan_update
from encaisse.dunning.services.plan_remove import plan_delete
from encaisse.dunning.services.plan_rules import StepFields
from encaisse.dunning.services.settings import dunning_settings_update
from encaisse.dunning.settings_selectors import SettingsView, settings_visible_to
from encaisse.ledger.services.company import (
    company_identity_update,
    company_settings_update,
    company_terms_update,
)

settings = Router(tags=["settings"])
plans = Router(tags=["plans"])


@settings.get("", response=SettingsView, summary="The company's settings (as much as yours to see)")
def settings_get(request: HttpRequest) -> SettingsView:
    return settings_visible_to(caller(request))


class IdentityIn(Schema):
    legal_name: str | None = None
    siren: str | None = None
    vat_number: str | None = None
    address: str | None = None
    iban: str | None = None
    bic: str | None = None
    email: str | None = None
    phone: str | None = None
    currency: str | None = None
    language: str | None = None


class TermsIn(Schema):
    default_terms_days: int | None = None
    default_terms_end_of_month: bool | None = None


class CashIn(Schema):
    cash_auto_apply: bool | None = None
    amount_tolerance: Money | None = None


class DunningIn(Schema):
    run_at: LocalTime | None = None
    freshness_max_hours: int | None = None
    promise_grace_days: int | None = None
    notice_deadline_days: int | None = None
    contractual_penalty_rate: Decimal | None = Field(
        None, description="percent a year; null: the legal rate (leave out to keep)"
    )
    legal_interest_rate: Decimal | None = None
    recovery_indemnity: Money | None = None
    claim_penalties: bool | None = None
    max_delivery_attempts: int | None = None
    min_contact_gap_days: int | None = None


class GoLiveIn(Schema):
    go_live_on: dt.date | None = Field(description="invoices due before it are the backlog")
    mode: str = Field(description="how the backlog is dunned: see docs/dunning.md")
    ceiling_offset: int | None = None


def _changes(payload: Schema) -> dict[str, Any]:
    return payload.model_dump(exclude_unset=True)


@settings.patch("/identity", response=SettingsView, summary="Change the company's identity")
def identity_patch(request: HttpRequest, payload: IdentityIn) -> SettingsView:
    require_editor(request)
    company_identity_update(actor=caller(request), **_changes(payload))
    return settings_visible_to(caller(request))


@settings.patch("/terms", response=SettingsView, summary="Change the default payment terms")
def terms_patch(request: HttpRequest, payload: TermsIn) -> SettingsView:
    require_editor(request)
    company_terms_update(actor=caller(request), **_changes(payload))
    return settings_visible_to(caller(request))


@settings.patch("/cash", response=SettingsView, summary="Change the cash application settings")
def cash_patch(request: HttpRequest, payload: CashIn) -> SettingsView:
    require_editor(request)
    company_settings_update(actor=caller(request), **_changes(payload))
    return settings_visible_to(caller(request))


@settings.patch("/dunning", response=SettingsView, summary="Change the dunning settings")
def dunning_patch(request: HttpRequest, payload: DunningIn) -> SettingsView:
    require_editor(request)
    dunning_settings_update(actor=caller(request), **_changes(payload))
    return settings_visible_to(caller(request))


@settings.put("/go-live", response=SettingsView, summary="Set the go-live policy")
def go_live_put(request: HttpRequest, payload: GoLiveIn) -> SettingsView:
    require_editor(request)
    go_live_policy_update(actor=caller(request), **payload.model_dump())
    return settings_visible_to(caller(request))


class StepIO(Schema):
    id: int | None = Field(
        None, description="an existing step of the plan; leave out for a new one"
    )
    name: str
    offset_days: int = Field(description="days after the due date (negative: before)")
    action: str
    template_code: str = ""
    mode: str = "automatic"
    min_balance: Money = Decimal("0.00")
    sender: str = "company"
    assignee: str = "account_manager"
    registered_mail: bool = False


class PlanOut(Schema):
    id: int
    name: str
    description: str
    is_default: bool
    risk_classes: str
    steps: list[StepIO]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_steps(plan: DunningPlan) -> list[Any]:
        return list(plan.steps.order_by("offset_days", "id"))


class PlanIn(Schema):
    name: str
    description: str = ""
    risk_classes: str = ""
    is_default: bool = False
    steps: list[StepIO] = Field(default_factory=list, max_length=30)


class PlanPatch(Schema):
    name: str | None = None
    description: str | None = None
    risk_classes: str | None = None
    is_default: bool | None = None
    steps: list[StepIO] | None = Field(
        None, max_length=30, description="the whole list: steps left out are deleted"
    )


def _steps(items: list[StepIO]) -> list[StepFields]:
    return [StepFields(**item.model_dump()) for item in items]


def _plans(request: HttpRequest) -> QuerySet[DunningPlan]:
    """Plans are finance's (as the plan editor is)."""
    if not caller(request).can_edit_ledger:
        raise forbidden()
    return DunningPlan.objects.prefetch_related("steps")


@plans.get("", response=list[PlanOut], summary="List dunning plans")
def plan_list(request: HttpRequest) -> QuerySet[DunningPlan]:
    return _plans(request).order_by("id")


@plans.get("/{int:pk}", response=PlanOut, summary="Get a dunning plan")
def plan_get(request: HttpRequest, pk: int) -> DunningPlan:
    return get_visible(_plans(request), pk=pk)


@plans.post("", response={201: PlanOut}, summary="Create a dunning plan")
def plan_post(request: HttpRequest, payload: PlanIn) -> Status[DunningPlan]:
    require_editor(request)
    fields = payload.model_dump(exclude={"steps"})
    plan = plan_create(actor=caller(request), steps=_steps(payload.steps), **fields)
    return Status(201, get_visible(_plans(request), pk=plan.pk))


@plans.patch("/{int:pk}", response=PlanOut, summary="Change a dunning plan")
def plan_patch(request: HttpRequest, pk: int, payload: PlanPatch) -> DunningPlan:
    require_editor(request)
    plan = get_visible(_plans(request), pk=pk)
    changes = payload.model_dump(exclude_unset=True, exclude={"steps"})
    steps = _steps(payload.steps) if payload.steps is not None else None
    plan_update(actor=caller(request), plan=plan, steps=steps, **changes)
    return get_visible(_plans(request), pk=pk)


@plans.delete("/{int:pk}", response={204: None}, summary="Delete a plan no invoice uses")
def plan_remove(request: HttpRequest, pk: int) -> Status[None]:
    require_editor(request)
    plan_delete(actor=caller(request), plan=get_visible(_plans(request), pk=pk))
    return Status(204, None)
