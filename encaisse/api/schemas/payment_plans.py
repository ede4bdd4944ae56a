"""Instalment plans in the API: the plan with its schedule embedded."""

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from encaisse.api.schemas.common import Money

# A database id: beyond 64 bits no row exists (and SQLite cannot even compare it).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class InstalmentOut(Schema):
    sequence: int = Field(description="0 is the deposit, when there is one")
    is_deposit: bool
    due_on: dt.date
    amount: Money
    paid_amount: Money
    status: str = Field(description="pending, paid, partially_paid, missed")
    paid_on: dt.date | None


class PaymentPlanOut(Schema):
    id: uuid.UUID
    customer_id: int
    invoice_ids: list[int]
    status: str = Field(description="proposed, active, completed, defaulted, cancelled, refused")
    source: str = Field(description="finance, sales, portal")
    currency: str
    total: Money
    deposit: Money
    deposit_due_on: dt.date | None
    instalment_count: int
    frequency: str
    first_due_on: dt.date
    waive_penalties: bool
    grace_days: int
    note: str
    proposed_by: str | None
    approved_by: str | None = Field(description="who approved or refused it")
    decision_comment: str
    decided_at: dt.datetime | None
    activated_at: dt.datetime | None
    ended_on: dt.date | None
    instalments: list[InstalmentOut]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_id(plan: Any) -> uuid.UUID:
        return plan.public_id

    @staticmethod
    def resolve_invoice_ids(plan: Any) -> list[int]:
        return [link.invoice_id for link in plan.covered.all()]

    @staticmethod
    def resolve_instalments(plan: Any) -> list[Any]:
        return list(plan.instalments.all())

    @staticmethod
    def resolve_proposed_by(plan: Any) -> str | None:
        return plan.proposed_by.username if plan.proposed_by is not None else None

    @staticmethod
    def resolve_approved_by(plan: Any) -> str | None:
        return plan.approved_by.username if plan.approved_by is not None else None


class PaymentPlanIn(Schema):
    customer_id: Id
    invoice_ids: list[Id] = Field(min_length=1, max_length=200)
    instalment_count: int = Field(ge=1, le=60)
    frequency: Literal["weekly", "biweekly", "monthly", "quarterly"]
    first_due_on: dt.date
    total: Money | None = Field(None, gt=0, description="default: the invoices' open balances")
    deposit: Money | None = Field(None, ge=0)
    deposit_due_on: dt.date | None = Field(None, description="default: today")
    waive_penalties: bool = False
    grace_days: int | None = Field(None, ge=0, le=60, description="default: the promise setting")
    note: str = Field("", max_length=2000)
    activate: bool = Field(False, description="finance only: active at once, no approval")


class DecisionIn(Schema):
    comment: str = Field("", max_length=2000)
