"""Sign-in protection in the web layer: the lockout page, and the password reset
that lifts the lockout of the account it proved.

django-axes counts failed sign-ins and refuses locked-out clients (settings
AXES_*); these views only say so in the product's words.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from encaisse.accounts.lockout import lockout_ends_at

log = logging.getLogger("encaisse.security")


def _retry_after(moment: dt.datetime) -> str:
    return str(max(1, math.ceil((moment - timezone.now()).total_seconds())))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the sign-in page's answer to a locked-out client."""
    until = lockout_ends_at(
        username=get_client_username(request, credentials),
        ip_address=getattr(request, "axes_ip_address", None),
    )
    response = render(request, "web/auth/locked_out.html", {"until": until}, status=429)
    response["Retry-After"] = _retry_after(until)
    return response


class UnlockingPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a new password through the emailed link proves the account: it
    lifts that username's sign-in lockout (an address's lockout stays)."""

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        username = form.user.get_username()
        if AxesProxyHandler.reset_attempts(username=username):
            log.warning("Sign-in lockout lifted by a password reset: username=%r", username)
        return response
