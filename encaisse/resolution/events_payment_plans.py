"""Webhook events of instalment plans, and their payloads (the API's representation)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from encaisse.webhooks.payloads import Data, customer_ref, iso, money
from encaisse.webhooks.registry import register


def instalment_data(instalment: Any) -> Data:
    return {
        "sequence": instalment.sequence,
        "is_deposit": instalment.is_deposit,
        "due_on": iso(instalment.due_on),
        "amount": money(instalment.amount),
        "paid_amount": money(instalment.paid_amount),
        "status": instalment.status,
        "paid_on": iso(instalment.paid_on),
    }


def payment_plan_data(plan: Any) -> Data:
    return {
        "id": str(plan.public_id),
        "customer": customer_ref(plan),
        "invoice_ids": [link.invoice_id for link in plan.covered.all()],
        "status": plan.status,
        "source": plan.source,
        "currency": plan.currency,
        "total": money(plan.total),
        "deposit": money(plan.deposit),
        "deposit_due_on": iso(plan.deposit_due_on),
        "instalment_count": plan.instalment_count,
        "frequency": plan.frequency,
        "first_due_on": iso(plan.first_due_on),
        "waive_penalties": plan.waive_penalties,
        "grace_days": plan.grace_days,
        "note": plan.note,
        "proposed_by_id": plan.proposed_by_id,
        "approved_by_id": plan.approved_by_id,
        "decision_comment": plan.decision_comment,
        "decided_at": iso(plan.decided_at),
        "activated_at": iso(plan.activated_at),
        "ended_on": iso(plan.ended_on),
        "instalments": [instalment_data(i) for i in plan.instalments.all()],
        "created_at": iso(plan.created_at),
        "updated_at": iso(plan.updated_at),
    }


def instalment_event_data(instalment: Any) -> Data:
    """An instalment event names its plan and customer."""
    plan = instalment.plan
    return {
        "plan_id": str(plan.public_id),
        "customer": customer_ref(plan),
        "currency": plan.currency,
        **instalment_data(instalment),
    }


register(
    "payment_plan.proposed",
    _("An instalment plan was proposed (by finance, an account manager or the customer)."),
    payment_plan_data,
)
register(
    "payment_plan.activated",
    _("An instalment plan became active: its invoices are held from dunning."),
    payment_plan_data,
)
register(
    "payment_plan.refused", _("Finance refused a proposed instalment plan."), payment_plan_data
)
register(
    "payment_plan.completed",
    _("Every instalment of a plan was paid; its holds were released."),
    payment_plan_data,
)
register(
    "payment_plan.defaulted",
    _("An instalment was missed after the grace days: dunning resumed on the remaining balance."),
    payment_plan_data,
)
register("payment_plan.cancelled", _("An instalment plan was cancelled."), payment_plan_data)
register("instalment.paid", _("An instalment of a plan was paid in full."), instalment_event_data)
register(
    "instalment.missed",
    _("An instalment was not paid by its date plus the grace days."),
    instalment_event_data,
)
