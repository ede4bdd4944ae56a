"""The preview of a future date as plain typed data, limited to what a user may see.

The web preview page and the REST API read this: the groups (one message or
task per customer and channel) of the visible customers, and, for finance
only, the per-day totals of the whole ledger (they would reveal other
portfolios' volumes to a rep).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from encaisse.accounts.models import User
from encaisse.dunning.engine.group import Group
from encaisse.dunning.selectors import visible_groups
from encaisse.dunning.services.preview import dunning_preview


@dataclass(frozen=True, slots=True)
class PreviewInvoice:
    invoice_id: int
    due_on: dt.date  # the effective due date
    balance: Decimal
    net: Decimal  # what is chased once cash on account is counted
    step_name: str


@dataclass(frozen=True, slots=True)
class PreviewMessage:
    """One message (or task) that would go out on the date."""

    customer_id: int
    channel: str  # email, letter, formal_notice, agency_notice, rep_alert, call_task
    step_id: int
    step_name: str
    action: str
    needs_review: bool
    is_task: bool
    total: Decimal
    invoices: list[PreviewInvoice]


@dataclass(frozen=True, slots=True)
class PreviewDayTotals:
    on: dt.date
    by_step: dict[str, int]  # invoices per step performed
    messages: int
    tasks: int


@dataclass(frozen=True, slots=True)
class ScopedPreview:
    on: dt.date
    messages: list[PreviewMessage]
    days: list[PreviewDayTotals]  # empty for a viewer who does not see the whole ledger
    groups: list[Group]  # the engine's groups behind `messages` (for the web page)


def _message(g: Group) -> PreviewMessage:
    step = g.step
    invoices = [
        PreviewInvoice(
            d.facts.invoice_id,
            d.facts.due_on,
            d.facts.balance,
            d.facts.net,
            d.perform.name if d.perform else "",
        )
        for d in g.decisions
    ]
    total = sum((line.net for line in invoices), Decimal("0"))
    return PreviewMessage(
        g.customer_id, g.channel, step.id, step.name, step.action, g.needs_review, g.is_task,
        total, invoices,
    )  # fmt: skip


def dunning_preview_for(user: User, *, on: dt.date) -> ScopedPreview:
    """What would go out on `on` for the customers `user` may see (nothing written)."""
    preview = dunning_preview(on=on)
    groups = visible_groups(user, preview.groups)
    days = []
    if user.sees_whole_ledger:
        days = [
            PreviewDayTotals(d.on, dict(sorted(d.by_step.items())), d.messages, d.tasks)
            for d in preview.days
        ]
    return ScopedPreview(on, [_message(g) for g in groups], days, groups)
