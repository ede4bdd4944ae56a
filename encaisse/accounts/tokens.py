"""Personal API tokens: issuing, revoking, and recognising them on a request.

A token reads `enc_<prefix>_<secret>`: the prefix finds the row (unique,
indexed), the secret is checked against its SHA-256 digest in constant time.
The secret has 256 bits of entropy, so a fast hash is enough (a slow password
hash would only slow every API call down). Creation and revocation are logged
(`encaisse.accounts.tokens`): they are about a user, not a customer, so they
have no place on a customer's timeline.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from encaisse.accounts.models import ApiToken, TokenScope, User

log = logging.getLogger(__name__)

TOKEN_PREFIX = "enc"
# Writing last_used_at on every call would turn each read into a write.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: ApiToken
    plain: str  # shown once, never stored


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *,
    actor: User,
    user: User,
    name: str,
    scope: str = TokenScope.READ,
    expires_days: int | None = None,
) -> IssuedToken:
    """Issue a token acting as `user`; `actor` is who asked (the user or an admin)."""
    if scope not in TokenScope.values:
        raise ValueError(f"unknown scope {scope!r}")
    if expires_days is not None and expires_days < 1:
        raise ValueError("a token must live at least one day")
    prefix = secrets.token_hex(5)
    secret = secrets.token_urlsafe(32)
    expires_at = timezone.now() + dt.timedelta(days=expires_days) if expires_days else None
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or prefix,
        prefix=prefix,
        digest=_digest(secret),
        scope=scope,
        expires_at=expires_at,
    )
    log.info("API token %s (%s) issued for %s by %s", prefix, scope, user.username, actor.username)
    return IssuedToken(token=token, plain=f"{TOKEN_PREFIX}_{prefix}_{secret}")


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> bool:
    """Revoke a token; False if it already was (nothing changes)."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        log.info("API token %s of %s revoked by %s", token.prefix, token.user, actor.username)
    return bool(revoked)


def api_token_authenticate(plain: str) -> ApiToken | None:
    """The live token `plain` names, with its user loaded; None when unknown,
    malformed, expired, revoked, or its user is inactive."""
    parts = plain.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(parts[2])):
        return None
    now = timezone.now()
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if not token.user.is_active:
        return None
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
    if ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now):
        token.last_used_at = now
    return token


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)
