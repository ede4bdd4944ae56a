"""Dunning as the API shows it: holds, tasks, messages, timeline, preview.

The invoice's dunning report and the preview are the domain's own typed values
(`dunning.services.explain_report`, `preview_scoped`): the API serialises
exactly what the pages render.
"""

import datetime as dt
from typing import Any

from ninja import Field, Schema

from encaisse.api.schemas.common import Money
from encaisse.collab.models import Task
from encaisse.dunning.selectors import MessageRow
from encaisse.dunning.services.preview_scoped import PreviewDayTotals, PreviewMessage


class HoldOut(Schema):
    id: int
    customer_id: int
    invoice_id: int | None = Field(description="null: every invoice of the customer")
    reason: str
    note: str
    starts_on: dt.date
    ends_on: dt.date | None = Field(description="null: until released")
    released_on: dt.date | None
    created_by: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_created_by(hold: Any) -> str | None:
        return hold.created_by.username if hold.created_by is not None else None


class HoldIn(Schema):
    customer_id: int
    invoice_id: int | None = Field(None, description="leave out to hold every invoice")
    reason: str = Field(description="dispute, promise, instalment_plan, customer_hold, other…")
    starts_on: dt.date | None = Field(None, description="default: today")
    ends_on: dt.date | None = None
    note: str = ""


class TaskOut(Schema):
    id: int
    kind: str
    title: str
    details: str
    queue: str
    assignee: str | None
    customer_id: int | None
    invoice_ids: list[int]
    due_on: dt.date
    status: str
    result: str
    outcome: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_assignee(task: Task) -> str | None:
        return task.assignee.username if task.assignee is not None else None

    @staticmethod
    def resolve_invoice_ids(task: Task) -> list[int]:
        return [invoice.pk for invoice in task.invoices.all()]


class TaskCompleteIn(Schema):
    result: str = Field("done", description="done, reached, no_answer, not_needed")
    outcome: str = Field("", description="what happened, in your words")


class AttemptOut(Schema):
    number: int
    at: dt.datetime
    outcome: str
    error: str


class MessageInvoiceOut(Schema):
    invoice_id: int
    number: str
    balance: Money


class MessageOut(Schema):
    id: int
    customer_id: int
    channel: str
    state: str
    step_name: str
    decided_on: dt.date
    sent_at: dt.datetime | None
    recipients: list[str]
    subject: str
    total: Money
    currency: str
    invoices: list[MessageInvoiceOut]
    attempts: list[AttemptOut]


def message_out(row: MessageRow) -> dict[str, Any]:
    message = row.message
    return {
        "id": message.pk,
        "customer_id": message.customer_id,
        "channel": message.channel,
        "state": message.state,
        "step_name": message.step_name,
        "decided_on": message.decided_on,
        "sent_at": message.sent_at,
        "recipients": [str(address) for address in message.recipients or []],
        "subject": message.subject,
        "total": row.total,
        "currency": row.currency,
        "invoices": [
            {"invoice_id": line.invoice_id, "number": line.number, "balance": line.balance}
            for line in row.invoices
        ],
        "attempts": row.attempts,
    }


class TimelineEntryOut(Schema):
    id: int
    verb: str = Field(description="a dotted type, e.g. ledger.payment.recorded")
    created_at: dt.datetime
    actor_id: int | None
    actor_name: str
    customer_id: int | None
    invoice_id: int | None
    invoice_number: str
    payload: dict[str, Any]
    cursor: str = Field(description="pass as `before` to get the entries before this one")

    @staticmethod
    def resolve_cursor(entry: Any) -> str:
        return f"{entry.created_at.isoformat()}~{entry.id}"


class PreviewOut(Schema):
    on: dt.date
    messages: list[PreviewMessage]
    days: list[PreviewDayTotals] = Field(description="per-day totals; finance and admins only")
