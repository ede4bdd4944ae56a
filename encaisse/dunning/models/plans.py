"""Dunning plans and their steps (SPEC §4.1)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from encaisse.ledger.models.fields import money_field
from encaisse.lib import clock


class StepAction(models.TextChoices):
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter (PDF)")
    CALL_TASK = "call_task", _("Call task")
    FORMAL_NOTICE = "formal_notice", _("Formal notice")
    ESCALATE = "escalate", _("Escalate to collection")
    ALERT_ACCOUNT_MANAGER = "alert_account_manager", _("Alert the account manager")


class StepMode(models.TextChoices):
    AUTOMATIC = "automatic", _("Automatic")
    REVIEW = "review", _("To review")


class StepSender(models.TextChoices):
    COMPANY = "company", _("The company")
    FINANCE_USER = "finance_user", _("A finance user")
    ACCOUNT_MANAGER = "account_manager", _("The account manager")


class StepAssignee(models.TextChoices):
    """Who gets the call task (or the alert)."""

    ACCOUNT_MANAGER = "account_manager", _("The account manager (cordial)")
    FINANCE = "finance", _("Finance (formal)")


class DunningPlan(models.Model):
    """An ordered list of steps applied to the invoices of the customers it covers.

    A customer's plan is its override, else the first plan whose risk classes
    include the customer's, else the default plan.
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True, default="")
    is_default = models.BooleanField(_("default plan"), default=False)
    risk_classes = models.CharField(
        _("for risk classes"),
        max_length=40,
        blank=True,
        default="",
        help_text=_("Comma-separated risk classes this plan applies to, e.g. C,D"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Set by the plan services on every change of the plan or of its steps (the
    # API's "updated since"); not auto_now, which `save(update_fields=…)` skips.
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("dunning plan")
        verbose_name_plural = _("dunning plans")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_plan"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def risk_class_list(self) -> list[str]:
        return [part.strip().upper() for part in self.risk_classes.split(",") if part.strip()]


class DunningStep(models.Model):
    """One step of a plan: do `action` `offset_days` after the (effective) due date."""

    plan = models.ForeignKey(
        DunningPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="steps"
    )
    name = models.CharField(_("name"), max_length=120)
    offset_days = models.SmallIntegerField(
        _("days after due date"), help_text=_("Negative: before the due date")
    )
    action = models.CharField(_("action"), max_length=24, choices=StepAction.choices)
    template_code = models.CharField(
        _("template"),
        max_length=40,
        blank=True,
        default="",
        help_text=_("Message template used by emails, letters and notices"),
    )
    mode = models.CharField(
        _("mode"), max_length=16, choices=StepMode.choices, default=StepMode.AUTOMATIC
    )
    min_balance = money_field(_("minimum open balance"), default=Decimal("0.00"))
    sender = models.CharField(
        _("sender"), max_length=16, choices=StepSender.choices, default=StepSender.COMPANY
    )
    sender_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finance sender"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assignee = models.CharField(
        _("assigned to"),
        max_length=16,
        choices=StepAssignee.choices,
        default=StepAssignee.ACCOUNT_MANAGER,
    )
    registered_mail = models.BooleanField(_("registered mail with acknowledgement"), default=False)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("dunning step")
        verbose_name_plural = _("dunning steps")
        ordering = ["plan", "offset_days"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "offset_days"], name="step_unique_offset"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (J{self.offset_days:+d})"
