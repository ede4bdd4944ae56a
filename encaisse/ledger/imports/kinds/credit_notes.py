"""Credit notes: keyed by external_key (default: number), allocated to the invoice named."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from encaisse.ledger.imports.context import money
from encaisse.ledger.imports.kinds.allocating import OpenInvoices, insert_allocations
from encaisse.ledger.imports.kinds.base import Handler
from encaisse.ledger.imports.schema import CREDIT_NOTES, Row
from encaisse.lib import bulk

INSERT = (
    "external_key", "number", "customer_id", "issue_date", "currency", "amount", "allocated",
    "reason", "source", "import_batch_id", "created_at", "updated_at",
)  # fmt: skip


class CreditNotesHandler(Handler):
    entity = "credit_notes"
    table = "ledger_creditnote"
    schema = CREDIT_NOTES
    checks_currency = False  # a credit note file has no currency column

    def handle(self, rows: list[Row]) -> None:
        ctx = self.ctx
        for row in rows:
            row.values.setdefault("external_key", row.values["number"])
        ctx.customers.load({row.values["customer_key"] for row in rows})
        existing = self.stored("id, customer_id, issue_date, amount, number, reason", rows)
        invoices = OpenInvoices(
            {row.values["invoice_number"] for row in rows if row.values.get("invoice_number")}
        )
        creates: list[tuple[Any, ...]] = []
        allocations: list[tuple[int, str, Decimal, str]] = []
        updates: list[tuple[dict[str, Any], int]] = []
        tally = ctx.report.tally(self.entity)
        for row in rows:
            v = row.values
            key = v["external_key"]
            if not self.first_time(row, key):
                continue
            customer = self.customer_of(row, check_currency=self.checks_currency)
            if customer is None:
                continue
            old = existing.get(key)
            if old is not None:
                pk, customer_id, issue_date, amount, number, reason = old
                if customer_id != customer.id or money(amount) != v["amount"]:
                    self.error(
                        row,
                        "external_key",
                        _("credit note %(key)r was already imported with another customer or "
                          "amount") % {"key": key},
                    )  # fmt: skip
                    continue
                wanted = {
                    "issue_date": v["issue_date"],
                    "number": v["number"],
                    "reason": v.get("reason", reason),
                }
                changed = {
                    k: val
                    for k, val in wanted.items()
                    if str(val) != str({"issue_date": issue_date, "number": number,
                                        "reason": reason}[k])
                }  # fmt: skip
                if changed:
                    tally.updated += 1
                    ctx.outcome(row.line, "updated", key, pk)
                    ctx.touch(customer_id, updated=1)
                    updates.append((changed, pk))
                else:
                    tally.unchanged += 1
                    ctx.outcome(row.line, "unchanged", key, pk)
                continue
            number = v.get("invoice_number")
            allocated = Decimal(0)
            if number:
                if customer.id is None or not invoices.exists(customer.id, number):
                    self.error(
                        row,
                        "invoice_number",
                        _("no open invoice %(numbers)s for this customer") % {"numbers": number},
                    )
                    continue
                invoice_id, share = invoices.take(customer.id, number, v["amount"], v["issue_date"])
                if share > 0:
                    allocations.append((invoice_id, key, share, customer.currency))
                    ctx.report.allocations += 1
                    allocated = share
            tally.created += 1
            ctx.outcome(row.line, "created", key)
            ctx.touch(customer.id, created=1)
            creates.append(
                (
                    key, v["number"], customer.id, v["issue_date"], customer.currency, v["amount"],
                    allocated, v.get("reason", ""), self.source, ctx.batch_id, ctx.created_at,
                    ctx.created_at,
                )
            )  # fmt: skip
        if ctx.writing:
            new_ids = bulk.insert_with_ids("ledger_creditnote", INSERT, creates)
            for changed, pk in updates:
                changed["updated_at"] = ctx.created_at
                bulk.update("ledger_creditnote", list(changed), [(*changed.values(), pk)])
            if allocations:
                ids = {row[0]: pk for row, pk in zip(creates, new_ids, strict=True)}  # key → id
                actor = ctx.actor.pk if ctx.actor is not None else None
                insert_allocations(allocations, "credit_note_id", ids, ctx.created_at, actor)
            invoices.write(ctx.created_at)
