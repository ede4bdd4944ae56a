"""Customers: upsert by external_key, only the columns the file has; one billing contact."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from encaisse.accounts.models import User
from encaisse.ledger.imports.context import Context, CustomerInfo, money
from encaisse.ledger.imports.kinds.base import Handler
from encaisse.ledger.imports.schema import CUSTOMERS, Row
from encaisse.ledger.models.fields import folded_key
from encaisse.lib import bulk

# Columns compared and written as they are (others need a conversion).
PLAIN = (
    "name", "siren", "siret", "vat_number", "address", "postal_code", "city", "country",
    "language", "currency", "terms_days", "terms_end_of_month", "risk_class", "status",
)  # fmt: skip
DEFAULTS: dict[str, Any] = {
    "siren": "", "siret": "", "vat_number": "", "address": "", "postal_code": "", "city": "",
    "country": "FR", "language": "fr", "currency": "EUR", "terms_days": None,
    "terms_end_of_month": False, "risk_class": "", "status": "active",
    "account_manager_id": None, "credit_limit": None, "tags": [], "external_rating": "",
}  # fmt: skip
COLUMNS = ("external_key", *DEFAULTS.keys(), "name")


class CustomersHandler(Handler):
    entity = "customers"
    table = "ledger_customer"
    schema = CUSTOMERS

    def __init__(self, ctx: Context, *, update_existing: bool = True, source: str = "csv") -> None:
        super().__init__(ctx, source=source)
        self.update_existing = update_existing
        self.users: dict[str, int] = {}
        for pk, username, email in User.objects.values_list("pk", "username", "email"):
            self.users[username.lower()] = pk
            if email:
                self.users.setdefault(email.lower(), pk)

    def _values(self, row: Row) -> dict[str, Any] | None:
        """The row as model column values, or None after reporting an error."""
        values = {k: v for k, v in row.values.items() if k in PLAIN}
        if "risk_class" in values:
            values["risk_class"] = values["risk_class"].upper()
        if "account_manager" in row.values:
            manager = self.users.get(row.values["account_manager"].lower())
            if manager is None:
                self.error(
                    row,
                    "account_manager",
                    _("unknown user %(value)r") % {"value": row.values["account_manager"]},
                )
                return None
            values["account_manager_id"] = manager
        if "credit_limit" in row.values:
            values["credit_limit"] = row.values["credit_limit"]
        if "tags" in row.values:
            values["tags"] = row.values["tags"]
        return values

    def handle(self, rows: list[Row]) -> None:
        ctx = self.ctx
        keys = [row.values["external_key"] for row in rows]
        existing = {
            r[0]: r
            for r in self.existing(
                "SELECT external_key, id, " + ", ".join(COLUMNS[1:]) + " "
                "FROM ledger_customer WHERE external_key IN ({marks})",
                keys,
            )
        }
        creates: list[tuple[Row, dict[str, Any]]] = []
        updates: list[tuple[int, dict[str, Any]]] = []
        contacts: list[tuple[str, Row]] = []
        tally = ctx.report.tally(self.entity)
        for row in rows:
            key = row.values["external_key"]
            if not self.first_time(row, key):
                continue
            values = self._values(row)
            if values is None:
                continue
            old = existing.get(key)
            if old is None:
                creates.append((row, values))
                tally.created += 1
                ctx.outcome(row.line, "created", key)
                ctx.customers.put(
                    key,
                    CustomerInfo(
                        None,
                        values.get("currency", "EUR"),
                        values.get("terms_days"),
                        values.get("terms_end_of_month", False),
                    ),
                )
            else:
                current = dict(zip(COLUMNS[1:], old[2:], strict=True))
                current["tags"] = _json(current["tags"])
                current["terms_end_of_month"] = bool(current["terms_end_of_month"])
                if current["credit_limit"] is not None:
                    current["credit_limit"] = money(current["credit_limit"])
                if not self.update_existing:  # FEC: only add tags (e.g. "doubtful")
                    added = [t for t in values.get("tags", []) if t not in current["tags"]]
                    values = {"tags": current["tags"] + added} if added else {}
                changed = {k: v for k, v in values.items() if current[k] != v}
                if "currency" in changed:
                    self.error(row, "currency", _("a customer's currency cannot change"))
                    continue
                if changed:
                    updates.append((old[1], changed))
                    tally.updated += 1
                    ctx.outcome(row.line, "updated", key, old[1])
                else:
                    tally.unchanged += 1
                    ctx.outcome(row.line, "unchanged", key, old[1])
            if row.values.get("contact_name") or row.values.get("contact_email"):
                contacts.append((key, row))
        if ctx.writing:
            self._write(creates, updates, contacts)

    def _write(
        self,
        creates: list[tuple[Row, dict[str, Any]]],
        updates: list[tuple[int, dict[str, Any]]],
        contacts: list[tuple[str, Row]],
    ) -> None:
        ctx = self.ctx
        # The raw insert bypasses the model: it writes the folded name lists sort by.
        insert_columns = (*COLUMNS, "name_key", "open_balance", "created_at", "updated_at")
        rows = []
        for row, values in creates:
            data = {**DEFAULTS, **values}
            data["tags"] = json.dumps(data["tags"])
            rows.append(
                (
                    row.values["external_key"],
                    *(data[k] for k in COLUMNS[1:-1]),
                    data["name"],
                    folded_key(data["name"]),
                    0,
                    ctx.created_at,
                    ctx.created_at,
                )
            )
        bulk.insert("ledger_customer", insert_columns, rows)
        if creates:
            for key, pk, currency, days, eom in bulk.select_in(
                "SELECT external_key, id, currency, terms_days, terms_end_of_month "
                "FROM ledger_customer WHERE external_key IN ({marks})",
                [row.values["external_key"] for row, _v in creates],
            ):
                ctx.customers.put(key, CustomerInfo(pk, currency, days, bool(eom)))
                ctx.touch(pk, created=1)
        for pk, changed in updates:
            if "tags" in changed:
                changed["tags"] = json.dumps(changed["tags"])
            if "name" in changed:
                changed["name_key"] = folded_key(changed["name"])
            bulk.update(
                "ledger_customer",
                [*changed, "updated_at"],
                [(*changed.values(), ctx.created_at, pk)],
            )
            ctx.touch(pk, updated=1)
        self._write_contacts(contacts)

    def _write_contacts(self, contacts: list[tuple[str, Row]]) -> None:
        """Add the billing contact unless the customer already has one with that email or name."""
        if not contacts:
            return
        ids = {key: info.id for key, _row in contacts if (info := self.ctx.customers.get(key))}
        have = {
            (customer_id, (email or name).lower())
            for customer_id, email, name in bulk.select_in(
                "SELECT customer_id, email, name FROM ledger_contact "
                "WHERE customer_id IN ({marks})",
                [pk for pk in ids.values() if pk is not None],
            )
        }
        new = []
        for key, row in contacts:
            pk = ids.get(key)
            email = row.values.get("contact_email", "")
            name = row.values.get("contact_name") or email
            if pk is None or (pk, (email or name).lower()) in have:
                continue
            have.add((pk, (email or name).lower()))
            self._contact_added(row, key)
            now = self.ctx.created_at
            phone = row.values.get("contact_phone", "")
            new.append((pk, name, "billing", email, phone, True, now, now))
        bulk.insert(
            "ledger_contact",
            ("customer_id", "name", "role", "email", "phone", "preferred_for_reminders",
             "created_at", "updated_at"),
            new,
        )  # fmt: skip

    def _contact_added(self, row: Row, key: str) -> None:
        """A customer otherwise unchanged that gains a contact was written after all."""
        ctx = self.ctx
        ctx.extra_writes += 1
        if ctx.outcomes is not None and ctx.outcomes.get(row.line, ("",))[0] == "unchanged":
            ctx.outcome(row.line, "updated", key)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
