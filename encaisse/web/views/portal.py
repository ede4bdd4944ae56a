"""The debtor portal: a customer's own space, opened by the personal link of its
reminders, without an account (SPEC §9, docs/portal.md).

Every URL starts with the token and takes nothing else that names a customer:
the link is the authorization, and each read starts from the customer it names.
No staff session is read. Each request is counted per client address, then
per link (429 past the limits); an unknown token gets a 404 page, an expired or
revoked one a 410 page, and both show only the company's contact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from encaisse.accounts.client_ip import client_ip
from encaisse.accounts.throttling import throttle_hit
from encaisse.ledger.language import language_for, supported
from encaisse.ledger.models import Company, Customer, Invoice
from encaisse.lib import clock
from encaisse.lib.errors import ValidationFailed
from encaisse.resolution.models import PortalLink
from encaisse.resolution.portal_documents import invoice_pdf, statement_pdf
from encaisse.resolution.selectors.portal import (
    Account,
    customer_reference,
    pay_by,
    portal_account,
    portal_invoices,
)
from encaisse.resolution.services.portal import (
    LinkState,
    billing_contact,
    portal_contact_update,
    portal_link_resolve,
    portal_visit,
)
from encaisse.web.forms.errors import form_errors_add
from encaisse.web.portal_actions import ACTIONS, actions_for, portal_action


@dataclass(slots=True)
class PortalVisit:
    """The link a request came with, and whose space it opens."""

    link: PortalLink
    token: str
    language: str
    on: dt.date

    @property
    def customer(self) -> Customer:
        return self.link.customer

    def account(self) -> Account:
        return portal_account(self.customer, self.on)


PortalView = Callable[..., HttpResponse]


def _private(response: HttpResponse) -> HttpResponse:
    """No search engine, no cache, and no Referer that would carry the token away.

    "same-origin", not "no-referrer": under no-referrer a browser sends
    `Origin: null` with the portal's forms, which Django's CSRF check refuses;
    same-origin sends the address only back to us, never to another site.
    """
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store, private"
    return response


def _unavailable(
    request: HttpRequest,
    reason: str,
    status: int,
    *,
    language: str | None = None,
    retry_at: dt.datetime | None = None,
) -> HttpResponse:
    with translation.override(language or language_for(None)):
        response = render(
            request,
            "web/portal/unavailable.html",
            {"reason": reason, "company": Company.current()},
            status=status,
        )
    if retry_at is not None:
        response["Retry-After"] = str(max(1, int((retry_at - clock.now()).total_seconds())))
    return _private(response)


def _window() -> dt.timedelta:
    return dt.timedelta(seconds=settings.ENCAISSE_PORTAL_RATE_WINDOW)


def portal_view(view: PortalView) -> PortalView:
    """Check the token and the rate limits, speak the customer's language, log the view.

    1. Count the request for the client address (every request, valid token or
       not, so that guessing tokens is slow): past the limit, 429.
    2. Resolve the token: unknown → 404, expired or revoked → 410.
    3. Count it for the link: past the limit, 429.
    4. A GET is a page view: `last_seen_at`, and the timeline at most hourly.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        address = client_ip(request) or "unknown"
        verdict = throttle_hit(
            scope="portal-ip",
            value=address,
            limit=settings.ENCAISSE_PORTAL_IP_RATE_LIMIT,
            window=_window(),
        )
        if not verdict.allowed:
            return _unavailable(request, "throttled", 429, retry_at=verdict.retry_at)
        resolved = portal_link_resolve(token)
        link = resolved.link
        if resolved.state is LinkState.UNKNOWN or link is None:
            return _unavailable(request, "unknown", 404)
        language = supported(link.customer.language) or language_for(None)
        if resolved.state is not LinkState.VALID:
            return _unavailable(request, resolved.state.value, 410, language=language)
        verdict = throttle_hit(
            scope="portal-link",
            value=link.digest,
            limit=settings.ENCAISSE_PORTAL_RATE_LIMIT,
            window=_window(),
        )
        if not verdict.allowed:
            return _unavailable(
                request, "throttled", 429, language=language, retry_at=verdict.retry_at
            )
        visit = PortalVisit(link, token, language, clock.today())
        with translation.override(language):
            if request.method == "GET":
                portal_visit(link=link)
            response = view(request, visit, *args, **kwargs)
        response["Content-Language"] = language
        return _private(response)

    return wrapped


