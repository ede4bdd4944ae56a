"""Filter forms of the ledger lists: they validate the query string and narrow a
queryset that the scoping selectors already produced (never a wider one).

A list page and its CSV export share one form, so an export always holds what
the page shows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from encaisse.accounts.models import User
from encaisse.accounts.selectors import account_managers_visible_to
from encaisse.ledger.matching import Confidence
from encaisse.ledger.matching.sentences import CONFIDENCE_LABELS
from encaisse.ledger.models import Customer, CustomerStatus, Invoice, InvoiceStatus, Payment
from encaisse.ledger.models.payment import PaymentMethod
from encaisse.ledger.selectors import (
    customers_visible_to,
    in_overdue_bucket,
    open_invoices,
    overdue_invoices,
)
from encaisse.lib.text import folded
from encaisse.web.forms.choices import FrenchOrderModelChoiceField

# A name search naming up to this many customers passes their ids (the planner
# then reads their rows through the customer index); more, a subquery.
NAMED_CUSTOMERS_LISTED = 1_000

# Every ordering ends with the primary key so that pages never overlap. Names
# sort by their folded key: French order on both databases, from an index.
CUSTOMER_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name_key", "id"),
    "-name": ("-name_key", "-id"),
    "balance": ("open_balance", "id"),
    "-balance": ("-open_balance", "-id"),
    "status": ("status", "name_key", "id"),
}
INVOICE_SORTS: dict[str, tuple[str, ...]] = {
    "due": ("due_date", "id"),
    "-due": ("-due_date", "-id"),
    "balance": ("balance", "id"),
    "-balance": ("-balance", "-id"),
    "amount": ("amount", "id"),
    "-amount": ("-amount", "-id"),
    "number": ("number", "id"),
    "-number": ("-number", "-id"),
    # A customer's invoices together, oldest due first (the (customer, due_date) index).
    "customer": ("customer__name_key", "customer_id", "due_date", "id"),
    "-customer": ("-customer__name_key", "-customer_id", "-due_date", "-id"),
}
PAYMENT_SORTS: dict[str, tuple[str, ...]] = {
    "-date": ("-date", "-id"),
    "date": ("date", "id"),
    "-amount": ("-amount", "-id"),
    "amount": ("amount", "id"),
    # A customer's payments together, latest first (the (customer, date) index).
    "customer": ("customer__name_key", "customer_id", "-date", "-id"),
    "-customer": ("-customer__name_key", "-customer_id", "date", "id"),
}


class ListFilterForm(forms.Form):
    """Common behaviour: lenient (a bad value is ignored), scoped choices."""

    sorts: dict[str, tuple[str, ...]] = {}
    default_sort = ""

    q = forms.CharField(required=False, max_length=100)
    # Labelled by User.__str__ (full name, else username), in French order;
    # scoped choices set in __init__.
    manager = FrenchOrderModelChoiceField(queryset=User.objects.none(), required=False)
    customer = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    sort = forms.CharField(required=False)

    def __init__(self, data: Any, *, user: User) -> None:
        super().__init__(data)
        self.user = user
        manager_field = self.fields["manager"]
        assert isinstance(manager_field, forms.ModelChoiceField)
        manager_field.queryset = account_managers_visible_to(user)
        manager_field.empty_label = _("All account managers")

    def value(self, name: str) -> Any:
        """The cleaned value, or the field's empty value when it did not validate."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or None

    def customers_named(self, q: str) -> Q | None:
        """Rows of the visible customers whose name holds `q` (accents and case
        ignored); None when no name does.

        Invoices and payments are searched by customer name or by their own
        reference, not both at once: an OR of the two defeats every index and
        reads the whole table (0.5 s at a million invoices), while each alone is
        a few index lookups (the name) or the scan the reference search always was.
        """
        named = customers_visible_to(self.user).filter(name_key__contains=folded(q))
        ids = list(named.values_list("pk", flat=True)[: NAMED_CUSTOMERS_LISTED + 1])
        if not ids:
            return None
        if len(ids) > NAMED_CUSTOMERS_LISTED:
            return Q(customer_id__in=named.values("pk"))
        return Q(customer_id__in=ids)

    @property
    def ordering(self) -> tuple[str, ...]:
        key = self.value("sort")
        return self.sorts.get(key or self.default_sort, self.sorts[self.default_sort])

    @property
    def current_sort(self) -> str:
        key = self.value("sort")
        return key if key in self.sorts else self.default_sort


class CustomerFilterForm(ListFilterForm):
    sorts = CUSTOMER_SORTS
    default_sort = "name"

    status = forms.ChoiceField(
        required=False, choices=[("", _("All statuses")), *CustomerStatus.choices]
    )
    overdue = forms.BooleanField(required=False, label=_("Overdue only"))

    def apply(self, customers: QuerySet[Customer], today: dt.date) -> QuerySet[Customer]:
        q = (self.value("q") or "").strip()
        if q:
            digits = q.replace(" ", "")
            by_name = Q(name_key__contains=folded(q))
            if digits.isdigit():
                customers = customers.filter(Q(siren__startswith=digits[:9]) | by_name)
            else:
                customers = customers.filter(by_name)
        if manager := self.value("manager"):
            customers = customers.filter(account_manager=manager)
        if status := self.value("status"):
            customers = customers.filter(status=status)
        if self.value("overdue"):
            late = overdue_invoices(Invoice.objects.filter(customer=OuterRef("pk")), today)
            customers = customers.filter(Exists(late))
        return customers.order_by(*self.ordering)


