"""The append-only activity timeline (SPEC §2 "Activity")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from encaisse.lib import clock


class Activity(models.Model):
    """Something that happened: who did what, when, to which customer or invoice.

    `verb` is a dotted type (`ledger.payment.recorded`); `payload` carries the
    figures needed to explain it later. Rows are never updated or deleted.
    """

    verb = models.CharField(_("type"), max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    invoice = models.ForeignKey(
        "ledger.Invoice", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField(_("details"), default=dict, blank=True)
    # Not auto_now_add: the simulator replays past days (lib.clock).
    created_at = models.DateTimeField(_("when"), default=clock.now, db_index=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="activity_customer"),
            models.Index(fields=["invoice", "-created_at"], name="activity_invoice"),
        ]

    def __str__(self) -> str:
        return self.verb


class TaskKind(models.TextChoices):
    CALL_CORDIAL = "call_cordial", _("Courtesy call")
    CALL_FORMAL = "call_formal", _("Formal call")
    FIX_CONTACT = "fix_contact", _("Fix the reminder contact")
    POST_LETTER = "post_letter", _("Post a letter")
    ESCALATE = "escalate", _("Hand over to collection")
    DECLARE_CLAIM = "declare_claim", _("Declare the claim")
    LEDGER_STALE = "ledger_stale", _("Refresh the ledger")
    APPLY_CASH = "apply_cash", _("Apply cash on account")
    OTHER = "other", _("Other")


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("task status", "Open")
    DONE = "done", pgettext_lazy("task status", "Done")
    CANCELLED = "cancelled", pgettext_lazy("task status", "Cancelled")


class TaskResult(models.TextChoices):
    """How a task ended, in a word the API and the reports can count on
    (`outcome` keeps the person's own words)."""

    DONE = "done", pgettext_lazy("task result", "Done")
    REACHED = "reached", _("Customer reached")
    NO_ANSWER = "no_answer", _("No answer")
    NOT_NEEDED = "not_needed", _("No longer needed")


class TaskQueue(models.TextChoices):
    """Who should pick a task up when it has no single assignee."""

    ASSIGNEE = "assignee", _("Assignee")
    FINANCE = "finance", _("Finance team")


class Task(models.Model):
    """Something a person must do: call a customer, fix a contact, post a letter.

    Created by people or by dunning steps. `source_key` makes creation
    idempotent: a re-run or a retried delivery that asks for the same task
    again finds the existing one (unique constraint).
    """

    kind = models.CharField(_("kind"), max_length=16, choices=TaskKind.choices)
    title = models.CharField(_("title"), max_length=250)
    details = models.TextField(_("details"), blank=True, default="")
    queue = models.CharField(
        _("queue"), max_length=16, choices=TaskQueue.choices, default=TaskQueue.ASSIGNEE
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )
    customer = models.ForeignKey(
        "ledger.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
    )
    invoices = models.ManyToManyField("ledger.Invoice", blank=True, related_name="tasks")
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    result = models.CharField(
        _("result"), max_length=16, choices=TaskResult.choices, blank=True, default=""
    )
    outcome = models.TextField(_("outcome"), blank=True, default="")
    source_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=clock.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set by the task services when they change the row (completion).
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_on"], name="task_assignee_open"),
            models.Index(fields=["queue", "status", "due_on"], name="task_queue_open"),
            models.Index(fields=["customer", "status"], name="task_customer"),
            models.Index(fields=["created_at"], name="task_created"),
        ]

    def __str__(self) -> str:
        return self.title
