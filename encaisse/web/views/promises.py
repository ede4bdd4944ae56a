"""Actions on promises, extensions and holds (htmx forms of the customer and invoice
pages), and the Resolution lists: promises, holds.

Each action answers an htmx request with its panel re-rendered (the form with
its errors, or the new state); without htmx it redirects back to the page.
An object outside the viewer's portfolio is a 404; an action the role may not
take is a 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from encaisse.dunning.services.holds import hold_place, hold_release
from encaisse.ledger.models import Customer, Invoice
from encaisse.ledger.selectors import customers_visible_to, invoices_visible_to, open_invoices
from encaisse.lib import clock
from encaisse.lib.errors import Conflict, ValidationFailed
from encaisse.resolution.models import PromiseStatus
from encaisse.resolution.selectors.promises import (
    active_holds,
    open_promise_of,
    promises_visible_to,
)
from encaisse.resolution.services.extensions import extension_request
from encaisse.resolution.services.promises import promise_cancel, promise_make
from encaisse.web.forms.errors import form_errors_add
from encaisse.web.forms.promises import ExtensionForm, HoldForm, PromiseForm
from encaisse.web.views.listing import viewer
from encaisse.web.views.promises_panels import customer_panel, errors_text, invoice_panel, may_act

CUSTOMER_PANEL = "web/resolution/_promises_customer_panel.html"
INVOICE_PANEL = "web/resolution/_promises_invoice_panel.html"


def _customer(request: HttpRequest, pk: int) -> Customer:
    return get_object_or_404(
        customers_visible_to(viewer(request)).select_related("account_manager"), pk=pk
    )


def _invoice(request: HttpRequest, pk: int) -> Invoice:
    return get_object_or_404(invoices_visible_to(viewer(request)).select_related("customer"), pk=pk)


def _answer(
    request: HttpRequest,
    *,
    template: str,
    context: dict[str, Any],
    back: str,
    done: str | None,
    failed: str | None = None,
) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return render(request, template, context)
    if done:
        messages.success(request, done)
    if failed:
        messages.error(request, failed)
    return redirect(back)


def refresh_customer(
    request: HttpRequest, customer: Customer, done: str | None, **forms: Any
) -> HttpResponse:
    failed = next((errors_text(f) for f in forms.values() if f is not None and f.errors), None)
    return _answer(
        request,
        template=CUSTOMER_PANEL,
        context=customer_panel(viewer(request), customer, **forms) | {"done": done},
        back=reverse("customer", args=[customer.pk]),
        done=done,
        failed=failed,
    )


def refresh_invoice(
    request: HttpRequest, invoice: Invoice, done: str | None, **forms: Any
) -> HttpResponse:
    failed = next((errors_text(f) for f in forms.values() if f is not None and f.errors), None)
    return _answer(
        request,
        template=INVOICE_PANEL,
        context=invoice_panel(viewer(request), invoice, **forms) | {"done": done},
        back=reverse("invoice", args=[invoice.pk]),
        done=done,
        failed=failed,
    )


@login_required
@require_POST
def customer_promise_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = viewer(request)
    customer = _customer(request, pk)
    if not may_act(user, customer):
        raise PermissionDenied
    candidates = open_invoices(invoices_visible_to(user).filter(customer=customer))
    form = PromiseForm(request.POST, open_invoices=candidates)
    if form.is_valid():
        try:
            promise_make(
                actor=user,
                customer=customer,
                amount=form.cleaned_data["amount"],
                promised_on=form.cleaned_data["promised_on"],
                invoices=list(form.cleaned_data["invoices"]),
                note=form.cleaned_data["note"],
            )
        except ValidationFailed as failed:
            form_errors_add(form, failed)
            if open_promise_of(customer.pk) is not None:
                # The panel shows the open promise instead of the form: say why here.
                return refresh_customer(request, customer, errors_text(form))
        else:
            return refresh_customer(request, customer, _("Promise recorded: dunning is paused."))
    return refresh_customer(request, customer, None, promise_form=form)


@login_required
@require_POST
def promise_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = viewer(request)
    promise = get_object_or_404(promises_visible_to(user), pk=pk)
    if not user.can_edit_ledger:
        raise PermissionDenied
    try:
        promise_cancel(actor=user, promise=promise, reason=request.POST.get("reason", "")[:250])
        done = _("Promise cancelled: dunning resumes.")
    except Conflict as conflict:
        done = conflict.message
    return refresh_customer(request, promise.customer, done)


@login_required
@require_POST
def invoice_extension_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = viewer(request)
    invoice = _invoice(request, pk)
    if not may_act(user, invoice.customer):
        raise PermissionDenied
    form = ExtensionForm(request.POST)
    if form.is_valid():
        try:
            extension_request(
                actor=user,
                invoice=invoice,
                due_on=form.cleaned_data["due_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationFailed as failed:
            form_errors_add(form, failed)
        else:
            return refresh_invoice(
                request, invoice, _("Extension requested: it waits for finance's decision.")
            )
    return refresh_invoice(request, invoice, None, extension_form=form)


def _hold(request: HttpRequest, customer: Customer, invoice: Invoice | None) -> HoldForm | str:
    """Place the hold the form describes; its confirmation, or the form with its errors."""
    form = HoldForm(request.POST)
    if form.is_valid():
        try:
            hold_place(
                actor=viewer(request),
                customer=customer,
                invoice=invoice,
                reason=form.cleaned_data["reason"],
                ends_on=form.cleaned_data["ends_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationFailed as failed:
            form_errors_add(form, failed)
        else:
            return _("Hold placed: dunning is paused.")
    return form


@login_required
@require_POST
def customer_hold_new(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    if not may_act(viewer(request), customer):
        raise PermissionDenied
    result = _hold(request, customer, None)
    if isinstance(result, str):
        return refresh_customer(request, customer, result)
    return refresh_customer(request, customer, None, hold_form=result)


@login_required
@require_POST
def invoice_hold_new(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    if not may_act(viewer(request), invoice.customer):
        raise PermissionDenied
    result = _hold(request, invoice.customer, invoice)
    if isinstance(result, str):
        return refresh_invoice(request, invoice, result)
    return refresh_invoice(request, invoice, None, hold_form=result)


@login_required
@require_POST
def hold_release_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Finance releases a hold; the answer re-renders the panel it was released from."""
    user = viewer(request)
    hold = get_object_or_404(active_holds(user, clock.today()), pk=pk)
    if not user.can_edit_ledger:
        raise PermissionDenied
    try:
        hold_release(actor=user, hold=hold)
        done = _("Hold released: dunning resumes.")
    except Conflict as conflict:
        done = conflict.message
    if request.POST.get("from") == "list":
        messages.success(request, done)
        return redirect("resolution_holds")
    if hold.invoice_id is not None:
        return refresh_invoice(request, hold.invoice, done)  # type: ignore[arg-type]
    return refresh_customer(request, hold.customer, done)


