"""Invoices: upsert by external_key (default: number); the balance starts at the amount."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from encaisse.ledger.imports.context import money
from encaisse.ledger.imports.kinds.base import Handler
from encaisse.ledger.imports.schema import INVOICES, Row
from encaisse.ledger.models.invoice import InvoiceStatus
from encaisse.lib import bulk

INSERT = (
    "external_key", "number", "customer_id", "issue_date", "due_date", "currency", "amount",
    "amount_excl_tax", "balance", "status", "po_reference", "pdf", "source", "import_batch_id",
    "created_at", "updated_at",
)  # fmt: skip
COMPARED = ("number", "issue_date", "due_date", "amount", "amount_excl_tax", "po_reference")


class InvoicesHandler(Handler):
    entity = "invoices"
    table = "ledger_invoice"
    schema = INVOICES

    def handle(self, rows: list[Row]) -> None:
        ctx = self.ctx
        for row in rows:
            row.values.setdefault("external_key", row.values["number"])
        ctx.customers.load({row.values["customer_key"] for row in rows})
        existing = self.stored(
            "id, customer_id, amount, balance, status, " + ", ".join(COMPARED), rows
        )
        creates: list[tuple[Any, ...]] = []
        updates: list[tuple[dict[str, Any], int]] = []
        tally = ctx.report.tally(self.entity)
        for row in rows:
            v = row.values
            key = v["external_key"]
            if not self.first_time(row, key):
                continue
            customer = self.customer_of(row)
            # Only a due date written in the file can precede the issue date: checked
            # whatever the customer, so that both errors of a row are reported.
            if v.get("due_date", v["issue_date"]) < v["issue_date"]:
                self.error(row, "due_date", _("the due date is before the issue date"))
            if customer is None or row.failed:
                continue
            due = v.get("due_date") or ctx.customers.due_date(customer, v["issue_date"])
            old = existing.get(key)
            if old is None:
                tally.created += 1
                ctx.outcome(row.line, "created", key)
                ctx.touch(customer.id, created=1)
                creates.append(
                    (
                        key, v["number"], customer.id, v["issue_date"], due, customer.currency,
                        v["amount"], v.get("amount_excl_tax"), v["amount"], InvoiceStatus.OPEN,
                        v.get("po_reference", ""), "", self.source, ctx.batch_id, ctx.created_at,
                        ctx.created_at,
                    )
                )  # fmt: skip
                continue
            pk, customer_id, _amount, balance, _status = old[:5]
            if customer_id != customer.id and customer.id is not None:
                self.error(row, "customer_key", _("this invoice belongs to another customer"))
                continue
            current = dict(zip(COMPARED, old[5:], strict=True))
            current["amount"] = money(current["amount"])
            if current["amount_excl_tax"] is not None:
                current["amount_excl_tax"] = money(current["amount_excl_tax"])
            wanted = {
                "number": v["number"],
                "issue_date": v["issue_date"],
                "due_date": due,
                "amount": v["amount"],
                "amount_excl_tax": v.get("amount_excl_tax", current["amount_excl_tax"]),
                "po_reference": v.get("po_reference", current["po_reference"]),
            }
            current["issue_date"] = _date(current["issue_date"])
            current["due_date"] = _date(current["due_date"])
            changed = {k: val for k, val in wanted.items() if current[k] != val}
            if not changed:
                tally.unchanged += 1
                ctx.outcome(row.line, "unchanged", key, pk)
                continue
            if "amount" in changed and money(balance) != current["amount"]:
                self.error(
                    row,
                    "amount",
                    _("the amount cannot change: payments or credit notes are already allocated"),
                )
                continue
            tally.updated += 1
            ctx.outcome(row.line, "updated", key, pk)
            ctx.touch(customer_id, updated=1)
            ctx.updated_invoices.append(pk)
            updates.append((changed, pk))
        if ctx.writing:
            bulk.insert("ledger_invoice", INSERT, creates)
            for changed, pk in updates:
                if "amount" in changed:  # only reached when nothing is allocated yet
                    changed["balance"] = changed["amount"]
                changed["updated_at"] = ctx.created_at
                bulk.update("ledger_invoice", list(changed), [(*changed.values(), pk)])


def _date(value: Any) -> Any:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value
