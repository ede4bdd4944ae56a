"""What the API keeps between requests: the responses of keyed POSTs."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotentRequest(models.Model):
    """A POST sent with an `Idempotency-Key`, and the response it got.

    Written in the same transaction as what the POST changed: either both are
    committed or neither, so a retry finds the first response exactly when the
    first attempt took effect. `owner` is a digest of the credential (token or
    session user), so a key is private to whoever sent it; `fingerprint` a digest
    of the method, path and body, so a key reused for another request is refused.
    Rows older than ENCAISSE_API_IDEMPOTENCY_HOURS are purged.
    """

    owner = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True, default="")
    location = models.CharField(max_length=500, blank=True, default="")
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="idempotent_request_once")
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.status}"
