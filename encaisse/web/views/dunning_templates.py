"""Template editor (finance and admins): wording per code and language, live preview.

The preview renders the unsaved wording through the same sandbox and content
builder as delivery, for a real customer of the viewer's portfolio; a
template the sandbox refuses is never rendered, in the preview or on save.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from encaisse.accounts.models import User
from encaisse.dunning.engine.group import CHANNEL_FOR_ACTION
from encaisse.dunning.models import Channel, DunningStep, MessageTemplate, TemplateCode
from encaisse.dunning.rendering.context import (
    CLAIMING_CHANNELS,
    Content,
    content_render,
    lines_for,
    sender_of,
)
from encaisse.dunning.rendering.sandbox import PLACEHOLDERS, TemplateRefused
from encaisse.dunning.selectors import most_overdue_customers
from encaisse.dunning.services.template_edit import errors_of, template_create, template_save
from encaisse.ledger.models import Customer
from encaisse.ledger.selectors import customers_visible_to, invoices_visible_to, open_invoices
from encaisse.lib import clock
from encaisse.web.forms.dunning_templates import NewTemplateForm, TemplateForm
from encaisse.web.views.access import finance_required
from encaisse.web.views.listing import viewer

PREVIEW_CUSTOMERS = 30
PREVIEW_INVOICES = 40


@dataclass
class TemplateRow:
    code: str
    label: str
    by_language: dict[str, MessageTemplate] = field(default_factory=dict)
    steps: list[DunningStep] = field(default_factory=list)

    @property
    def cells(self) -> list[tuple[str, MessageTemplate | None]]:
        """One cell per interface language, empty when that language is missing."""
        return [(code, self.by_language.get(code)) for code, _name in settings.LANGUAGES]


@finance_required
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    labels = dict(TemplateCode.choices)
    rows: dict[str, TemplateRow] = {}
    for template in MessageTemplate.objects.select_related("updated_by").order_by("code"):
        row = rows.setdefault(
            template.code, TemplateRow(template.code, str(labels.get(template.code, template.name)))
        )
        row.by_language[template.language] = template
    for code, steps in _steps_by_code().items():
        if code in rows:
            rows[code].steps = steps
    context = {"rows": list(rows.values()), "languages": settings.LANGUAGES}
    return render(request, "web/dunning/template_list.html", context)


def _steps_by_code() -> dict[str, list[DunningStep]]:
    uses: dict[str, list[DunningStep]] = {}
    for step in DunningStep.objects.select_related("plan").order_by("plan__name", "offset_days"):
        uses.setdefault(step.template_code, []).append(step)
    return uses


def _preview_customers(user: User) -> list[Customer]:
    today = clock.today()
    customers = most_overdue_customers(user, today, limit=PREVIEW_CUSTOMERS)
    if not customers:
        customers = list(
            customers_visible_to(user).order_by("-open_balance", "name_key")[:PREVIEW_CUSTOMERS]
        )
    return customers


@dataclass
class PreviewResult:
    customer: Customer | None
    content: Content | None = None
    errors: list[str] = field(default_factory=list)


def preview_render(
    user: User, template: MessageTemplate, subject: str, body: str, customer: Customer | None
) -> PreviewResult:
    """Render unsaved wording for `customer` (already checked visible to `user`)."""
    errors = errors_of(subject, body)
    if errors:
        return PreviewResult(customer, errors=errors)
    if customer is None:
        return PreviewResult(None)
    step = DunningStep.objects.filter(template_code=template.code).order_by("offset_days").first()
    if step is not None:
        channel = CHANNEL_FOR_ACTION.get(step.action, Channel.EMAIL)
        signer = sender_of(channel, step.sender, step.sender_user, customer)
    else:
        channel = template.code if template.code in Channel.values else Channel.EMAIL
        signer = customer.account_manager
    today = clock.today()
    invoices = list(
        open_invoices(invoices_visible_to(user).filter(customer=customer)).order_by(
            "due_date", "id"
        )[:PREVIEW_INVOICES]
    )
    contact = customer.contacts.filter(preferred_for_reminders=True).first()
    draft = MessageTemplate(
        code=template.code, language=template.language, name="", subject=subject, body=body
    )
    try:
        content = content_render(
            template=draft,
            customer=customer,
            lines=lines_for(invoices, today, claims=channel in CLAIMING_CHANNELS),
            on=today,
            channel=channel,
            signer=signer,
            contact_name=contact.name if contact else "",
        )
    except TemplateRefused as refused:  # the sandbox checks again; never render past it
        return PreviewResult(customer, errors=refused.errors)
    return PreviewResult(customer, content)


def _context(
    request: HttpRequest, template: MessageTemplate, form: TemplateForm, result: PreviewResult
) -> dict[str, Any]:
    customers = _preview_customers(viewer(request))
    if result.customer is not None and result.customer not in customers:
        customers.insert(0, result.customer)
    return {
        "template": template,
        "form": form,
        "placeholders": sorted(PLACEHOLDERS.items()),
        "customers": customers,
        "preview": result,
        "uses": _steps_by_code().get(template.code, []),
    }


@finance_required
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(MessageTemplate, pk=pk)
    initial = {"name": template.name, "subject": template.subject, "body": template.body}
    form = TemplateForm(request.POST or None, initial=initial)
    user = viewer(request)
    if request.method == "POST" and form.is_valid():
        try:
            template_save(actor=user, template=template, **form.cleaned_data)
        except TemplateRefused as refused:
            form.add_error("body", refused.errors)
        else:
            messages.success(request, _("Template saved; the next messages use it."))
            return redirect("dunning_template", pk=template.pk)
    first = _chosen_customer(request, user)
    subject = form.data.get("subject", template.subject) if form.is_bound else template.subject
    body = form.data.get("body", template.body) if form.is_bound else template.body
    result = preview_render(user, template, str(subject), str(body), first)
    return render(
        request, "web/dunning/template_edit.html", _context(request, template, form, result)
    )


@finance_required
@require_POST
def template_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The live preview (htmx): unsaved subject and body, for the chosen customer."""
    template = get_object_or_404(MessageTemplate, pk=pk)
    user = viewer(request)
    customer = _chosen_customer(request, user)
    subject = str(request.POST.get("subject", ""))
    body = str(request.POST.get("body", ""))
    result = preview_render(user, template, subject, body, customer)
    return render(request, "web/dunning/_template_preview.html", {"preview": result})


def _chosen_customer(request: HttpRequest, user: User) -> Customer | None:
    """The customer picked for the preview (a 404 outside the viewer's portfolio),
    else the one owing the most overdue money."""
    raw = str(request.POST.get("customer", ""))
    if raw:
        pk = int(raw) if raw.isdigit() else 0
        return get_object_or_404(customers_visible_to(user), pk=pk)
    customers = _preview_customers(user)
    return customers[0] if customers else None


@finance_required
def template_new(request: HttpRequest) -> HttpResponse:
    initial = {"code": request.GET.get("code", ""), "language": request.GET.get("language", "fr")}
    source = MessageTemplate.objects.filter(code=initial["code"]).first()
    if source is not None:
        initial |= {"name": source.name, "subject": source.subject, "body": source.body}
    form = NewTemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            template = template_create(actor=viewer(request), **form.cleaned_data)
        except TemplateRefused as refused:
            form.add_error("body", refused.errors)
        except ValueError:
            form.add_error("code", _("This code already has a template in this language."))
        else:
            messages.success(request, _("Template created."))
            return redirect("dunning_template", pk=template.pk)
    context = {"form": form, "placeholders": sorted(PLACEHOLDERS.items())}
    return render(request, "web/dunning/template_new.html", context)
