"""Deleting a plan nobody follows (SPEC §4.1).

A plan still in use cannot go: its customers would silently fall to another
plan, and the invoices it was chasing would lose the steps they reached. The
caller gets a `Conflict` saying what holds the plan, to move those first.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from encaisse.accounts.models import User
from encaisse.collab.services import activity_record
from encaisse.dunning.models import CustomerDunning, DunningPlan, InvoiceDunning
from encaisse.dunning.services.plan_edit import customers_of_plan
from encaisse.dunning.services.plans import plan_book_load
from encaisse.ledger.models import Invoice
from encaisse.lib.errors import Conflict


@dataclass(frozen=True, slots=True)
class PlanUsage:
    """What holds a plan: the default role, customers given it, invoices following it."""

    is_default: bool
    overrides: int  # customers assigned to it by override
    invoices: int  # invoices whose customer follows it, or whose progress is on its steps

    @property
    def in_use(self) -> bool:
        return self.is_default or self.overrides > 0 or self.invoices > 0


def plan_usage(plan: DunningPlan) -> PlanUsage:
    overrides = CustomerDunning.objects.filter(plan=plan).count()
    follow = customers_of_plan(plan_book_load(), plan.pk, "customer__")
    on_steps = InvoiceDunning.objects.filter(
        Q(last_step__plan=plan) | Q(next_step__plan=plan)
    ).values("invoice_id")
    invoices = Invoice.objects.filter(follow | Q(pk__in=on_steps)).count()
    return PlanUsage(plan.is_default, overrides, invoices)


@transaction.atomic
def plan_delete(*, actor: User, plan: DunningPlan) -> None:
    """Delete `plan` and its steps; Conflict when it is the default or in use."""
    plan = DunningPlan.objects.select_for_update().get(pk=plan.pk)
    usage = plan_usage(plan)
    if usage.is_default:
        raise Conflict(_("The default plan cannot be deleted: make another plan the default."))
    if usage.overrides:
        raise Conflict(
            ngettext_lazy(
                "%(count)d customer is assigned this plan: give it another plan first.",
                "%(count)d customers are assigned this plan: give them another plan first.",
                "count",
            )
            % {"count": usage.overrides}
        )
    if usage.invoices:
        raise Conflict(
            ngettext_lazy(
                "%(count)d invoice follows this plan: change its risk classes first.",
                "%(count)d invoices follow this plan: change its risk classes first.",
                "count",
            )
            % {"count": usage.invoices}
        )
    payload = {"plan": plan.pk, "name": plan.name, "steps": plan.steps.count()}
    plan.delete()
    activity_record(verb="dunning.plan.deleted", actor=actor, payload=payload)
