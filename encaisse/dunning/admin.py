"""Admin views of dunning data. Templates, holds and rates are editable here, the
settings through their services, plans in the plans editor (shown here);
what the engine and the outbox recorded (runs, actions, messages, attempts) is not:
it is the audit trail of what was decided and sent."""

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from encaisse.dunning.models import (
    CustomerDunning,
    DeliveryAttempt,
    DunningAction,
    DunningMessage,
    DunningPlan,
    DunningRun,
    DunningSettings,
    DunningStep,
    Hold,
    InvoiceDunning,
    LatePenaltyRate,
    MessageTemplate,
)
from encaisse.dunning.services.go_live import go_live_policy_check, go_live_policy_update
from encaisse.dunning.services.settings import dunning_settings_check, dunning_settings_update
from encaisse.ledger.models import Company
from encaisse.lib.errors import ValidationFailed


class RecordAdmin(admin.ModelAdmin):
    """Read-only: records of decisions and deliveries are never edited by hand."""

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


class StepInline(admin.TabularInline):
    model = DunningStep
    extra = 0


@admin.register(DunningPlan)
class DunningPlanAdmin(RecordAdmin):
    """Shown, not edited: plans change through the plan services (the plans editor,
    the API), which check the rules and re-decide the invoices concerned."""

    list_display = ("name", "is_default", "risk_classes", "updated_at")
    inlines = [StepInline]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "language", "name", "subject", "updated_at")
    list_filter = ("language",)


@admin.register(LatePenaltyRate)
class LatePenaltyRateAdmin(admin.ModelAdmin):
    list_display = ("starts_on", "ecb_rate", "penalty_rate")


SETTINGS_FIELDS = (
    "run_at", "freshness_max_hours", "promise_grace_days", "notice_deadline_days",
    "contractual_penalty_rate", "legal_interest_rate", "recovery_indemnity", "claim_penalties",
    "max_delivery_attempts",
)  # fmt: skip
GO_LIVE_FIELDS = ("go_live_on", "backlog_mode", "backlog_ceiling_offset")


class DunningSettingsForm(forms.ModelForm):
    """Checked by the services' rules; the minimum gap (kept on Company) edited here too."""

    min_contact_gap_days = forms.IntegerField(
        label=_("minimum gap between two contacts (days)"), min_value=0
    )

    class Meta:
        model = DunningSettings
        fields = (*SETTINGS_FIELDS, *GO_LIVE_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["min_contact_gap_days"].initial = Company.current().min_contact_gap_days

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        errors: dict[str, list[str]] = {}
        values = {name: data[name] for name in (*SETTINGS_FIELDS, "min_contact_gap_days")
                  if name in data}  # fmt: skip
        try:
            dunning_settings_check(values, DunningSettings.current())
        except ValidationFailed as failed:
            errors |= failed.errors
        try:
            go_live_policy_check(
                go_live_on=data.get("go_live_on"),
                mode=data.get("backlog_mode", ""),
                ceiling_offset=data.get("backlog_ceiling_offset"),
            )
        except ValidationFailed as failed:
            names = {"mode": "backlog_mode", "ceiling_offset": "backlog_ceiling_offset"}
            errors |= {names.get(k, k): v for k, v in failed.errors.items()}
        if errors:
            raise forms.ValidationError(errors)
        return data


@admin.register(DunningSettings)
class DunningSettingsAdmin(admin.ModelAdmin):
    list_display = ("run_at", "freshness_max_hours", "notice_deadline_days", "claim_penalties")
    form = DunningSettingsForm
    readonly_fields = ("first_run_confirmed_at", "first_run_confirmed_by")

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False  # a singleton, created on first use (DunningSettings.current)

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        """Through the services: only what changed, in the timeline; a go-live change
        also wakes the invoices the previous policy held."""
        data = form.cleaned_data
        changed = set(form.changed_data)
        values = {name: data[name] for name in changed
                  if name in (*SETTINGS_FIELDS, "min_contact_gap_days")}  # fmt: skip
        if values:
            dunning_settings_update(actor=request.user, **values)
        if changed & set(GO_LIVE_FIELDS):
            go_live_policy_update(
                actor=request.user,
                go_live_on=data["go_live_on"],
                mode=data["backlog_mode"],
                ceiling_offset=data["backlog_ceiling_offset"],
            )
        obj.refresh_from_db()


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):
    list_display = ("customer", "invoice", "reason", "starts_on", "ends_on", "released_on")
    list_filter = ("reason",)
    raw_id_fields = ("customer", "invoice", "created_by", "released_by")


@admin.register(CustomerDunning)
class CustomerDunningAdmin(admin.ModelAdmin):
    list_display = ("customer", "plan", "last_contact_on", "parked_status")
    raw_id_fields = ("customer",)
    # Written by the run only: a form saving a stale or cleared value would
    # leave the customer's parked invoices asleep (services.parking).
    readonly_fields = ("parked_status",)


@admin.register(InvoiceDunning)
class InvoiceDunningAdmin(RecordAdmin):
    list_display = ("invoice", "reason", "last_step", "next_step", "next_action_on")
    list_filter = ("reason",)


@admin.register(DunningRun)
class DunningRunAdmin(RecordAdmin):
    list_display = ("run_on", "started_at", "finished_at")


@admin.register(DunningAction)
class DunningActionAdmin(RecordAdmin):
    list_display = ("decided_on", "invoice", "step_name", "action", "status")
    list_filter = ("status", "action")


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(DunningMessage)
class DunningMessageAdmin(RecordAdmin):
    list_display = ("decided_on", "customer", "step_name", "channel", "state", "attempts")
    list_filter = ("state", "channel")
    inlines = [AttemptInline]
