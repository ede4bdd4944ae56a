"""Payments received and their allocation to invoices."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from encaisse.ledger.models.customer import Customer
from encaisse.ledger.models.fields import currency_field, money_field
from encaisse.ledger.models.invoice import CreditNote, Invoice, InvoiceSource


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    DIRECT_DEBIT = "direct_debit", _("Direct debit")
    CHEQUE = "cheque", _("Cheque")
    CARD = "card", _("Card")
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


class Payment(models.Model):
    """Money received from a customer; what is not allocated stays on account."""

    # Unique constraint in Meta: `unique=True` would add an unused LIKE-pattern index on PostgreSQL.
    external_key = models.CharField(_("external key"), max_length=64)
    # Not indexed alone: the (customer, date) index below serves customer lookups.
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="payments",
        db_index=False,
    )
    date = models.DateField(_("date"))
    currency = currency_field()
    amount = money_field(_("amount"))
    allocated = money_field(_("allocated"))
    method = models.CharField(
        _("method"), max_length=16, choices=PaymentMethod.choices, default=PaymentMethod.TRANSFER
    )
    bank_reference = models.CharField(_("bank reference"), max_length=120, blank=True, default="")
    remittance = models.CharField(_("remittance text"), max_length=500, blank=True, default="")
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
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["customer", "date"], name="payment_customer_date"),
            models.Index(fields=["date", "id"], name="payment_date"),
            # The freshness guard reads the newest payment (ledger_refreshed_at) on
            # every Today page and before each automatic send: without this index,
            # a scan and sort of the whole table.
            models.Index(fields=["created_at"], name="payment_created"),
            # Cash on account: the few payments not wholly allocated, by customer
            # (dunning's net position and the cash-application workspace read them).
            models.Index(
                fields=["customer"],
                name="payment_unallocated",
                condition=Q(allocated__lt=F("amount")),
            ),
            models.Index(fields=["updated_at", "id"], name="payment_updated"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["external_key"], name="payment_external_key"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(allocated__gte=0) & Q(allocated__lte=F("amount")),
                name="payment_allocated_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.bank_reference or self.external_key

    @property
    def unallocated(self) -> Decimal:
        return self.amount - self.allocated


class Allocation(models.Model):
    """A part of a payment or a credit note applied to one invoice.

    Append-only money record: a correction is a new record, never an edit.
    Exactly one of `payment` and `credit_note` is set.

    Undoing an allocation writes its *reversal*: a row with the same invoice
    and source, the negative amount, and `reverses` pointing at it. Every sum
    of allocations (invoice balance, payment allocated) therefore stays true
    without knowing about reversals. An allocation is reversed at most once
    (`reverses` is unique) and a reversal is never reversed (apply again instead).
    An allocation is *live* when it is not a reversal and has none.
    """

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="allocations"
    )
    payment = models.ForeignKey(
        Payment,
        verbose_name=_("payment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
    )
    credit_note = models.ForeignKey(
        CreditNote,
        verbose_name=_("credit note"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
    )
    amount = money_field(_("amount"))
    currency = currency_field()
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal",
    )
    # Why a reversal was made (typed by finance, or the accounting's re-lettering).
    # db_default: the imports insert allocations with raw statements that omit it.
    note = models.CharField(_("note"), max_length=200, blank=True, default="", db_default="")
    # Made by the cash application (a person's click, or the auto-application after an
    # import): its "recent applications" list reads them from the partial index below.
    via_cash_application = models.BooleanField(
        _("made by the cash application"), default=False, db_default=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # An allocation's amounts never change; this moves when it is reversed (its API
    # representation then says so), and equals created_at otherwise.
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Audit only, never filtered on; deleting a user may scan allocations, which is rare.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["created_at", "id"]
        indexes = [
            # "Invoices reopened by a reversal since the last run" (the dunning run reads it).
            models.Index(
                fields=["created_at"],
                name="allocation_reversal_created",
                condition=Q(reverses__isnull=False),
            ),
            models.Index(
                fields=["id"],
                name="allocation_cash_application",
                condition=Q(via_cash_application=True),
            ),
            models.Index(fields=["updated_at", "id"], name="allocation_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(amount__gt=0) & Q(reverses__isnull=True))
                | (Q(amount__lt=0) & Q(reverses__isnull=False)),
                name="allocation_amount_sign",
            ),
            models.CheckConstraint(
                condition=(Q(payment__isnull=False) & Q(credit_note__isnull=True))
                | (Q(payment__isnull=True) & Q(credit_note__isnull=False)),
                name="allocation_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} → {self.invoice_id}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None
