"""What the stages share during one import: options, the report, and small indexes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from encaisse.accounts.models import User
from encaisse.ledger.imports.report import ImportReport
from encaisse.ledger.models import Company, Customer
from encaisse.lib import bulk
from encaisse.lib.dates import due_date_for


@dataclass(slots=True)
class CustomerInfo:
    """What rows of other kinds need to know about their customer; `id` is None in a dry run."""

    id: int | None
    currency: str
    terms_days: int | None
    terms_end_of_month: bool


class CustomerIndex:
    """external_key → CustomerInfo, loaded per chunk with one query for the unseen keys.

    `visible` (an API push by a sales rep) limits the customers rows may name to a
    scope: one outside it is "unknown", exactly like one that does not exist.
    """

    def __init__(self) -> None:
        self._known: dict[str, CustomerInfo | None] = {}
        self.visible: QuerySet[Customer] | None = None
        # Read on first use: an API push passes them in (one query less per call).
        self._company_terms: tuple[int, bool] | None = None

    @property
    def company_terms(self) -> tuple[int, bool]:
        """The company's default payment terms: (days, end-of-month rule)."""
        if self._company_terms is None:
            company = Company.current()
            self._company_terms = (company.default_terms_days, company.default_terms_end_of_month)
        return self._company_terms

    @company_terms.setter
    def company_terms(self, terms: tuple[int, bool]) -> None:
        self._company_terms = terms

    def load(self, keys: set[str]) -> None:
        missing = [key for key in keys if key not in self._known]
        if not missing:
            return
        rows = bulk.select_in(
            "SELECT external_key, id, currency, terms_days, terms_end_of_month "
            "FROM ledger_customer WHERE external_key IN ({marks})",
            missing,
        )
        for key in missing:
            self._known[key] = None
        if self.visible is not None and rows:
            allowed = self.visible_ids({row[1] for row in rows})
            rows = [row for row in rows if row[1] in allowed]
        for key, pk, currency, days, eom in rows:
            self._known[key] = CustomerInfo(pk, currency, days, bool(eom))

    def visible_ids(self, ids: set[int]) -> set[int]:
        """Those of `ids` inside the scope (all of them without one)."""
        if self.visible is None or not ids:
            return ids
        return set(self.visible.filter(pk__in=ids).values_list("pk", flat=True))

    def get(self, key: str) -> CustomerInfo | None:
        return self._known.get(key)

    def put(self, key: str, info: CustomerInfo) -> None:
        self._known[key] = info

    def due_date(self, info: CustomerInfo, issue: dt.date) -> dt.date:
        if info.terms_days is not None:
            return due_date_for(
                issue, days=info.terms_days, end_of_month_rule=info.terms_end_of_month
            )
        days, eom = self.company_terms
        return due_date_for(issue, days=days, end_of_month_rule=eom)


@dataclass
class Context:
    """One import run. `writing` turns off as soon as the run is bound to be rolled back."""

    report: ImportReport
    actor: User | None
    batch_id: int | None = None
    customers: CustomerIndex = field(default_factory=CustomerIndex)
    # customer id → [created, updated] rows, for one timeline entry per customer.
    touched: dict[int, list[int]] = field(default_factory=dict)
    # Invoices allocated to after their chunk was written (FEC lettering): these
    # need the set-based recomputation; the CSV kinds write final balances.
    touched_invoices: set[int] = field(default_factory=set)
    # Customers whose allocations the FEC lettering changed without creating or updating
    # one of their rows (an existing payment lettered, an application reversed): their
    # balances are recomputed, but no "imported" timeline entry is written for them.
    lettered_customers: set[int] = field(default_factory=set)
    created_at: Any = None
    # API pushes (`import_records`): record index → (outcome, external key), and whether a
    # push that changes nothing writes nothing at all (not even its ImportBatch).
    outcomes: dict[int, tuple[str, str]] | None = None
    skip_if_unchanged: bool = False
    # API pushes: external key → id of the records found stored, so that only the created
    # ones are read back for their ids (a re-push of unchanged records reads nothing more).
    known_ids: dict[str, int] = field(default_factory=dict)
    # Rows written that no tally counts (a billing contact added to an unchanged customer).
    extra_writes: int = 0
    # Invoices whose details the import changed, for their `invoice.updated` webhook events.
    updated_invoices: list[int] = field(default_factory=list)

    @property
    def writing(self) -> bool:
        report = self.report
        return not report.dry_run and (report.valid_rows_only or report.error_count == 0)

    def outcome(self, line: int, outcome: str, key: str, pk: int | None = None) -> None:
        """What a record did (only API pushes keep them; a file import counts tallies)."""
        if self.outcomes is not None:
            self.outcomes[line] = (outcome, key)
            if pk is not None:
                self.known_ids[key] = pk

    def touch(self, customer_id: int | None, created: int = 0, updated: int = 0) -> None:
        if customer_id is None:
            return
        counts = self.touched.setdefault(customer_id, [0, 0])
        counts[0] += created
        counts[1] += updated


def money(value: Any) -> Decimal:
    """A money value read back from SQL (SQLite may hand back a float or an int)."""
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"))
    return Decimal(str(value)).quantize(Decimal("0.01"))
