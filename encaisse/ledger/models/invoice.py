"""Invoices and credit notes: what a customer owes, and what reduces it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from encaisse.ledger.models.customer import Customer
from encaisse.ledger.models.fields import currency_field, money_field


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")
    WRITTEN_OFF = "written_off", _("Written off")


OPEN_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)


class InvoiceSource(models.TextChoices):
    MANUAL = "manual", _("Manual")
    CSV = "csv", _("CSV")
    FEC = "fec", _("FEC")
    FACTURX = "facturx", _("Factur-X")
    API = "api", _("API")
    DEMO = "demo", _("Demo")


class Invoice(models.Model):
    """An amount a customer owes us, due on a date.

    `balance` is amount − Σ allocations; the ledger services keep it (and the
    status) consistent in the transaction that posts each allocation, and the
    database refuses any value outside [0, amount].
    """

    # Plain B-tree indexes (in Meta): on PostgreSQL, `unique=True` / `db_index=True` on a
    # CharField add a second, LIKE-pattern index that no query here uses; every import
    # row would pay for it.
    external_key = models.CharField(_("external key"), max_length=64)
    number = models.CharField(_("number"), max_length=64)
    # Not indexed alone: the (customer, due_date) index below serves customer lookups.
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="invoices",
        db_index=False,
    )
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"))
    currency = currency_field()
    amount = money_field(_("amount incl. tax"))
    amount_excl_tax = models.DecimalField(
        _("amount excl. tax"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    balance = money_field(_("open balance"))
    status = models.CharField(
        _("status"), max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN
    )
    paid_on = models.DateField(
        _("settled on"),
        null=True,
        blank=True,
        help_text=_("Date of the payment or credit note that brought the balance to zero"),
    )
    po_reference = models.CharField(_("PO reference"), max_length=64, blank=True, default="")
    pdf = models.FileField(_("PDF"), upload_to="invoices/%Y/%m/", blank=True, default="")
    source = models.CharField(
        _("source"), max_length=16, choices=InvoiceSource.choices, default=InvoiceSource.MANUAL
    )
    # Never looked up by batch (batches are not deleted): an index would only slow imports.
    import_batch = models.ForeignKey(
        "ledger.ImportBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Bumped by every write that changes the row (services, imports, recomputations):
    # the API's "updated since" lists and their cursor read the index below.
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["due_date", "number"]
        indexes = [
            models.Index(fields=["number"], name="invoice_number"),
            models.Index(fields=["customer", "due_date"], name="invoice_customer_due"),
            models.Index(fields=["due_date", "id"], name="invoice_due"),
            models.Index(fields=["status", "due_date"], name="invoice_status_due"),
            models.Index(fields=["due_date"], name="invoice_open_due", condition=Q(balance__gt=0)),
            models.Index(fields=["updated_at", "id"], name="invoice_updated"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["external_key"], name="invoice_external_key"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_positive"),
            models.CheckConstraint(
                condition=Q(balance__gte=0) & Q(balance__lte=F("amount")),
                name="invoice_balance_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("issue_date")), name="invoice_due_after_issue"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES and self.balance > 0

    def days_late(self, today: dt.date) -> int:
        """Days past due on `today` (0 when not yet due or settled)."""
        if not self.is_open:
            return 0
        return max(0, (today - self.due_date).days)


class CreditNote(models.Model):
    """A credit (avoir) that reduces what a customer owes, allocated to invoices."""

    # Plain B-tree indexes (in Meta): on PostgreSQL, `unique=True` / `db_index=True` on a
    # CharField add a second, LIKE-pattern index that no query here uses; every import
    # row would pay for it.
    external_key = models.CharField(_("external key"), max_length=64)
    number = models.CharField(_("number"), max_length=64)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="credit_notes"
    )
    issue_date = models.DateField(_("issue date"))
    currency = currency_field()
    amount = money_field(_("amount incl. tax"))
    allocated = money_field(_("allocated"))
    reason = models.CharField(_("reason"), max_length=200, blank=True, default="")
    source = models.CharField(
        _("source"), max_length=16, choices=InvoiceSource.choices, default=InvoiceSource.MANUAL
    )
    # Never looked up by batch (batches are not deleted): an index would only slow imports.
    import_batch = models.ForeignKey(
        "ledger.ImportBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        ordering = ["-issue_date", "number"]
        indexes = [
            models.Index(fields=["number"], name="credit_note_number"),
            # Credit notes on account, by customer (see Payment's "payment_unallocated").
            models.Index(
                fields=["customer"],
                name="credit_note_unallocated",
                condition=Q(allocated__lt=F("amount")),
            ),
            models.Index(fields=["updated_at", "id"], name="credit_note_updated"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["external_key"], name="credit_note_external_key"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_note_amount_positive"),
            models.CheckConstraint(
                condition=Q(allocated__gte=0) & Q(allocated__lte=F("amount")),
                name="credit_note_allocated_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def unallocated(self) -> Decimal:
        return self.amount - self.allocated
