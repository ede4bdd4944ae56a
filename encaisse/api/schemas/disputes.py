"""Disputes and their reasons, as the API shows them (the webhook events carry the same)."""

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema

from encaisse.api.schemas.common import Money
from encaisse.lib import clock


class DisputedInvoiceOut(Schema):
    invoice_id: int
    amount: Money
    hold_id: int | None


class DisputeOut(Schema):
    id: uuid.UUID = Field(description="the dispute's public id")
    customer_id: int
    reason: str = Field(description="the reason's code (see /dispute-reasons)")
    description: str
    status: str = Field(description="open, in_progress, resolved, rejected")
    owner_id: int | None = Field(description="null: the finance queue")
    source: str = Field(description="finance, sales, portal")
    currency: str
    amount: Money = Field(description="the disputed total")
    invoices: list[DisputedInvoiceOut]
    resolution: str = Field(description="credit_note, corrected_invoice, rejected; empty: open")
    credit_note_id: int | None
    corrected_invoice_id: int | None
    resolution_note: str
    opened_at: dt.datetime
    opened_by: str | None
    sla_due_on: dt.date
    sla_overdue: bool
    resolved_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_id(dispute: Any) -> uuid.UUID:
        return dispute.public_id

    @staticmethod
    def resolve_reason(dispute: Any) -> str:
        return str(dispute.reason.code)

    @staticmethod
    def resolve_invoices(dispute: Any) -> list[dict[str, Any]]:
        return [
            {"invoice_id": line.invoice_id, "amount": line.amount, "hold_id": line.hold_id}
            for line in dispute.lines.all()
        ]

    @staticmethod
    def resolve_opened_by(dispute: Any) -> str | None:
        return dispute.opened_by.username if dispute.opened_by is not None else None

    @staticmethod
    def resolve_sla_overdue(dispute: Any) -> bool:
        return bool(dispute.is_overdue(clock.today()))


class DisputedInvoiceIn(Schema):
    invoice_id: int
    amount: Money | None = Field(None, description="the disputed part; default: the open balance")


class DisputeIn(Schema):
    customer_id: int
    reason: str = Field(description="a reason's code", max_length=32)
    invoices: list[DisputedInvoiceIn] = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=4000)
    owner_id: int | None = Field(None, description="null: the finance queue")


class DisputePatch(Schema):
    status: str | None = Field(None, description="in_progress (close with /resolve or /reject)")
    owner_id: int | None = Field(None, description="null with `assign: true`: the finance queue")
    assign: bool = Field(False, description="true: set the owner to `owner_id`")


class DisputeResolveIn(Schema):
    resolution: str = Field(description="credit_note or corrected_invoice")
    credit_note_id: int | None = None
    corrected_invoice_id: int | None = None
    note: str = Field("", max_length=4000)


class DisputeRejectIn(Schema):
    explanation: str = Field(min_length=1, max_length=4000)


class DisputeReasonOut(Schema):
    id: int
    code: str
    label_fr: str
    label_en: str
    sla_days: int
    active: bool
    position: int
    created_at: dt.datetime
    updated_at: dt.datetime


class DisputeReasonIn(Schema):
    code: str = Field(max_length=32)
    label_fr: str = Field(min_length=1, max_length=120)
    label_en: str = Field("", max_length=120)
    sla_days: int = Field(30, ge=1, le=365)


class DisputeReasonPatch(Schema):
    label_fr: str | None = Field(None, min_length=1, max_length=120)
    label_en: str | None = Field(None, max_length=120)
    sla_days: int | None = Field(None, ge=1, le=365)
    active: bool | None = None
