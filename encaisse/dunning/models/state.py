"""Where each invoice and each customer stands in its dunning (SPEC §4.2)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class StateReason(models.TextChoices):
    """Why an invoice is where it is; shown translated with its parameters."""

    NEW = "new", _("Not yet examined")
    WAITING = "waiting", _("Waiting for the next step")
    PERFORMED = "performed", _("Step performed")
    POSTPONED_GAP = "postponed_gap", _("Postponed: minimum gap between two contacts")
    BLOCKED = "blocked", _("Blocked")
    SETTLED = "settled", _("Settled")
    COVERED = "covered", _("Covered by cash on account")
    GO_LIVE_HELD = "go_live_held", _("Held by the go-live policy")
    PLAN_COMPLETE = "plan_complete", _("Plan complete")
    ESCALATED = "escalated", _("Escalated: automatic dunning stopped")
    NO_PLAN = "no_plan", _("No dunning plan")


class InvoiceDunning(models.Model):
    """The dunning progress of one invoice.

    The daily run reads only the rows whose `next_action_on` has come (partial
    index), so its cost follows the work due, not the size of the ledger.
    `last_offset` is the offset of the last step reached (performed or
    skipped): steps at or before it never happen again.
    """

    invoice = models.OneToOneField(
        "ledger.Invoice",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="dunning",
        verbose_name=_("invoice"),
    )
    last_step = models.ForeignKey(
        "dunning.DunningStep",
        verbose_name=_("last step"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    last_offset = models.SmallIntegerField(null=True, blank=True)
    last_action_on = models.DateField(_("last action on"), null=True, blank=True)
    next_step = models.ForeignKey(
        "dunning.DunningStep",
        verbose_name=_("next step"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    next_action_on = models.DateField(_("next action on"), null=True, blank=True)
    reason = models.CharField(
        _("reason"), max_length=16, choices=StateReason.choices, default=StateReason.NEW
    )
    reason_params = models.JSONField(default=dict, blank=True)
    effective_due_on = models.DateField(
        _("extended due date"),
        null=True,
        blank=True,
        help_text=_("Set by a due-date extension; replaces the invoice's due date for dunning"),
    )
    updated_on = models.DateField(_("updated on"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice dunning state")
        verbose_name_plural = _("invoice dunning states")
        indexes = [
            models.Index(
                fields=["next_action_on"],
                name="dunning_next_action",
                condition=Q(next_action_on__isnull=False),
            ),
            # States the run never reads by date (plan complete, escalated,
            # parked): each run marks those whose invoice has been settled since.
            models.Index(
                fields=["invoice"],
                name="dunning_parked_unsettled",
                condition=Q(next_action_on__isnull=True) & ~Q(reason="settled"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.reason}"


class CustomerDunning(models.Model):
    """Per-customer dunning facts: the plan override and the last contact."""

    customer = models.OneToOneField(
        "ledger.Customer",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="dunning",
        verbose_name=_("customer"),
    )
    plan = models.ForeignKey(
        "dunning.DunningPlan",
        verbose_name=_("dunning plan override"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_contact_on = models.DateField(_("last contact on"), null=True, blank=True)
    # The customer status (on hold, agency, …) that parked the customer's
    # invoices; the run wakes them once the customer's status differs.
    parked_status = models.CharField(
        _("status that parked its invoices"), max_length=16, blank=True, default=""
    )

    class Meta:
        verbose_name = _("customer dunning settings")
        verbose_name_plural = _("customer dunning settings")
        indexes = [
            models.Index(
                fields=["parked_status"],
                name="dunning_parked_customers",
                condition=~Q(parked_status=""),
            )
        ]

    def __str__(self) -> str:
        return str(self.customer_id)
