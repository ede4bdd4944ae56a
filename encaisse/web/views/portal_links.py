"""Finance's side of the debtor portal, on the customer page: the customer's link
(to copy into an email or read out on the phone), a new one, or every link revoked."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from encaisse.accounts.models import User
from encaisse.ledger.models import Customer
from encaisse.ledger.selectors import customers_visible_to
from encaisse.lib import clock
from encaisse.resolution.selectors.portal import portal_links_of
from encaisse.resolution.services.portal import (
    link_token,
    portal_link_create,
    portal_links_revoke,
    portal_url,
)
from encaisse.web.views.access import require_editor
from encaisse.web.views.listing import viewer


def portal_panel(customer: Customer, user: User) -> dict[str, Any]:
    """The panel's figures; the live link's address only for finance."""
    links = portal_links_of(customer)
    now = clock.now()
    live = [link for link in links if link.revoked_at is None and link.expires_at > now]
    seen = [link.last_seen_at for link in links if link.last_seen_at is not None]
    current_url = ""
    if user.can_edit_ledger and live:
        token = link_token(live[0])
        current_url = portal_url(token) if token else ""
    return {
        "portal_live": live,
        "portal_current": live[0] if live else None,
        "portal_current_url": current_url,
        "portal_last_seen": max(seen) if seen else None,
    }


def _customer(request: HttpRequest, pk: int) -> Customer:
    return get_object_or_404(customers_visible_to(viewer(request)), pk=pk)


def _back(customer: Customer) -> HttpResponse:
    response = redirect("customer", customer.pk)
    response["Location"] += "#customer-portal"
    return response


# Signed out: the login page; GET: 405; a customer outside the viewer's portfolio:
# 404; a viewer who sees it but is not finance: 403.
@login_required
@require_POST
def portal_link_new(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    require_editor(viewer(request))
    portal_link_create(customer=customer, actor=viewer(request))
    messages.success(request, _("A new portal link was created: copy it below."))
    return _back(customer)


@login_required
@require_POST
def portal_links_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    require_editor(viewer(request))
    count = portal_links_revoke(customer=customer, actor=viewer(request))
    if count:
        messages.success(request, _("The customer's portal links were revoked."))
    else:
        messages.info(request, _("This customer had no live portal link."))
    return _back(customer)
