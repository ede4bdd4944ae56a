"""Promises to pay and due-date extensions in the API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema

from encaisse.api.schemas.common import Money

# A row id a caller filters on: within the databases' 64-bit integers (a larger
# one is a 422, not an overflow in the database driver).
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class PromiseOut(Schema):
    id: int
    customer_id: int
    invoice_ids: list[int]
    amount: Money
    currency: str
    promised_on: dt.date
    made_on: dt.date
    grace_until: dt.date = Field(description="payments dated up to this day count")
    source: str = Field(description="finance, sales or portal")
    status: str = Field(description="open, kept, broken or cancelled")
    note: str
    paid_amount: Money = Field(description="what had been paid when it was settled")
    settled_on: dt.date | None
    hold_id: int | None
    created_by: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_invoice_ids(promise: Any) -> list[int]:
        return sorted(invoice.pk for invoice in promise.invoices.all())

    @staticmethod
    def resolve_created_by(promise: Any) -> str | None:
        return promise.created_by.username if promise.created_by is not None else None


class PromiseIn(Schema):
    customer_id: int
    amount: Money
    promised_on: dt.date
    invoice_ids: list[int] = Field(default_factory=list, description="optional: the invoices paid")
    note: str = ""


class CancelIn(Schema):
    reason: str = ""


class ExtensionOut(Schema):
    id: int
    customer_id: int
    invoice_id: int
    due_on: dt.date = Field(description="the due date asked for")
    previous_due_on: dt.date
    reason: str
    source: str
    status: str = Field(description="pending, approved or refused")
    requested_by: str | None
    decided_by: str | None
    decided_at: dt.datetime | None
    comment: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_requested_by(extension: Any) -> str | None:
        who = extension.requested_by
        return who.username if who is not None else None

    @staticmethod
    def resolve_decided_by(extension: Any) -> str | None:
        who = extension.decided_by
        return who.username if who is not None else None


class ExtensionIn(Schema):
    invoice_id: int
    due_on: dt.date
    reason: str


class DecisionIn(Schema):
    comment: str = ""