OUTSTANDING = "outstanding"
ALL = "all"
BUCKETS = [
    ("not_due", _("Not yet due")),
    ("1-30", _("1–30 days late")),
    ("31-60", _("31–60 days late")),
    ("61-90", _("61–90 days late")),
    ("90+", _("More than 90 days late")),
]


class InvoiceFilterForm(ListFilterForm):
    sorts = INVOICE_SORTS
    default_sort = "due"

    status = forms.ChoiceField(
        required=False,
        choices=[(OUTSTANDING, _("Outstanding")), (ALL, _("All invoices")), *InvoiceStatus.choices],
    )
    bucket = forms.ChoiceField(required=False, choices=[("", _("Any due date")), *BUCKETS])

    def apply(self, invoices: QuerySet[Invoice], today: dt.date) -> QuerySet[Invoice]:
        status = self.value("status") or OUTSTANDING
        if status == OUTSTANDING:
            invoices = open_invoices(invoices)
        elif status != ALL:
            invoices = invoices.filter(status=status)
        if bucket := self.value("bucket"):
            invoices = in_overdue_bucket(invoices, bucket, today)
        if q := (self.value("q") or "").strip():
            invoices = invoices.filter(self.customers_named(q) or Q(number__istartswith=q))
        if manager := self.value("manager"):
            invoices = invoices.filter(customer__account_manager=manager)
        if customer := self.value("customer"):
            invoices = invoices.filter(customer_id=customer)
        open_only = status == OUTSTANDING or bool(self.value("bucket"))
        return invoices.order_by(*self.invoice_ordering(open_only))

    def invoice_ordering(self, open_only: bool) -> tuple[Any, ...]:
        """The ordering, tuned so PostgreSQL walks the right index on a large ledger.

        Open invoices are a small, recent part of the ledger. Ordered by
        (due_date, id), the planner picks the full (due_date, id) index and then
        skips every settled invoice due earlier (180 000 rows for one page on a
        million invoices); hiding the id tie-breaker behind `id + 0` makes it walk
        the partial open-invoices index instead, with a tiny incremental sort.
        """
        key = self.current_sort
        if open_only and key in {"due", "-due"}:
            tie_breaker = F("id") + 0
            if key == "due":
                return (F("due_date").asc(), tie_breaker.asc())
            return (F("due_date").desc(), tie_breaker.desc())
        return self.ordering


class PaymentFilterForm(ListFilterForm):
    sorts = PAYMENT_SORTS
    default_sort = "-date"

    method = forms.ChoiceField(
        required=False, choices=[("", _("All methods")), *PaymentMethod.choices]
    )
    on_account = forms.BooleanField(required=False, label=_("With an amount on account"))
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def apply(self, payments: QuerySet[Payment], today: dt.date) -> QuerySet[Payment]:
        del today  # same signature as the other lists
        if q := (self.value("q") or "").strip():
            payments = payments.filter(
                self.customers_named(q) or Q(bank_reference__icontains=q) | Q(external_key=q)
            )
        if manager := self.value("manager"):
            payments = payments.filter(customer__account_manager=manager)
        if customer := self.value("customer"):
            payments = payments.filter(customer_id=customer)
        if method := self.value("method"):
            payments = payments.filter(method=method)
        if self.value("on_account"):
            payments = payments.filter(allocated__lt=F("amount"))
        if since := self.value("since"):
            payments = payments.filter(date__gte=since)
        if until := self.value("until"):
            payments = payments.filter(date__lte=until)
        return payments.order_by(*self.ordering)


NO_SUGGESTION = "none"


class CashFilterForm(forms.Form):
    """The cash-application workspace: customer, kind of item, confidence of the best match."""

    q = forms.CharField(required=False, max_length=100)
    kind = forms.ChoiceField(
        required=False,
        choices=[("", _("Payments and credit notes")), ("payment", _("Payments")),
                 ("credit_note", _("Credit notes"))],
    )  # fmt: skip
    confidence = forms.ChoiceField(
        required=False,
        choices=[
            ("", _("Any confidence")),
            ("certain", _("Certain (applied by “Apply all confident”)")),
            ("high", CONFIDENCE_LABELS[Confidence.HIGH]),
            ("medium", CONFIDENCE_LABELS[Confidence.MEDIUM]),
            ("low", CONFIDENCE_LABELS[Confidence.LOW]),
            (NO_SUGGESTION, _("No suggestion")),
        ],
    )
    customer = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def value(self, name: str) -> Any:
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or None

    @property
    def kinds(self) -> tuple[str, ...]:
        kind = self.value("kind")
        return (kind,) if kind else ("payment", "credit_note")
