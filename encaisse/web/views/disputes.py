"""Disputes: the list, a dispute's page, opening one from a customer or an invoice,
and downloading an attachment (only through here: no public URL)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.ledger.models import Customer, Invoice
from encaisse.ledger.selectors import (
    credit_notes_visible_to,
    customers_visible_to,
    invoices_visible_to,
)
from encaisse.lib.errors import ValidationFailed
from encaisse.resolution.models import Dispute, DisputeReason, DisputeSource
from encaisse.resolution.selectors.disputes import (
    DisputeFilters,
    attachments_visible_to,
    blocked_amount,
    disputes_filtered,
    disputes_visible_to,
    invoices_disputable,
    reasons_offered,
)
from encaisse.resolution.services.dispute_files import dispute_attachment_add
from encaisse.resolution.services.disputes import (
    Disputed,
    default_owner_choices,
    dispute_open,
)
from encaisse.web.forms.disputes import (
    AssignForm,
    AttachmentForm,
    DisputeFilterForm,
    DisputeOpenForm,
    RejectForm,
    ResolveForm,
)
from encaisse.web.forms.errors import form_errors_add
from encaisse.web.views.listing import (
    is_htmx,
    paginate,
    render_list,
    today,
    viewer,
    visible_customer,
)


def may_open(user: User, customer: Customer) -> bool:
    """Finance, admins and the customer's account manager open disputes; managers read."""
    return user.can_edit_ledger or (user.pk is not None and user.pk == customer.account_manager_id)


def may_work(user: User, dispute: Dispute) -> bool:
    """Put in progress and attach: finance, the account manager, the dispute's owner."""
    return (
        user.can_edit_ledger
        or user.pk == dispute.customer.account_manager_id
        or (dispute.owner_id is not None and user.pk == dispute.owner_id)
    )


def visible_dispute(user: User, public_id: uuid.UUID) -> Dispute:
    return get_object_or_404(
        disputes_visible_to(user).select_related(
            "customer", "customer__account_manager", "reason", "owner", "opened_by",
            "credit_note", "corrected_invoice",
        ),
        public_id=public_id,
    )  # fmt: skip


