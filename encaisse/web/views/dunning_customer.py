"""A customer's dunning actions: "send a reminder now" and the plan override."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from encaisse.dunning.models import CustomerDunning, DunningMessage
from encaisse.dunning.services.messages import (
    GapNotElapsed,
    reminder_selection,
    reminder_send_now,
)
from encaisse.dunning.services.plan_edit import plan_assign_customer
from encaisse.ledger.models import Company, Invoice
from encaisse.ledger.selectors import customers_visible_to, invoices_visible_to, open_invoices
from encaisse.lib import clock
from encaisse.web import dunning_labels
from encaisse.web.forms.dunning_plans import AssignPlanForm
from encaisse.web.forms.dunning_reminders import ReminderForm
from encaisse.web.views.access import may_remind, require_editor
from encaisse.web.views.listing import viewer


@login_required
def customer_remind(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a reminder outside the plan; within the minimum gap it takes a reason."""
    user = viewer(request)
    customer = get_object_or_404(
        customers_visible_to(user).select_related("account_manager"), pk=pk
    )
    if not may_remind(user, customer):
        raise PermissionDenied
    candidates = open_invoices(invoices_visible_to(user).filter(customer=customer)).order_by(
        "due_date", "id"
    )
    today = clock.today()
    # The same decision as the invoice panel: each invoice it would leave out, and why.
    selection = reminder_selection(customer, list(candidates), on=today)
    notes = {left.invoice.pk: dunning_labels.left_out(left) for left in selection.left_out}
    form = ReminderForm(
        request.POST or None,
        open_invoices=candidates,
        initial={"invoices": [invoice.pk for invoice in selection.kept]},
    )
    last_contact = (
        CustomerDunning.objects.filter(customer=customer)
        .values_list("last_contact_on", flat=True)
        .first()
    )
    gap_days = Company.current().min_contact_gap_days
    allowed_from = last_contact + dt.timedelta(days=gap_days) if last_contact else None
    if request.method == "POST" and form.is_valid():
        try:
            message = reminder_send_now(
                actor=user,
                customer=customer,
                invoices=list(form.cleaned_data["invoices"]),
                template_code=form.cleaned_data["template_code"],
                override_gap_reason=form.cleaned_data["override_reason"],
            )
        except GapNotElapsed as gap:
            allowed_from = gap.allowed_from
            form.add_error(
                "override_reason",
                _("Say why the customer must be contacted again before the minimum gap."),
            )
        except ValueError:
            form.add_error(
                "invoices",
                _("None of these invoices can be reminded: each is paid, blocked or covered."),
            )
        else:
            messages.success(request, _("Reminder queued: it goes out in a moment."))
            chosen = {invoice.pk for invoice in form.cleaned_data["invoices"]}
            left = [
                f"{left.invoice.number} ({notes[left.invoice.pk]})"
                for left in selection.left_out
                if left.invoice.pk in chosen
            ]
            if left:
                messages.warning(
                    request,
                    ngettext(
                        "Left out of the reminder: %(invoices)s.",
                        "Left out of the reminder: %(invoices)s.",
                        len(left),
                    )
                    % {"invoices": "; ".join(left)},
                )
            return redirect("dunning_message", pk=message.pk)
    context: dict[str, Any] = {
        "customer": customer,
        "form": form,
        "choices": _choices(form, notes, selection.net, {i.pk: i for i in candidates}),
        "has_open": candidates.exists(),
        "last_contact": last_contact,
        "last_message": DunningMessage.objects.filter(customer=customer, sent_at__isnull=False)
        .order_by("-sent_at")
        .first(),
        "gap_days": gap_days,
        "allowed_from": allowed_from,
        "within_gap": allowed_from is not None and today < allowed_from,
    }
    return render(request, "web/dunning/customer_remind.html", context)


def _choices(
    form: ReminderForm,
    notes: dict[int, str],
    net: dict[int, Decimal],
    invoices: dict[int, Invoice],
) -> list[tuple[Any, str, Decimal | None]]:
    """Each invoice checkbox with why it would be left out, or the net amount it
    would chase when cash on account covers part of it."""
    rows = []
    for choice in form["invoices"]:
        pk = int(str(choice.data["value"]))
        chased = net.get(pk)
        partly = chased is not None and chased < invoices[pk].balance
        rows.append((choice, notes.get(pk, ""), chased if partly else None))
    return rows


@login_required
@require_POST
def customer_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the customer a plan of its own, or put it back under the rule."""
    user = viewer(request)
    customer = get_object_or_404(customers_visible_to(user), pk=pk)
    require_editor(user)
    form = AssignPlanForm(request.POST)
    if form.is_valid():
        plan = form.cleaned_data["plan"]
        if plan_assign_customer(actor=user, customer=customer, plan=plan):
            messages.success(
                request,
                _("Dunning plan changed: the invoices are decided again at the next run."),
            )
    else:
        messages.error(request, _("Choose one of the plans."))
    return redirect("customer", pk=customer.pk)
