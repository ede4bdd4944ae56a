"""Finance acts on the outbox: approve or skip a message to review, retry a failure.

The message is looked up through the viewer's scope first (another rep's
message is a 404), then the role is checked (a rep or a manager gets 403).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from encaisse.accounts.models import User
from encaisse.dunning.models import DunningMessage
from encaisse.dunning.selectors import message_rows, messages_visible_to
from encaisse.dunning.services.messages import message_approve, message_retry, message_skip
from encaisse.web.views.access import require_editor
from encaisse.web.views.listing import is_htmx, same_site, viewer

Service = Callable[..., bool]


def _act(request: HttpRequest, pk: int, service: Service, done: str) -> HttpResponse:
    user = viewer(request)
    message = get_object_or_404(messages_visible_to(user).select_related("customer"), pk=pk)
    require_editor(user)
    acted = service(actor=user, message=message)
    message.refresh_from_db()
    note = done if acted else _("Already handled by someone else.")
    if is_htmx(request):
        row = message_rows([message])[0]
        return render(request, "web/dunning/_acted_row.html", {"row": row, "note": note})
    (messages.success if acted else messages.warning)(request, note)
    return redirect(_next(request, user, message))


def _next(request: HttpRequest, user: User, message: DunningMessage) -> str:
    return same_site(request, request.POST.get("next", "")) or reverse(
        "dunning_message", args=[message.pk]
    )


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, message_approve, _("Approved: the message goes out now."))


@login_required
@require_POST
def skip(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, message_skip, _("Skipped: the message will not go out."))


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, message_retry, _("Delivery will be tried again now."))
