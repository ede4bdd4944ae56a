"""User-editable message templates, one per code and language (SPEC §4.5)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TemplateCode(models.TextChoices):
    """The standard templates; plans may also use codes of their own."""

    PREVENTIVE = "preventive", _("Preventive reminder")
    REMINDER_1 = "reminder_1", _("First reminder")
    REMINDER_2 = "reminder_2", _("Second reminder")
    FORMAL_NOTICE = "formal_notice", _("Formal notice")
    AGENCY_NOTICE = "agency_notice", _("Agency handover notice")
    LETTER = "letter", _("Reminder letter")
    REP_ALERT = "rep_alert", _("Alert to the account manager")
    MANUAL = "manual", _("Manual reminder")


class MessageTemplate(models.Model):
    """Subject and body of a message, with `{{ placeholder }}` slots.

    Rendered by `dunning.rendering.sandbox`: only the documented placeholders
    exist; anything else is refused when the template is saved.
    """

    code = models.CharField(_("code"), max_length=40)
    language = models.CharField(_("language"), max_length=8)
    name = models.CharField(_("name"), max_length=120)
    subject = models.CharField(_("subject"), max_length=250)
    body = models.TextField(_("body"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["code", "language"]
        constraints = [
            models.UniqueConstraint(fields=["code", "language"], name="template_code_language")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"
