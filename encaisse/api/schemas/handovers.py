"""Handovers, collection agencies and write-offs as the API shows and takes them."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from encaisse.api.schemas.common import Money
from encaisse.resolution.selectors.handover import handover_figures


class AgencyOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    address: str
    fee_percent: Decimal | None = Field(description="share of the amount recovered, in %")
    fixed_fee: Money | None
    active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class HandoverOut(Schema):
    id: uuid.UUID = Field(description="the handover's public id")
    customer_id: int
    kind: str = Field(description="agency or litigation")
    agency_id: int | None
    agency_name: str | None
    whole_account: bool
    invoice_ids: list[int]
    handed_on: dt.date
    status: str = Field(description="active, recalled or closed")
    currency: str
    fee_percent: Decimal
    fixed_fee: Money
    handed: Money = Field(description="Σ balances on the day of the handover")
    recovered: Money = Field(description="payments applied to its invoices during the handover")
    fees: Money = Field(description="the agency's fee on what was recovered, plus the fixed fee")
    note: str
    handed_by: str | None
    ended_on: dt.date | None
    ended_by: str | None
    end_note: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_id(handover: Any) -> uuid.UUID:
        return uuid.UUID(str(handover.public_id))

    @staticmethod
    def resolve_agency_name(handover: Any) -> str | None:
        return handover.agency.name if handover.agency is not None else None

    @staticmethod
    def resolve_invoice_ids(handover: Any) -> list[int]:
        return [line.invoice_id for line in handover.lines.all()]

    @staticmethod
    def resolve_handed(handover: Any) -> Decimal:
        return handover_figures(handover).handed

    @staticmethod
    def resolve_recovered(handover: Any) -> Decimal:
        return handover_figures(handover).recovered

    @staticmethod
    def resolve_fees(handover: Any) -> Decimal:
        return handover_figures(handover).fees

    @staticmethod
    def resolve_handed_by(handover: Any) -> str | None:
        return handover.handed_by.username if handover.handed_by is not None else None

    @staticmethod
    def resolve_ended_by(handover: Any) -> str | None:
        return handover.ended_by.username if handover.ended_by is not None else None


class HandoverIn(Schema):
    customer_id: int
    kind: str = Field("agency", description="agency or litigation")
    agency_id: int | None = Field(None, description="required for an agency")
    invoice_ids: list[int] | None = Field(
        None, description="leave out to hand over the whole account (every open invoice)"
    )
    handed_on: dt.date | None = Field(None, description="default: today")
    fee_percent: Decimal | None = Field(None, description="default: the agency's")
    fixed_fee: Money | None = Field(None, description="default: the agency's")
    note: str = ""


class HandoverEndIn(Schema):
    comment: str = ""


class WriteOffLineOut(Schema):
    invoice_id: int
    amount: Money


class WriteOffOut(Schema):
    id: uuid.UUID = Field(description="the write-off's public id")
    customer_id: int
    reason: str = Field(description="insolvency, too_small, commercial_gesture, prescription")
    note: str
    status: str = Field(description="requested, approved, rejected or reversed")
    currency: str
    total: Money
    lines: list[WriteOffLineOut]
    requested_by: str | None
    decided_by: str | None
    decided_at: dt.datetime | None
    comment: str
    reversed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_id(write_off: Any) -> uuid.UUID:
        return uuid.UUID(str(write_off.public_id))

    @staticmethod
    def resolve_lines(write_off: Any) -> list[dict[str, Any]]:
        return [{"invoice_id": ln.invoice_id, "amount": ln.amount} for ln in write_off.lines.all()]

    @staticmethod
    def resolve_requested_by(write_off: Any) -> str | None:
        return write_off.requested_by.username if write_off.requested_by is not None else None

    @staticmethod
    def resolve_decided_by(write_off: Any) -> str | None:
        return write_off.decided_by.username if write_off.decided_by is not None else None


class WriteOffIn(Schema):
    customer_id: int
    invoice_ids: list[int] = Field(description="their whole open balance is written off")
    reason: str = Field(description="insolvency, too_small, commercial_gesture, prescription")
    note: str = ""


class DecisionIn(Schema):
    comment: str = ""
