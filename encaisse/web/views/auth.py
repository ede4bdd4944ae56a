"""Sign-in protection in the web layer: the lockout page, the throttled password
reset, and the reset that lifts the lockout of the account it proved.

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
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from encaisse.accounts.client_ip import client_ip
from encaisse.accounts.lockout import lockout_ends_at
from encaisse.accounts.throttling import throttle_hit

log = logging.getLogger("encaisse.security")

RESET_WINDOW = dt.timedelta(hours=1)


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


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, limited per address typed and per client address.

    The limit counts what is typed, whether or not an account has that address,
    so a refusal says nothing about which accounts exist.
    """

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = form.cleaned_data["email"].strip().lower()
        ip = client_ip(self.request) or "unknown"
        verdicts = [
            throttle_hit(
                scope="password_reset:email",
                value=email,
                limit=settings.ENCAISSE_PASSWORD_RESET_LIMIT,
                window=RESET_WINDOW,
            ),
            throttle_hit(
                scope="password_reset:ip",
                value=ip,
                limit=settings.ENCAISSE_PASSWORD_RESET_IP_LIMIT,
                window=RESET_WINDOW,
            ),
        ]
        refused = [verdict for verdict in verdicts if not verdict.allowed]
        if not refused:
            return super().form_valid(form)
        retry_at = max(verdict.retry_at for verdict in refused)
        log.warning("Password reset throttled: email=%r ip=%s until %s", email, ip, retry_at)
        form.add_error(
            None,
            _(
                "Too many password reset requests for this address or from this connection. "
                "For your security, try again after %(time)s."
            )
            % {"time": formats.time_format(timezone.localtime(retry_at))},
        )
        response = self.render_to_response(self.get_context_data(form=form), status=429)
        response["Retry-After"] = _retry_after(retry_at)
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