# Lazy: read when the page is drawn, in the viewer's language.
PROMISE_VIEWS = {
    "week": gettext_lazy("Due this week"),
    "broken": gettext_lazy("Broken"),
    "kept": gettext_lazy("Kept"),
    "open": gettext_lazy("All open"),
    "all": pgettext_lazy("promises", "All"),
}


@login_required
@require_GET
def promise_list(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    on = clock.today()
    shown = request.GET.get("show", "week")
    if shown not in PROMISE_VIEWS:
        shown = "week"
    found = promises_visible_to(user).select_related("customer__account_manager")
    if shown == "week":
        found = found.filter(
            status=PromiseStatus.OPEN, promised_on__lte=on + dt.timedelta(days=6 - on.weekday())
        ).order_by("promised_on", "id")
    elif shown == "open":
        found = found.filter(status=PromiseStatus.OPEN).order_by("promised_on", "id")
    elif shown in {"broken", "kept"}:
        found = found.filter(status=shown).order_by("-settled_on", "-id")
    else:
        found = found.order_by("-created_at", "-id")
    return render(
        request,
        "web/resolution/promise_list.html",
        {
            "promises": list(found[:200]),
            "shown": shown,
            "views": PROMISE_VIEWS,
            "today": on,
        },
    )


HOLD_VIEWS = {
    "active": gettext_lazy("Active"),
    "expiring": gettext_lazy("Expiring within 7 days"),
}


@login_required
@require_GET
def hold_list(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    on = clock.today()
    shown = request.GET.get("show", "active")
    if shown not in HOLD_VIEWS:
        shown = "active"
    found = active_holds(user, on).select_related("customer", "invoice", "created_by")
    if shown == "expiring":
        found = found.filter(ends_on__lte=on + dt.timedelta(days=7)).order_by("ends_on", "id")
    return render(
        request,
        "web/resolution/hold_list.html",
        {"holds": list(found[:200]), "shown": shown, "views": HOLD_VIEWS, "today": on},
    )
