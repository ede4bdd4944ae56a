"""Settings → Webhooks (admin and finance): endpoints, their secret, their delivery log.

Every write calls one service of `encaisse.webhooks.services`; a refused
request (an unsafe URL, a disabled endpoint) comes back as a form error or a
message. The delivery log refreshes in place with htmx.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from encaisse.lib.errors import Conflict, ValidationFailed
from encaisse.web.forms.webhooks import EndpointForm
from encaisse.web.views.access import finance_required
from encaisse.web.views.listing import is_htmx, viewer
from encaisse.webhooks.models import WebhookEndpoint
from encaisse.webhooks.selectors import (
    deliveries_of,
    deliveries_visible_to,
    endpoints_visible_to,
)
from encaisse.webhooks.services import (
    delivery_redeliver,
    endpoint_create,
    endpoint_delete,
    endpoint_secret_rotate,
    endpoint_send_test,
    endpoint_update,
)

LOG_PAGE = 25


def _endpoint(request: HttpRequest, pk: int) -> WebhookEndpoint:
    return get_object_or_404(endpoints_visible_to(viewer(request)), pk=pk)


@finance_required
@require_GET
def endpoint_list(request: HttpRequest) -> HttpResponse:
    endpoints = endpoints_visible_to(viewer(request))
    return render(request, "web/webhooks/list.html", {"endpoints": endpoints})


@finance_required
def endpoint_new(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = endpoint_create(actor=viewer(request), **form.cleaned_data)
        except ValidationFailed as error:
            form.refused(error)
        else:
            messages.success(request, _("Endpoint created. Copy its signing secret."))
            return redirect("webhook_endpoint", pk=endpoint.pk)
    return render(request, "web/webhooks/new.html", {"form": form})


@finance_required
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    log = Paginator(deliveries_of(endpoint), LOG_PAGE).get_page(request.GET.get("page"))
    if is_htmx(request) and request.GET.get("part") == "log":
        return render(request, "web/webhooks/_log.html", {"endpoint": endpoint, "log": log})
    form = EndpointForm(request.POST or None, endpoint=endpoint)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint_update(actor=viewer(request), endpoint=endpoint, **form.cleaned_data)
        except ValidationFailed as error:
            form.refused(error)
        else:
            messages.success(request, _("Endpoint saved."))
            return redirect("webhook_endpoint", pk=endpoint.pk)
    context = {"endpoint": endpoint, "form": form, "log": log}
    return render(request, "web/webhooks/detail.html", context)


@finance_required
@require_POST
def endpoint_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    endpoint_secret_rotate(actor=viewer(request), endpoint=endpoint)
    messages.success(request, _("New secret: update your receiver. The old one no longer signs."))
    return redirect("webhook_endpoint", pk=endpoint.pk)


@finance_required
@require_POST
def endpoint_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    endpoint_update(actor=viewer(request), endpoint=endpoint, active=not endpoint.active)
    if endpoint.active:
        messages.success(request, _("Endpoint turned on."))
    else:
        messages.success(request, _("Endpoint turned off: it receives no new event."))
    if request.POST.get("from") == "list":
        return redirect("webhook_endpoints")
    return redirect("webhook_endpoint", pk=endpoint.pk)


@finance_required
@require_POST
def endpoint_test(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    try:
        endpoint_send_test(actor=viewer(request), endpoint=endpoint)
    except Conflict as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Test event queued: it appears in the log below."))
    return redirect("webhook_endpoint", pk=endpoint.pk)


@finance_required
def endpoint_remove(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    if request.method == "POST":
        endpoint_delete(actor=viewer(request), endpoint=endpoint)
        messages.success(request, _("Endpoint deleted."))
        return redirect("webhook_endpoints")
    return render(request, "web/webhooks/delete.html", {"endpoint": endpoint})


@finance_required
@require_POST
def delivery_resend(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(deliveries_visible_to(viewer(request)), pk=pk)
    try:
        delivery_redeliver(actor=viewer(request), delivery=delivery)
    except Conflict as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The event will be sent again, with the same webhook-id."))
    return redirect("webhook_endpoint", pk=delivery.endpoint_id)
