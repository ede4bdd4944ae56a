"""Plans editor (finance and admins): the plans, one plan's fields and its steps.

Steps are edited in place with htmx: each save answers with the whole steps
table (re-sorted by offset), a refused form answers with itself and its
errors. Without JavaScript the same URLs serve full pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from encaisse.dunning.models import DunningPlan, DunningStep
from encaisse.dunning.selectors import overridden_customers, plans_overview
from encaisse.dunning.services.plan_edit import plan_create, plan_update, step_delete, step_save
from encaisse.dunning.services.plan_remove import plan_delete
from encaisse.lib.errors import Conflict, ValidationFailed
from encaisse.web.forms.dunning_plans import PlanForm, StepForm
from encaisse.web.forms.errors import form_errors_add
from encaisse.web.views.access import finance_required
from encaisse.web.views.listing import is_htmx, viewer


@finance_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    return render(request, "web/dunning/plan_list.html", {"plans": plans_overview()})


@finance_required
def plan_new(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = plan_create(actor=viewer(request), **form.cleaned_data)
        except ValidationFailed as failed:
            form_errors_add(form, failed)
        else:
            messages.success(request, _("Plan created: add its steps."))
            return redirect("dunning_plan", pk=plan.pk)
    return render(request, "web/dunning/plan_new.html", {"form": form})


def _steps(plan: DunningPlan) -> list[DunningStep]:
    return list(plan.steps.select_related("sender_user").order_by("offset_days"))


def _steps_response(request: HttpRequest, plan: DunningPlan) -> HttpResponse:
    """The steps table body, swapped in place of the whole table body."""
    response = render(request, "web/dunning/_steps.html", {"plan": plan, "steps": _steps(plan)})
    response["HX-Retarget"] = "#steps"
    response["HX-Reswap"] = "innerHTML"
    return response


@finance_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(DunningPlan, pk=pk)
    if is_htmx(request) and request.GET.get("part") == "steps":
        return _steps_response(request, plan)
    form = PlanForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            plan_update(actor=viewer(request), plan=plan, **form.cleaned_data)
        except ValidationFailed as failed:
            form_errors_add(form, failed)
        else:
            messages.success(
                request, _("Plan saved. Its invoices are decided again at the next run.")
            )
            return redirect("dunning_plan", pk=plan.pk)
    context: dict[str, Any] = {
        "plan": plan,
        "form": form,
        "steps": _steps(plan),
        "overrides": overridden_customers(plan, viewer(request)),
    }
    return render(request, "web/dunning/plan_detail.html", context)


def _step_form_response(
    request: HttpRequest, plan: DunningPlan, form: StepForm, step: DunningStep | None
) -> HttpResponse:
    context = {"plan": plan, "form": form, "step": step}
    if is_htmx(request):
        return render(request, "web/dunning/_step_form_row.html", context)
    return render(request, "web/dunning/step_form.html", context)


def _step_saved(
    request: HttpRequest, plan: DunningPlan, form: StepForm, step: DunningStep | None
) -> HttpResponse:
    try:
        step_save(actor=viewer(request), plan=plan, step=step, fields=form.fields_value())
    except ValidationFailed as failed:
        form_errors_add(form, failed)
        return _step_form_response(request, plan, form, step)
    if is_htmx(request):
        return _steps_response(request, plan)
    messages.success(request, _("Step saved. Its invoices are decided again at the next run."))
    return redirect("dunning_plan", pk=plan.pk)


@finance_required
def step_new(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(DunningPlan, pk=pk)
    form = StepForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        return _step_saved(request, plan, form, None)
    return _step_form_response(request, plan, form, None)


@finance_required
def step_edit(request: HttpRequest, pk: int) -> HttpResponse:
    step = get_object_or_404(DunningStep.objects.select_related("plan"), pk=pk)
    form = StepForm(request.POST or None, plan=step.plan, step=step)
    if request.method == "POST" and form.is_valid():
        return _step_saved(request, step.plan, form, step)
    return _step_form_response(request, step.plan, form, step)


@finance_required
@require_POST
def step_remove(request: HttpRequest, pk: int) -> HttpResponse:
    step = get_object_or_404(DunningStep.objects.select_related("plan"), pk=pk)
    plan = step.plan
    step_delete(actor=viewer(request), step=step)
    if is_htmx(request):
        return _steps_response(request, plan)
    messages.success(request, _("Step deleted."))
    return redirect("dunning_plan", pk=plan.pk)


@finance_required
@require_POST
def plan_remove(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(DunningPlan, pk=pk)
    try:
        plan_delete(actor=viewer(request), plan=plan)
    except Conflict as conflict:
        messages.error(request, conflict.message)
        return redirect("dunning_plan", pk=plan.pk)
    messages.success(request, _("Plan deleted."))
    return redirect("dunning_plans")
