"""The root-cause page and the reasons' settings (finance edits the list)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from encaisse.lib.errors import ValidationFailed
from encaisse.resolution.models import DisputeReason
from encaisse.resolution.selectors.dispute_causes import root_causes
from encaisse.resolution.selectors.disputes import disputes_visible_to
from encaisse.resolution.services.dispute_reasons import (
    dispute_reason_create,
    dispute_reason_update,
)
from encaisse.web.dispute_charts import horizontal, vertical
from encaisse.web.forms.disputes import ReasonForm
from encaisse.web.forms.errors import form_errors_add
from encaisse.web.views.access import finance_required
from encaisse.web.views.listing import today, viewer

PERIODS = {"3": 91, "6": 182, "12": 365, "24": 730}
PERIOD_MONTHS = {value: int(value) for value in PERIODS}


@login_required
@require_GET
def causes(request: HttpRequest) -> HttpResponse:
    on = today()
    period = request.GET.get("months", "12")
    if period not in PERIODS:
        period = "12"
    since = on - dt.timedelta(days=PERIODS[period])
    figures = root_causes(disputes_visible_to(viewer(request)), on, since=since)
    reason_bars, reason_height = horizontal(figures.by_reason)
    month_bars, month_width = vertical(figures.by_month)
    context = {
        "figures": figures,
        "months": period,
        "periods": [(value, PERIOD_MONTHS[value]) for value in PERIODS],
        "since": since,
        "reason_bars": reason_bars,
        "reason_height": reason_height,
        "month_bars": month_bars,
        "month_width": month_width,
    }
    return render(request, "web/resolution/dispute_causes.html", context)


@finance_required
def reasons(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    form = ReasonForm(request.POST or None, prefix="new")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dispute_reason_create(
                actor=user,
                code=data["code"] or "",
                label_fr=data["label_fr"],
                label_en=data["label_en"],
                sla_days=data["sla_days"],
            )
        except ValidationFailed as failed:
            form_errors_add(form, failed)
        else:
            messages.success(request, _("Reason added."))
            return redirect("dispute_reasons")
    rows = [
        (reason, ReasonForm(prefix=f"r{reason.pk}", initial=_initial(reason)))
        for reason in DisputeReason.objects.order_by("position", "code")
    ]
    return render(request, "web/resolution/dispute_reasons.html", {"form": form, "rows": rows})


def _initial(reason: DisputeReason) -> dict[str, object]:
    return {
        "code": reason.code,
        "label_fr": reason.label_fr,
        "label_en": reason.label_en,
        "sla_days": reason.sla_days,
        "active": reason.active,
    }


@finance_required
@require_POST
def reason_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reason = get_object_or_404(DisputeReason, pk=pk)
    form = ReasonForm(request.POST, prefix=f"r{reason.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            dispute_reason_update(
                actor=viewer(request),
                reason=reason,
                label_fr=data["label_fr"],
                label_en=data["label_en"],
                sla_days=data["sla_days"],
                active=data["active"],
            )
        except ValidationFailed as failed:
            for messages_ in failed.errors.values():
                for message in messages_:
                    messages.error(request, message)
        else:
            messages.success(request, _("Reason saved."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{reason.label}: {error}")
    return redirect("dispute_reasons")
