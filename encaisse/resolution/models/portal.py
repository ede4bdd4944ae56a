"""The debtor portal: personal links that open a customer's own space (SPEC §9)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from encaisse.lib import clock

DEFAULT_LINK_DAYS = 60


class PortalLink(models.Model):
    """A link that opens one customer's portal, without an account.

    The URL carries a token of 256 bits; only its SHA-256 `digest` is stored (a
    stolen database opens no portal). The token is derived from `nonce` and the
    SECRET_KEY (HMAC), so that the same live link can be printed again on the next
    reminder without keeping the token itself. Revoked or expired links open
    nothing; rows are never deleted (the timeline refers to them).
    """

    customer = models.ForeignKey(
        "ledger.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="portal_links",
    )
    nonce = models.CharField(max_length=32, unique=True, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    # When the last "viewed" entry went to the timeline (at most one per hour).
    last_logged_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("portal link")
        verbose_name_plural = _("portal links")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "-created_at"], name="portal_link_customer")]

    def __str__(self) -> str:
        return f"{self.customer_id}:{self.nonce[:6]}"


class PortalSettings(models.Model):
    """The portal's company-wide knobs (a singleton, pk=1)."""

    link_days = models.PositiveSmallIntegerField(
        _("portal link validity (days)"),
        default=DEFAULT_LINK_DAYS,
        help_text=_("How long the personal link printed on a reminder opens the customer's space."),
    )

    class Meta:
        verbose_name = _("portal settings")
        verbose_name_plural = _("portal settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> PortalSettings:
        row, _created = cls.objects.get_or_create(pk=1)
        return row
