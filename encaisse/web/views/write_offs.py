"""Write-offs: the request form on a customer, the list with totals by reason,
one write-off with its decision, and the approval threshold."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from encaisse.accounts.models import Role
from encaisse.ledger.selectors import customers_visible_to, invoices_visible_to, open_invoices
from encaisse.lib.errors import Conflict, ValidationFailed
from encaisse.resolution.models.write_off import (
    WriteOff,
    WriteOffReason,
    WriteOffSettings,
    WriteOffStatus,
)
from encaisse.resolution.selectors.write_off import write_off_totals, write_offs_visible_to
from encaisse.resolution.services.write_off import (
    approval_refusal,
    rejection_refusal,
    write_off_approve,
    write_off_reject,
    write_off_request,
    write_off_reverse,
    write_off_settings_update,
)
from encaisse.web.forms.errors import form_errors_add
from encaisse.web.forms.handover import DecisionForm, ReverseForm, ThresholdForm, WriteOffForm
from encaisse.web.views.access import finance_required
from encaisse.web.views.listing import is_htmx, same_site, today, viewer


@login_required
def write_off_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Request a write-off of some of a customer's open invoices (finance)."""
    user = viewer(request)
    customer = get_object_or_404(customers_visible_to(user), pk=pk)
    if not user.can_edit_ledger:
        raise PermissionDenied
    candidates = open_invoices(invoices_visible_to(user).filter(customer=customer)).order_by(
        "due_date", "id"
    )
    chosen = request.GET.get("invoice", "")
    initial = {"invoices": [int(chosen)]} if chosen.isdigit() else {}
    form = WriteOffForm(request.POST or None, open_invoices=candidates, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            write_off = write_off_request(
                actor=user,
                customer=customer,
                invoices=list(form.cleaned_data["invoices"]),
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationFailed as failed:
            form_errors_add(form, failed)
        else:
            messages.success(request, _("Write-off requested: it waits for approval."))
            return redirect("write_off", public_id=write_off.public_id)
    context = {
        "customer": customer,
        "form": form,
        "has_open": candidates.exists(),
        "threshold": WriteOffSettings.current().approval_threshold,
    }
    template = "web/resolution/_write_off_form.html" if is_htmx(request) else None
    return render(request, template or "web/resolution/write_off_form.html", context)


@login_required
@require_GET
def write_off_list(request: HttpRequest) -> HttpResponse:
    found = write_offs_visible_to(viewer(request))
    status = request.GET.get("status", "")
    if status in WriteOffStatus.values:
        found = found.filter(status=status)
    reasons = dict(WriteOffReason.choices)
    statuses = dict(WriteOffStatus.choices)
    totals = [
        {
            **row,
            "reason_label": reasons.get(row["reason"]),
            "status_label": statuses.get(row["status"]),
        }
        for row in write_off_totals(found)
    ]
    context = {
        "write_offs": list(found[:500]),
        "totals": totals,
        "status": status,
        "statuses": WriteOffStatus.choices,
        "threshold": WriteOffSettings.current().approval_threshold,
    }
    return render(request, "web/resolution/write_off_list.html", context)


def _visible(request: HttpRequest, public_id: uuid.UUID) -> WriteOff:
    return get_object_or_404(
        write_offs_visible_to(viewer(request)).prefetch_related("lines__invoice"),
        public_id=public_id,
    )


@login_required
@require_GET
def write_off_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    write_off = _visible(request, public_id)
    user = viewer(request)
    pending = write_off.status == WriteOffStatus.REQUESTED
    context: dict[str, Any] = {
        "write_off": write_off,
        "customer": write_off.customer,
        "lines": list(write_off.lines.all()),
        "may_approve": pending and approval_refusal(user, write_off) is None,
        "may_reject": pending and rejection_refusal(user, write_off) is None,
        "approval_note": approval_refusal(user, write_off) if pending else None,
        "may_reverse": write_off.status == WriteOffStatus.APPROVED
        and (user.is_superuser or user.role == Role.ADMIN),
        "decision_form": DecisionForm(),
        "reverse_form": ReverseForm(),
        "today": today(),
    }
    return render(request, "web/resolution/write_off_detail.html", context)


def _decide(request: HttpRequest, public_id: uuid.UUID, *, approve: bool) -> HttpResponse:
    write_off = _visible(request, public_id)
    user = viewer(request)
    if not user.can_edit_ledger:
        raise PermissionDenied
    form = DecisionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    service = write_off_approve if approve else write_off_reject
    try:
        service(actor=user, write_off=write_off, comment=comment)  # NotAllowed: a 403
    except (Conflict, ValidationFailed) as error:
        messages.error(request, str(getattr(error, "message", error)))
    else:
        messages.success(request, _("Write-off approved.") if approve else _("Write-off rejected."))
    # The approvals queue posts here too and names the page to return to.
    back = same_site(request, request.POST.get("next", ""))
    return redirect(back) if back else redirect("write_off", public_id=write_off.public_id)


@login_required
@require_POST
def write_off_approve_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _decide(request, public_id, approve=True)


@login_required
@require_POST
def write_off_reject_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _decide(request, public_id, approve=False)


@login_required
@require_POST
def write_off_reverse_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    write_off = _visible(request, public_id)
    user = viewer(request)
    form = ReverseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        write_off_reverse(actor=user, write_off=write_off, reason=reason)  # NotAllowed: 403
    except (Conflict, ValidationFailed) as error:
        messages.error(request, str(getattr(error, "message", error)))
    else:
        messages.success(request, _("Write-off reversed: its invoices are open again."))
    return redirect("write_off", public_id=write_off.public_id)


@finance_required
def write_off_settings(request: HttpRequest) -> HttpResponse:
    """The approval threshold: finance reads it, an administrator changes it."""
    user = viewer(request)
    current = WriteOffSettings.current()
    may_edit = user.is_superuser or user.role == Role.ADMIN
    form = ThresholdForm(
        request.POST or None, initial={"approval_threshold": current.approval_threshold}
    )
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                write_off_settings_update(actor=user, **form.cleaned_data)
            except ValidationFailed as failed:
                form_errors_add(form, failed)
            else:
                messages.success(request, _("Settings saved."))
                return redirect("write_off_settings")
    context = {"form": form, "may_edit": may_edit, "threshold": current.approval_threshold}
    return render(request, "web/resolution/write_off_settings.html", context)
