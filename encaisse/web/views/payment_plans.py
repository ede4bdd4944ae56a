"""Instalment plans (Resolution): propose one from a customer or an invoice (with a
live preview of the schedule), the plans list, a plan's page and finance's decisions.

Sales reps propose for their portfolio, finance decides, managers read. A plan
or customer outside the viewer's portfolio is a 404; a forbidden action a 403.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from encaisse.accounts.models import Role, User
from encaisse.collab.models import Activity
from encaisse.ledger.models import Customer
from encaisse.ledger.selectors import customers_visible_to, invoices_visible_to, open_invoices
from encaisse.lib import clock
from encaisse.lib.errors import Conflict, ValidationFailed
from encaisse.resolution.models.payment_plans import PaymentPlan
from encaisse.resolution.selectors.payment_plans import VIEWS, plans_visible_to
from encaisse.resolution.services.payment_plans import (
    can_decide,
    plan_approve,
    plan_cancel,
    plan_propose,
    plan_refuse,
    plan_schedule_check,
)
from encaisse.web.forms.payment_plans import DecisionForm, PlanForm
from encaisse.web.views.listing import same_site, viewer

LIST_PAGE = 50


def may_propose(user: User, customer: Customer) -> bool:
    """Finance and admins, and a sales rep for a customer of his portfolio (the
    caller resolved `customer` through the viewer's scope already)."""
    return can_decide(user) or user.role == Role.SALES


def _customer(request: HttpRequest, pk: int) -> Customer:
    user = viewer(request)
    customer = get_object_or_404(customers_visible_to(user), pk=pk)
    if not may_propose(user, customer):
        raise PermissionDenied
    return customer


def _form(request: HttpRequest, customer: Customer, data: Any = None) -> PlanForm:
    user = viewer(request)
    invoices = open_invoices(invoices_visible_to(user).filter(customer=customer)).order_by(
        "due_date", "id"
    )
    initial: dict[str, Any] = {"frequency": "monthly", "instalment_count": 3}
    chosen = request.GET.get("invoice", "")
    if chosen.isdigit():
        initial["invoices"] = [int(chosen)]
    return PlanForm(data, invoices=invoices, may_activate=can_decide(user), initial=initial)


@login_required
def plan_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose a plan for a customer (`?invoice=` pre-ticks one invoice)."""
    customer = _customer(request, pk)
    form = _form(request, customer, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["invoices"] = list(data["invoices"])
        try:
            plan = plan_propose(actor=viewer(request), customer=customer, **data)
        except ValidationFailed as error:
            form.refused(error)
        else:
            if plan.status == "active":
                messages.success(request, _("Instalment plan active: its invoices are held."))
            else:
                messages.success(request, _("Instalment plan proposed: finance will decide."))
            return redirect("payment_plan", public_id=plan.public_id)
    context = {"customer": customer, "form": form, "preview": _preview(customer, form)}
    return render(request, "web/resolution/plan_new.html", context)


@login_required
@require_GET
def plan_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The schedule the form's values would give (htmx, on every change); writes nothing."""
    customer = _customer(request, pk)
    form = _form(request, customer, request.GET)
    return render(
        request,
        "web/resolution/_plan_preview.html",
        {"customer": customer, "preview": _preview(customer, form)},
    )


def _preview(customer: Customer, form: PlanForm) -> dict[str, Any] | None:
    if not form.is_bound:
        return None
    if not form.is_valid():
        return {"errors": [e for errors in form.errors.values() for e in errors]}
    data = form.cleaned_data
    try:
        total, lines = plan_schedule_check(
            customer=customer,
            invoices=list(data["invoices"]),
            instalment_count=data["instalment_count"],
            frequency=data["frequency"],
            first_due_on=data["first_due_on"],
            total=data.get("total"),
            deposit=data.get("deposit"),
            deposit_due_on=data.get("deposit_due_on"),
            grace_days=data.get("grace_days"),
        )
    except ValidationFailed as error:
        return {"errors": [m for messages_ in error.errors.values() for m in messages_]}
    currency = data["invoices"][0].currency
    return {"total": total, "lines": lines, "currency": currency}


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    view = request.GET.get("view", "active")
    if view not in VIEWS:
        view = "active"
    plans = plans_visible_to(user)
    counts = {name: plans.filter(status__in=statuses).count() for name, statuses in VIEWS.items()}
    page = Paginator(
        plans.filter(status__in=VIEWS[view]).order_by("-created_at", "-id"), LIST_PAGE
    ).get_page(request.GET.get("page"))
    context = {"page": page, "view": view, "counts": counts, "today": clock.today()}
    return render(request, "web/resolution/plan_list.html", context)


def _plan(request: HttpRequest, public_id: uuid.UUID) -> PaymentPlan:
    return get_object_or_404(plans_visible_to(viewer(request)), public_id=public_id)


@login_required
@require_GET
def plan_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    plan = _plan(request, public_id)
    user = viewer(request)
    timeline = Activity.objects.filter(
        customer_id=plan.customer_id,
        verb__startswith="resolution.payment_plan.",
        payload__plan_id=plan.pk,
    ).order_by("-created_at", "-id")[:50]
    context = {
        "plan": plan,
        "links": list(plan.covered.select_related("invoice", "hold")),
        "instalments": list(plan.instalments.all()),
        "timeline": timeline,
        "can_decide": can_decide(user),
        "decision_form": DecisionForm(),
        "today": clock.today(),
    }
    return render(request, "web/resolution/plan_detail.html", context)


def _decide(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponse:
    plan = _plan(request, public_id)  # 404 outside the portfolio, then 403 for non-finance
    if not can_decide(viewer(request)):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    user = viewer(request)
    try:
        if action == "approve":
            plan_approve(actor=user, plan=plan, comment=comment)
            messages.success(request, _("Plan approved: its invoices are held from dunning."))
        elif action == "refuse":
            plan_refuse(actor=user, plan=plan, comment=comment)
            messages.success(request, _("Plan refused."))
        else:
            plan_cancel(actor=user, plan=plan, comment=comment)
            messages.success(request, _("Plan cancelled: dunning resumes on its invoices."))
    except ValidationFailed as error:
        for field_messages in error.errors.values():
            for message in field_messages:
                messages.error(request, message)
    except Conflict as error:
        messages.warning(request, error.message)
    # The approvals queue posts here too and names the page to return to.
    back = same_site(request, request.POST.get("next", ""))
    return redirect(back) if back else redirect("payment_plan", public_id=plan.public_id)


@login_required
@require_POST
def plan_approve_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _decide(request, public_id, "approve")


@login_required
@require_POST
def plan_refuse_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _decide(request, public_id, "refuse")


@login_required
@require_POST
def plan_cancel_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _decide(request, public_id, "cancel")