def _not_found(request: HttpRequest, visit: PortalVisit) -> HttpResponse:
    return render(
        request,
        "web/portal/unavailable.html",
        {"reason": "missing", "company": Company.current(), "visit": visit},
        status=404,
    )


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.pdf") or ""
    return response


def _file_name(*parts: str) -> str:
    """ASCII letters and digits only: an invoice number may hold anything."""
    return "-".join(
        "".join(c if c.isascii() and c.isalnum() else "-" for c in part) for part in parts
    )


@require_GET
@portal_view
def portal_home(request: HttpRequest, visit: PortalVisit) -> HttpResponse:
    account = visit.account()
    customer = visit.customer
    context = {
        "visit": visit,
        "account": account,
        "company": account.company,
        "customer": customer,
        "pay": pay_by(
            account.company, account.net_due, customer.currency, customer_reference(customer)
        ),
        "contact": billing_contact(customer),
        "actions": actions_for(visit),
        "done": request.GET.get("done", ""),
    }
    return render(request, "web/portal/home.html", context)


@require_GET
@portal_view
def portal_statement(request: HttpRequest, visit: PortalVisit) -> HttpResponse:
    data = statement_pdf(visit.account(), visit.language)
    name = _file_name(_("statement"), visit.customer.external_key, visit.on.isoformat())
    return _pdf(data, name)


def _open_invoice(visit: PortalVisit, key: str) -> Invoice | None:
    return portal_invoices(visit.customer).filter(external_key=key).first()


@require_GET
@portal_view
def portal_invoice(request: HttpRequest, visit: PortalVisit, key: str) -> HttpResponse:
    invoice = _open_invoice(visit, key)
    if invoice is None:
        return _not_found(request, visit)
    data = invoice_pdf(visit.account(), invoice, visit.language)
    return _pdf(data, _file_name(_("invoice"), invoice.number))


@require_GET
@portal_view
def portal_invoice_original(request: HttpRequest, visit: PortalVisit, key: str) -> HttpResponse:
    """The invoice's own PDF, when the ledger keeps one."""
    invoice = _open_invoice(visit, key)
    if invoice is None or not invoice.pdf:
        return _not_found(request, visit)
    try:
        data = invoice.pdf.read()
    except (FileNotFoundError, ValueError):
        return _not_found(request, visit)
    finally:
        invoice.pdf.close()
    return _pdf(data, _file_name(invoice.number))


@require_http_methods(["GET", "POST"])
@portal_view
def portal_action_view(request: HttpRequest, visit: PortalVisit, key: str) -> HttpResponse:
    action = ACTIONS.get(key)
    if action is None or not action.available(visit):
        return _not_found(request, visit)
    return action.view(request, visit)


class ContactForm(forms.Form):
    """Parses only; the rules (control characters, email, phone) are the service's."""

    name = forms.CharField(label=gettext_lazy("Name"), required=False, strip=False)
    email = forms.CharField(
        label=gettext_lazy("Email"),
        required=False,
        strip=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


@portal_action(
    "contact",
    gettext_lazy("Update your billing contact"),
    gettext_lazy("The person our invoices and reminders should go to."),
)
def contact_action(request: HttpRequest, visit: PortalVisit) -> HttpResponse:
    contact = billing_contact(visit.customer)
    initial = (
        {"name": contact.name, "email": contact.email, "phone": contact.phone} if contact else {}
    )
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            portal_contact_update(link=visit.link, **form.cleaned_data)
        except ValidationFailed as failed:
            form_errors_add(form, failed)
        else:
            return redirect(f"{portal_home_url(visit)}?done=contact")
    context = {"visit": visit, "company": Company.current(), "form": form, "contact": contact}
    return render(request, "web/portal/contact.html", context)


def portal_home_url(visit: PortalVisit) -> str:
    return reverse("portal", kwargs={"token": visit.token})
