"""A record of each file import: what came in, from whom, and what it changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    CUSTOMERS = "customers", _("Customers (CSV)")
    INVOICES = "invoices", _("Invoices (CSV)")
    PAYMENTS = "payments", _("Payments (CSV)")
    CREDIT_NOTES = "credit_notes", _("Credit notes (CSV)")
    FEC = "fec", _("FEC accounting export")


class ImportSource(models.TextChoices):
    """Where the rows came from: the history tells a file from an API push."""

    CSV = "csv", _("CSV file")
    FEC = "fec", _("FEC file")
    API = "api", _("API")


class ImportStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    REJECTED = "rejected", _("Rejected")


class ImportBatch(models.Model):
    """One applied (or rejected) import.

    The latest applied batch per kind tells how fresh the ledger is (SPEC §3).
    """

    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    source = models.CharField(
        _("source"), max_length=16, choices=ImportSource.choices, default=ImportSource.CSV
    )
    # The file's name, or for an API push the label the caller gives it.
    filename = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices)
    valid_rows_only = models.BooleanField(_("valid rows only"), default=False)
    counts = models.JSONField(_("counts"), default=dict)
    errors = models.JSONField(_("errors"), default=list)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["kind", "status", "finished_at"], name="import_freshness")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.filename}"
