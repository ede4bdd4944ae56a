"""Who is calling: a personal API token, or the web session (with CSRF).

A token acts as its user: same role, same portfolio, same scoping selectors
as the web pages. A read token, and the manager role, may only read (403 on
unsafe methods). The language of messages is the user's own, else the
caller's Accept-Language, else the company's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import get_language_from_request
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import BaseThrottle

from encaisse.accounts.models import ApiToken, Role, User
from encaisse.accounts.throttling import throttle_hit
from encaisse.accounts.tokens import api_token_authenticate
from encaisse.api.problems import forbidden
from encaisse.ledger.language import language_for, supported

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _speak_to(request: HttpRequest, user: User) -> None:
    accepted = supported(get_language_from_request(request, check_path=False))
    header_sent = "HTTP_ACCEPT_LANGUAGE" in request.META
    language = supported(user.language) or (accepted if header_sent else None) or language_for(None)
    translation.activate(language)
    request.LANGUAGE_CODE = language


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = api_token_authenticate(token)
        if found is None:
            return None
        request.api_token = found  # type: ignore[attr-defined]
        _speak_to(request, found.user)
        _refuse_unsafe_when_read_only(request, found.user, found)
        return found.user


class WebSessionAuth(SessionAuth):
    """The signed-in browser (htmx and the docs page), CSRF-checked on writes."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = super().authenticate(request, key)
        if not isinstance(user, User) or not user.is_active:
            return None
        _refuse_unsafe_when_read_only(request, user, None)
        return user


def _refuse_unsafe_when_read_only(request: HttpRequest, user: User, token: ApiToken | None) -> None:
    """Read tokens and managers may not use an unsafe method, whatever the operation."""
    if request.method in SAFE_METHODS:
        return
    if (token is not None and not token.may_write) or (
        user.role == Role.MANAGER and not user.is_superuser
    ):
        raise forbidden(_("This token or role may only read."))


def caller(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


class TokenRateThrottle(BaseThrottle):
    """ENCAISSE_API_RATE_LIMIT requests per minute per token (or session user),
    counted in the database so that every server process shares the count."""

    window = dt.timedelta(minutes=1)

    def __init__(self) -> None:
        self._retry_in: float | None = None

    def allow_request(self, request: HttpRequest) -> bool:
        token: ApiToken | None = getattr(request, "api_token", None)
        user: Any = getattr(request, "auth", None)
        ident = f"token:{token.pk}" if token is not None else f"user:{getattr(user, 'pk', '')}"
        verdict = throttle_hit(
            scope="api", value=ident, limit=settings.ENCAISSE_API_RATE_LIMIT, window=self.window
        )
        if verdict.allowed:
            return True
        self._retry_in = max(1.0, (verdict.retry_at - timezone.now()).total_seconds())
        return False

    def wait(self) -> float | None:
        return self._retry_in
