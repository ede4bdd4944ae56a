from django.contrib import admin

from encaisse.collab.models import Activity, Task


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("created_at", "verb", "actor", "customer", "invoice")
    list_filter = ("verb",)
    raw_id_fields = ("customer", "invoice", "actor")

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False  # append-only

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("due_on", "title", "kind", "queue", "assignee", "status", "customer")
    list_filter = ("status", "kind", "queue")
    raw_id_fields = ("customer", "assignee", "created_by", "completed_by", "invoices")
    search_fields = ("title",)
