from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from encaisse.ledger.models import (
    Allocation,
    Company,
    Contact,
    CreditNote,
    Customer,
    ImportBatch,
    Invoice,
    Payment,
)
from encaisse.lib.text import folded


class LedgerRecordAdmin(admin.ModelAdmin):
    """Money records are created by the ledger services and imports, never here.

    Saving an amount through the admin would bypass the allocation invariants
    (balance = amount − allocations), so amounts, balances and the customer are
    read-only and records cannot be added or deleted; descriptive fields (number,
    due date, PO reference, remittance text) stay editable.
    """

    money_fields: tuple[str, ...] = ()

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return (*super().get_readonly_fields(request, obj), *self.money_fields)


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "siren", "currency", "language")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = (
        "customer_name", "external_key", "siren", "account_manager", "status", "open_balance",
    )  # fmt: skip
    list_filter = ("status", "account_manager")
    search_fields = ("name", "siren", "external_key")
    raw_id_fields = ("account_manager",)
    readonly_fields = ("open_balance",)
    inlines = [ContactInline]

    @admin.display(description=_("name"), ordering="name_key")
    def customer_name(self, customer: Customer) -> str:
        return customer.name

    def get_search_results(self, request, queryset, search_term):  # type: ignore[no-untyped-def]
        """Names are found whatever their accents and case, as on the customer list."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            results |= queryset.filter(name_key__contains=folded(search_term))
        return results, may_have_duplicates


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "customer", "role", "email", "preferred_for_reminders")
    search_fields = ("name", "email", "customer__name")
    raw_id_fields = ("customer",)


@admin.register(Invoice)
class InvoiceAdmin(LedgerRecordAdmin):
    list_display = ("number", "customer", "issue_date", "due_date", "amount", "balance", "status")
    list_filter = ("status", "source")
    search_fields = ("number", "external_key", "customer__name")
    raw_id_fields = ("customer", "import_batch")
    money_fields = (
        "external_key", "customer", "currency", "amount", "amount_excl_tax", "balance",
        "status", "paid_on", "issue_date", "source", "import_batch",
    )  # fmt: skip


@admin.register(CreditNote)
class CreditNoteAdmin(LedgerRecordAdmin):
    list_display = ("number", "customer", "issue_date", "amount", "allocated")
    search_fields = ("number", "customer__name")
    raw_id_fields = ("customer", "import_batch")
    money_fields = ("external_key", "customer", "currency", "amount", "allocated", "source",
                    "import_batch")  # fmt: skip


@admin.register(Payment)
class PaymentAdmin(LedgerRecordAdmin):
    list_display = ("external_key", "customer", "date", "amount", "allocated", "method")
    search_fields = ("external_key", "bank_reference", "customer__name")
    raw_id_fields = ("customer", "import_batch")
    money_fields = ("external_key", "customer", "currency", "amount", "allocated", "date",
                    "source", "import_batch")  # fmt: skip


@admin.register(Allocation)
class AllocationAdmin(admin.ModelAdmin):
    """Read-only: an allocation is undone by a reversal (the cash application), never edited."""

    list_display = ("invoice", "payment", "credit_note", "amount", "reverses", "note", "created_at")
    raw_id_fields = ("invoice", "payment", "credit_note", "created_by", "reverses")

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("started_at", "kind", "filename", "status", "actor")
    list_filter = ("kind", "status")
