"""Admin views of dunning data. Plans, templates, holds and rates are editable here;
what the engine and the outbox recorded (runs, actions, messages, attempts) is not:
it is the audit trail of what was decided and sent."""

from django.contrib import admin

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
class DunningPlanAdmin(admin.ModelAdmin):
    list_display = ("name", "is_default", "risk_classes")
    inlines = [StepInline]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "language", "name", "subject", "updated_at")
    list_filter = ("language",)


@admin.register(LatePenaltyRate)
class LatePenaltyRateAdmin(admin.ModelAdmin):
    list_display = ("starts_on", "ecb_rate", "penalty_rate")


@admin.register(DunningSettings)
class DunningSettingsAdmin(admin.ModelAdmin):
    list_display = ("run_at", "freshness_max_hours", "notice_deadline_days", "claim_penalties")


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