@login_required
@require_GET
def dispute_list(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    on = today()
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = "open"
    reasons = list(DisputeReason.objects.order_by("position", "code"))
    form = DisputeFilterForm(data, reasons=reasons)
    form.is_valid()
    reason = form.value("reason")
    raw_customer = request.GET.get("customer", "")
    customer = visible_customer(request, int(raw_customer)) if raw_customer.isdigit() else None
    filters = DisputeFilters(
        customer_id=customer.pk if customer else None,
        status=form.value("status") or "",
        reason_id=int(reason) if reason else None,
        owner=form.value("owner") or "",
        overdue=bool(form.value("overdue")),
    )
    found = disputes_filtered(user, filters, on).select_related(
        "customer", "reason", "owner", "customer__account_manager"
    )
    page = paginate(found.order_by("sla_due_on", "id"), request)
    context = {
        "form": form,
        "page": page,
        "today": on,
        "customer": customer,
        "blocked": blocked_amount(disputes_visible_to(user)),
    }
    return render_list(
        request, "web/resolution/dispute_list.html", "web/resolution/_dispute_results.html", context
    )


def detail_context(user: User, dispute: Dispute, **forms: Any) -> dict[str, Any]:
    customer = dispute.customer
    finance = user.can_edit_ledger
    lines = list(dispute.lines.select_related("invoice", "hold"))
    context: dict[str, Any] = {
        "dispute": dispute,
        "customer": customer,
        "lines": lines,
        "attachments": list(dispute.attachments.all()),
        "today": today(),
        "is_finance": finance,
        "can_work": may_work(user, dispute),
        "timeline": _timeline(dispute),
    }
    if dispute.is_open and finance:
        people = default_owner_choices(customer)
        context["assign_form"] = forms.get("assign") or AssignForm(
            people=people, initial={"owner": str(dispute.owner_id or "")}
        )
        context["resolve_form"] = forms.get("resolve") or resolve_form(user, dispute)
        context["reject_form"] = forms.get("reject") or RejectForm()
    if context["can_work"]:
        context["attachment_form"] = forms.get("attachment") or AttachmentForm()
    return context


def resolve_form(user: User, dispute: Dispute, data: Any = None) -> ResolveForm:
    customer_id = dispute.customer_id
    return ResolveForm(
        data,
        credit_notes=credit_notes_visible_to(user)
        .filter(customer_id=customer_id)
        .order_by("-issue_date", "number"),
        invoices=invoices_visible_to(user)
        .filter(customer_id=customer_id)
        .order_by("-issue_date", "number")[:200],
    )


def _timeline(dispute: Dispute) -> list[Activity]:
    """The dispute's own entries (its verbs carry its public id)."""
    return list(
        Activity.objects.filter(
            customer_id=dispute.customer_id,
            verb__startswith="resolution.dispute.",
            payload__dispute=str(dispute.public_id),
        )
        .select_related("actor", "invoice")
        .order_by("-created_at", "-id")[:100]
    )


@login_required
@require_GET
def dispute_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = viewer(request)
    dispute = visible_dispute(user, public_id)
    return render(request, "web/resolution/dispute_detail.html", detail_context(user, dispute))


@login_required
def dispute_new_for_customer(request: HttpRequest, pk: int) -> HttpResponse:
    user = viewer(request)
    customer = get_object_or_404(customers_visible_to(user), pk=pk)
    return _open(request, user, customer, preselected=None)


@login_required
def dispute_new_for_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    user = viewer(request)
    invoice = get_object_or_404(invoices_visible_to(user).select_related("customer"), pk=pk)
    return _open(request, user, invoice.customer, preselected=invoice)


def _open(
    request: HttpRequest, user: User, customer: Customer, *, preselected: Invoice | None
) -> HttpResponse:
    """The opening form (a full page, or the htmx partial on the customer and invoice pages)."""
    if not may_open(user, customer):
        raise PermissionDenied
    disputable = invoices_disputable(user, customer.pk)
    form = DisputeOpenForm(
        request.POST or None,
        request.FILES or None,
        invoices=disputable,
        reasons=reasons_offered(),
        people=default_owner_choices(customer),
        initial={"invoices": [preselected.pk] if preselected else []},
    )
    if request.method == "POST" and form.is_valid():
        dispute = _create(user, customer, form)
        if dispute is not None:
            messages.success(request, _("Dispute opened: dunning of its invoices is paused."))
            target = reverse("dispute", kwargs={"public_id": dispute.public_id})
            if is_htmx(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
    context = {
        "customer": customer,
        "invoice": preselected,
        "form": form,
        "has_invoices": bool(form.invoice_rows),
        "action": request.path,
    }
    template = "web/resolution/dispute_new.html"
    if is_htmx(request):  # the panel's form; a POST's errors replace the form itself
        partial = "_dispute_form.html" if request.method == "POST" else "_dispute_form_panel.html"
        template = f"web/resolution/{partial}"
    return render(request, template, context)


def _create(user: User, customer: Customer, form: DisputeOpenForm) -> Dispute | None:
    data = form.cleaned_data
    lines = [Disputed(invoice, data.get(f"amount_{invoice.pk}")) for invoice in data["invoices"]]
    chosen = {str(p.pk): p for p in default_owner_choices(customer)}
    try:
        with transaction.atomic():
            dispute = dispute_open(
                actor=user,
                customer=customer,
                reason=data["reason"],
                lines=lines,
                description=data["description"],
                owner=chosen.get(data["owner"] or ""),
                source=DisputeSource.FINANCE if user.can_edit_ledger else DisputeSource.SALES,
            )
            if data.get("attachment"):
                dispute_attachment_add(actor=user, dispute=dispute, upload=data["attachment"])
    except ValidationFailed as failed:
        rename = {f"invoices.{i}.amount": f"amount_{line.invoice.pk}" for i, line in
                  enumerate(lines)}  # fmt: skip
        rename |= {f"invoices.{i}": "invoices" for i in range(len(lines))}
        rename["file"] = "attachment"
        form_errors_add(form, failed, rename=rename)
        return None
    return dispute


@login_required
@require_GET
def attachment_download(request: HttpRequest, public_id: uuid.UUID) -> FileResponse:
    attachment = get_object_or_404(attachments_visible_to(viewer(request)), public_id=public_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404("the file is missing") from missing
    response = FileResponse(
        handle, content_type=attachment.content_type, as_attachment=True, filename=attachment.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
