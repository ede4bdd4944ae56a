"""Cash-application actions (finance and admins): apply a suggestion, split by hand,
apply every confident match, undo an allocation. Each calls one ledger service.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from encaisse.ledger.matching import ItemKind, Reason
from encaisse.ledger.models import Invoice, Payment
from encaisse.ledger.selectors import (
    allocations_visible_to,
    credit_notes_visible_to,
    open_invoices,
    payments_visible_to,
)
from encaisse.ledger.services import (
    AllocationError,
    allocation_reverse,
    cash_apply,
    cash_apply_confident,
)
from encaisse.ledger.services.cash_application import confident_items, source_label
from encaisse.lib.money import format_money, parse_amount
from encaisse.web.filters import CashFilterForm
from encaisse.web.views.access import finance_required
from encaisse.web.views.cash import workspace_url
from encaisse.web.views.cash_rows import MAX_LINES, Source, cash_rows, decode, suggestions_by_key
from encaisse.web.views.listing import is_htmx, same_site, viewer

KINDS = {"payment": ItemKind.PAYMENT, "credit_note": ItemKind.CREDIT_NOTE}


def _source(request: HttpRequest, kind: str, pk: int) -> tuple[ItemKind, Source]:
    """The payment or credit note, through the viewer's scope (404 otherwise)."""
    item_kind = KINDS.get(kind)
    if item_kind is None:
        raise Http404
    user = viewer(request)
    source: Source
    if item_kind is ItemKind.PAYMENT:
        source = get_object_or_404(payments_visible_to(user).select_related("customer"), pk=pk)
    else:
        source = get_object_or_404(credit_notes_visible_to(user).select_related("customer"), pk=pk)
    return item_kind, source


def _back(request: HttpRequest, default: str) -> str:
    """Where to go after an action: `next`, else the page it came from (the workspace
    with its filters, as htmx left them in the address bar), else `default`."""
    target = (
        request.POST.get("next")
        or request.GET.get("next")
        or request.headers.get("HX-Current-URL")
        or request.headers.get("Referer")
        or ""
    )
    return same_site(request, target) or default


def _money(amount: Decimal, currency: str) -> str:
    return format_money(amount, currency, get_language() or "fr")


def _reason_of(
    kind: ItemKind, source: Source, allocations: list[tuple[int, Decimal]]
) -> Reason | None:
    """The engine's reason when the posted allocations are one of its suggestions, else None."""
    for suggestion in suggestions_by_key([(kind, source.pk)]).get((kind, source.pk), []):
        if list(suggestion.allocations) == allocations:
            return suggestion.reason
    return None


def _applied_note(source: Source, count: int) -> str:
    label = source_label(source)
    return ngettext(
        "%(source)s applied to %(count)s invoice.",
        "%(source)s applied to %(count)s invoices.",
        count,
    ) % {"source": label[:1].upper() + label[1:], "count": count}


@finance_required
@require_POST
def apply(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Apply one suggestion (posted as `invoice:amount` pairs); htmx swaps the row in place."""
    item_kind, source = _source(request, kind, pk)
    allocations = decode(request.POST.get("allocations", ""))
    error = note = ""
    if not allocations:
        error = _("Choose a suggestion to apply.")
    else:
        try:
            cash_apply(
                actor=viewer(request),
                source=source,
                allocations=allocations,
                reason=_reason_of(item_kind, source, allocations),
            )
            note = _applied_note(source, len(allocations))
        except AllocationError as exc:
            error = str(exc)
    if is_htmx(request):
        user = viewer(request)
        source.refresh_from_db()
        rows = cash_rows(user, [(item_kind, source.pk)]) if source.unallocated else []
        back = _back(request, workspace_url())
        context = {"source": source, "kind": kind, "rows": rows, "note": note, "error": error,
                   "back": back}  # fmt: skip
        response = render(request, "web/cash/_applied.html", context)
        if note:
            # The recent applications reload; the event goes to them directly (the
            # form that posted may be gone by then, swapped out with its row).
            response["HX-Trigger"] = json.dumps({"cash-applied": {"target": "#recent"}})
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, note)
    return redirect(_back(request, workspace_url()))


class UndoForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why undo it?"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. paid another invoice")}),
    )


@finance_required
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo an allocation (an append-only reversal); the reason is required."""
    allocation = get_object_or_404(
        allocations_visible_to(viewer(request)).select_related(
            "invoice", "invoice__customer", "payment", "credit_note"
        ),
        pk=pk,
    )
    form = UndoForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            allocation_reverse(
                actor=viewer(request), allocation=allocation, reason=form.cleaned_data["reason"]
            )
        except AllocationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Undone: %(amount)s is back on account and invoice %(number)s is open again.")
                % {
                    "amount": _money(allocation.amount, allocation.currency),
                    "number": allocation.invoice.number,
                },
            )
        return redirect(_back(request, workspace_url(allocation.invoice.customer_id)))
    context = {"allocation": allocation, "form": form, "next": _back(request, "")}
    return render(request, "web/cash/undo.html", context)


