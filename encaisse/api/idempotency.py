"""Writes through the API are atomic, and POSTs with an Idempotency-Key are done once.

1. Every unsafe request under /api/ runs in one transaction; an answer of 400
   or more rolls back what the operation wrote (nothing is half-done).
2. A POST with `Idempotency-Key: <key>` first records the key (unique per
   credential) in that same transaction, then runs, then stores its response
   in the row. A retry with the same key and the same request gets the stored
   response back (`Idempotent-Replayed: true`) and changes nothing; the same key
   with another request is refused (422). Two concurrent requests with one key
   meet on the unique constraint: the second waits for the first and replays
   it. A 5xx, a 401 or a 429 is not kept: the key stays free for a retry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from encaisse.api.models import IdempotentRequest
from encaisse.api.problems import FieldError, Problem, invalid

API_PREFIX = "/api/"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
NOT_KEPT = frozenset({401, 429})


def _owner(request: HttpRequest) -> str:
    """Whose key it is: the credential itself (hashed), never a guess from the body."""
    credential = request.headers.get("Authorization", "")
    if not credential and request.user.is_authenticated:
        credential = f"session:{request.user.pk}"
    return hashlib.sha256(credential.encode()).hexdigest()


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def _replay(record: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status, content_type=record.content_type or None
    )
    if record.location:
        response["Location"] = record.location
    response["Idempotent-Replayed"] = "true"
    return response


def idempotency_purge() -> int:
    cutoff = timezone.now() - dt.timedelta(hours=settings.ENCAISSE_API_IDEMPOTENCY_HOURS)
    deleted, _by_model = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX) or request.method in SAFE_METHODS:
            return self.get_response(request)
        key = request.headers.get(HEADER) if request.method == "POST" else None
        if key is not None and not 0 < len(key) <= MAX_KEY_LENGTH:
            error = FieldError(_("Use a key of 1 to 255 characters."), parameter=HEADER)
            return invalid([error]).response()
        with transaction.atomic():
            record: IdempotentRequest | None = None
            if key is not None:
                idempotency_purge()
                found = self._claim(request, key)
                if isinstance(found, HttpResponse):
                    return found
                record = found
            with transaction.atomic():
                response = self.get_response(request)
                if response.status_code >= 400:
                    transaction.set_rollback(True)
            if record is not None:
                if response.status_code >= 500 or response.status_code in NOT_KEPT:
                    transaction.set_rollback(True)
                else:
                    self._keep(record, response)
        return response

    def _claim(self, request: HttpRequest, key: str) -> IdempotentRequest | HttpResponse:
        owner, fingerprint = _owner(request), _fingerprint(request)
        try:
            with transaction.atomic():
                return IdempotentRequest.objects.create(
                    owner=owner, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            earlier = IdempotentRequest.objects.get(owner=owner, key=key)
        if earlier.fingerprint != fingerprint:
            error = FieldError(
                _("This key was already used for a different request."), parameter=HEADER
            )
            return invalid([error]).response()
        if earlier.status is None:  # only reachable where the database does not lock rows
            return Problem(
                409, "in-progress", _("The first request with this key is still running.")
            ).response()
        return _replay(earlier)

    @staticmethod
    def _keep(record: IdempotentRequest, response: HttpResponse) -> None:
        record.status = response.status_code
        record.content_type = response.get("Content-Type", "")
        record.location = response.get("Location", "")
        record.body = response.content
        record.save(update_fields=["status", "content_type", "location", "body"])
