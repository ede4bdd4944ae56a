"""The dunning panels of the ledger pages: an invoice's plan and history, a
customer's reminders. The ledger views call these with an object already
resolved through the viewer's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from encaisse.accounts.models import User
from encaisse.dunning.selectors import customer_messages, customer_plan, message_rows
from encaisse.dunning.services.explain_report import dunning_report
from encaisse.ledger.models import Customer, Invoice
from encaisse.lib.text import in_french_order
from encaisse.web.forms.dunning_plans import AssignPlanForm
from encaisse.web.views.access import may_remind

HISTORY_ROWS = 20


def invoice_panel(invoice: Invoice, on: dt.date) -> dict[str, Any]:
    """The panel renders the report the REST API returns: one explanation."""
    report = dunning_report(invoice, on=on)
    return {
        "dunning": report,
        "dunning_next": report.next_step,
        "dunning_holds": report.holds,
        "dunning_extended": report.extended,
    }


def customer_panel(customer: Customer, user: User) -> dict[str, Any]:
    rows = list(customer_messages(customer)[: HISTORY_ROWS + 1])
    facts = customer_plan(customer)
    form = None
    if user.can_edit_ledger:
        own = facts.plan.pk if facts.plan and facts.is_override else None
        form = AssignPlanForm(initial={"plan": own})
        # The plans are loaded already: no second query for the chooser.
        field: Any = form.fields["plan"]
        plans = in_french_order(facts.plans, key=lambda plan: plan.name)
        field.choices = [("", field.empty_label)] + [(p.pk, p.name) for p in plans]
    return {
        "dunning_history": message_rows(rows[:HISTORY_ROWS]),
        "dunning_history_more": len(rows) > HISTORY_ROWS,
        "dunning_plan": facts.plan,
        "dunning_plan_override": facts.is_override,
        "dunning_last_contact": facts.last_contact_on,
        "can_remind": may_remind(user, customer),
        "plan_form": form,
    }