def _amount_field(invoice: Invoice) -> str:
    return f"amount-{invoice.pk}"


@finance_required
def split(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Split a payment or credit note by hand over the customer's open invoices."""
    _kind, source = _source(request, kind, pk)
    invoices = list(
        open_invoices(Invoice.objects.filter(customer_id=source.customer_id))
        .filter(currency=source.currency)
        .order_by("due_date", "id")[:MAX_LINES]
    )
    errors: dict[int, str] = {}
    error = ""
    typed: dict[int, str] = {}
    if request.method == "POST":
        shares: list[tuple[int, Decimal]] = []
        for invoice in invoices:
            raw = typed[invoice.pk] = request.POST.get(_amount_field(invoice), "").strip()
            if not raw:
                continue
            try:
                amount = parse_amount(raw)
            except ValueError:
                errors[invoice.pk] = _("Not an amount: %(value)s") % {"value": raw}
                continue
            if amount:
                shares.append((invoice.pk, amount))
        if not errors:
            try:
                cash_apply(actor=viewer(request), source=source, allocations=shares)
            except AllocationError as exc:
                error = str(exc)
            else:
                messages.success(request, _applied_note(source, len(shares)))
                return redirect(_back(request, workspace_url(source.customer_id)))
    lines = [
        {"invoice": i, "name": _amount_field(i), "value": typed.get(i.pk, ""),
         "error": errors.get(i.pk, "")}
        for i in invoices
    ]  # fmt: skip
    context: dict[str, Any] = {
        "source": source,
        "kind": kind,
        "is_payment": isinstance(source, Payment),
        "lines": lines,
        "error": error,
        "truncated": len(invoices) >= MAX_LINES,
        "next": _back(request, ""),
    }
    return render(request, "web/cash/split.html", context, status=400 if error or errors else 200)


@finance_required
def confident(request: HttpRequest) -> HttpResponse:
    """Apply every unambiguous suggestion: a confirmation (GET), then the result (POST)."""
    form = CashFilterForm(request.GET if request.method == "GET" else request.POST)
    customer_id = form.value("customer")
    kinds = [ItemKind(kind) for kind in form.kinds]
    customer_ids = [customer_id] if customer_id else None
    user = viewer(request)
    if request.method == "POST":
        result = cash_apply_confident(actor=user, customer_ids=customer_ids, kinds=kinds)
        keys = [(item.kind, item.id) for item, _s in result.applied]
        context = {"result": result, "applied": cash_rows(user, keys, {}), "form": form,
                   "customer_id": customer_id, "done": True}  # fmt: skip
        return render(request, "web/cash/confident.html", context)
    found = confident_items(customer_ids=customer_ids, kinds=kinds)
    keys = [(item.kind, item.id) for item, _s in found]
    rows = cash_rows(user, keys, {key: [s] for key, (_i, s) in zip(keys, found, strict=True)})
    context = {"rows": rows, "form": form, "customer_id": customer_id, "done": False}
    return render(request, "web/cash/confident.html", context)
