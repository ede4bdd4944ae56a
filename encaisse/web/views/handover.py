"""Handovers to agencies or litigation: the form on a customer, the list, one
handover (recovered amounts, fees, case file, recall and close), and the agencies."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from encaisse.ledger.selectors import customers_visible_to, invoices_visible_to, open_invoices
from encaisse.lib.errors import Conflict, ValidationFailed
from encaisse.resolution.models.handover import CollectionAgency, HandoverStatus
from encaisse.resolution.selectors.handover import (
    agencies,
    handover_figures,
    handovers_visible_to,
)
from encaisse.resolution.services.agency import agency_save
from encaisse.resolution.services.case_file import case_file_build, case_file_name
from encaisse.resolution.services.handover import (
    handover_close,
    handover_create,
    handover_recall,
)
from encaisse.web.forms.errors import form_errors_add
from encaisse.web.forms.handover import AgencyForm, EndForm, HandoverForm
from encaisse.web.timeline import sentence
from encaisse.web.views.access import finance_required
from encaisse.web.views.listing import is_htmx, today, viewer


@login_required
def handover_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand a customer (or some invoices) over; htmx loads the form into the customer page."""
    user = viewer(request)
    customer = get_object_or_404(customers_visible_to(user), pk=pk)
    if not user.can_edit_ledger:
        raise PermissionDenied
    candidates = open_invoices(invoices_visible_to(user).filter(customer=customer)).order_by(
        "due_date", "id"
    )
    initial: dict[str, Any] = {}
    chosen = request.GET.get("invoice", "")
    if chosen.isdigit() and candidates.filter(pk=int(chosen)).exists():
        initial = {"whole_account": False, "invoices": [int(chosen)]}
    form = HandoverForm(request.POST or None, open_invoices=candidates, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            handover = handover_create(
                actor=user,
                customer=customer,
                kind=data["kind"],
                agency=data["agency"],
                invoices=None if data["whole_account"] else list(data["invoices"]),
                handed_on=data["handed_on"],
                fee_percent=data["fee_percent"],
                fixed_fee=data["fixed_fee"],
                note=data["note"],
            )
        except ValidationFailed as failed:
            form_errors_add(form, failed)
        except Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, _("Handed over: internal dunning is stopped."))
            return redirect("handover", public_id=handover.public_id)
    context = {"customer": customer, "form": form, "has_open": candidates.exists()}
    template = "web/resolution/_handover_form.html" if is_htmx(request) else None
    return render(request, template or "web/resolution/handover_form.html", context)


@login_required
@require_GET
def handover_list(request: HttpRequest) -> HttpResponse:
    found = handovers_visible_to(viewer(request))
    status = request.GET.get("status", "")
    if status in HandoverStatus.values:
        found = found.filter(status=status)
    rows = [(handover, handover_figures(handover)) for handover in found[:500]]
    totals: dict[str, dict[str, Decimal]] = {}
    for handover, figures in rows:
        total = totals.setdefault(
            handover.currency, {"handed": Decimal(0), "recovered": Decimal(0), "fees": Decimal(0)}
        )
        total["handed"] += figures.handed
        total["recovered"] += figures.recovered
        total["fees"] += figures.fees
    context = {
        "rows": rows,
        "totals": sorted(totals.items()),
        "status": status,
        "statuses": HandoverStatus.choices,
    }
    return render(request, "web/resolution/handover_list.html", context)


def _visible(request: HttpRequest, public_id: uuid.UUID) -> Any:
    return get_object_or_404(
        handovers_visible_to(viewer(request)).prefetch_related("lines__invoice"),
        public_id=public_id,
    )


@login_required
@require_GET
def handover_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    handover = _visible(request, public_id)
    context = {
        "handover": handover,
        "customer": handover.customer,
        "figures": handover_figures(handover),
        "lines": list(handover.lines.all()),
        "end_form": EndForm(),
        "today": today(),
    }
    return render(request, "web/resolution/handover_detail.html", context)


@login_required
@require_GET
def handover_case_file(request: HttpRequest, public_id: uuid.UUID) -> FileResponse:
    handover = _visible(request, public_id)
    archive = case_file_build(handover=handover, user=viewer(request), describe=sentence)
    return FileResponse(
        archive,
        as_attachment=True,
        filename=case_file_name(handover),
        content_type="application/zip",
    )


def _end(request: HttpRequest, public_id: uuid.UUID, *, recall: bool) -> HttpResponse:
    handover = _visible(request, public_id)
    user = viewer(request)
    if not user.can_edit_ledger:
        raise PermissionDenied
    form = EndForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    service = handover_recall if recall else handover_close
    try:
        service(actor=user, handover=handover, comment=comment)
    except (Conflict, ValidationFailed) as error:
        messages.error(request, str(getattr(error, "message", error)))
    else:
        messages.success(
            request,
            _("Handover recalled: internal dunning resumes.") if recall else _("Handover closed."),
        )
    return redirect("handover", public_id=handover.public_id)


@login_required
@require_POST
def handover_recall_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _end(request, public_id, recall=True)


@login_required
@require_POST
def handover_close_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _end(request, public_id, recall=False)


def _agency_fields(form: AgencyForm) -> dict[str, Any]:
    return dict(form.cleaned_data)


@finance_required
def agency_list(request: HttpRequest) -> HttpResponse:
    """The agencies finance hands files to; a new one is added from the same page."""
    form = AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agency_save(actor=viewer(request), **_agency_fields(form))
        except ValidationFailed as failed:
            form_errors_add(form, failed)
        else:
            messages.success(request, _("Agency saved."))
            return redirect("agencies")
    return render(
        request, "web/resolution/agencies.html", {"agencies": list(agencies()), "form": form}
    )


@finance_required
def agency_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(CollectionAgency, pk=pk)
    initial = {
        name: getattr(agency, name)
        for name in ("name", "email", "phone", "address", "fee_percent", "fixed_fee", "active")
    }
    form = AgencyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            agency_save(actor=viewer(request), agency=agency, **_agency_fields(form))
        except ValidationFailed as failed:
            form_errors_add(form, failed)
        else:
            messages.success(request, _("Agency saved."))
            return redirect("agencies")
    return render(request, "web/resolution/agency_edit.html", {"agency": agency, "form": form})
