from typing import Any

from django import forms
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
from encaisse.ledger.services.company import (
    CASH_FIELDS,
    IDENTITY_FIELDS,
    TERMS_FIELDS,
    company_cash_check,
    company_identity_check,
    company_identity_update,
    company_settings_update,
    company_terms_check,
    company_terms_update,
)
from encaisse.lib.errors import ValidationFailed
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


class CompanyForm(forms.ModelForm):
    """The admin's company form checks with the services' rules (one set of rules)."""

    class Meta:
        model = Company
        fields = (*IDENTITY_FIELDS, *TERMS_FIELDS, *CASH_FIELDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        errors: dict[str, list[str]] = {}
        checks = (
            (IDENTITY_FIELDS, company_identity_check),
            (TERMS_FIELDS, company_terms_check),
            (CASH_FIELDS, company_cash_check),
        )
        for fields, check in checks:
            try:
                check({name: data[name] for name in fields if name in data})
            except ValidationFailed as failed:
                errors |= failed.errors
        if errors:
            raise forms.ValidationError(errors)
        return data


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "siren", "currency", "language")
    form = CompanyForm

    # The minimum gap between contacts is a dunning setting (the dunning settings page).
    readonly_fields = ("min_contact_gap_days",)

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False  # a singleton, created on first use (Company.current)

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        """Through the services, group by group: only what changed, in the timeline."""
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        for fields, service in (
            (IDENTITY_FIELDS, company_identity_update),
            (TERMS_FIELDS, company_terms_update),
            (CASH_FIELDS, company_settings_update),
        ):
            group = {name: value for name, value in data.items() if name in fields}
            if group:
                service(actor=request.user, company=obj, **group)
        obj.refresh_from_db()


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
