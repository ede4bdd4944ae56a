"""Payments: immutable money records keyed by external_key, allocated to the invoices named."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from encaisse.ledger.imports.context import money
from encaisse.ledger.imports.kinds.allocating import OpenInvoices, insert_allocations
from encaisse.ledger.imports.kinds.base import Handler
from encaisse.ledger.imports.schema import PAYMENTS, Row
from encaisse.lib import bulk

INSERT = (
    "external_key", "customer_id", "date", "currency", "amount", "allocated", "method",
    "bank_reference", "remittance", "source", "import_batch_id", "created_at", "updated_at",
)  # fmt: skip
TEXTS = ("method", "bank_reference", "remittance")


class PaymentsHandler(Handler):
    entity = "payments"
    table = "ledger_payment"
    schema = PAYMENTS

    def handle(self, rows: list[Row]) -> None:
        ctx = self.ctx
        ctx.customers.load({row.values["customer_key"] for row in rows})
        existing = self.stored("id, customer_id, date, amount, currency, " + ", ".join(TEXTS), rows)
        invoices = OpenInvoices(
            {n for row in rows if row.values["external_key"] not in existing
             for n in row.values.get("invoice_numbers", ())}
        )  # fmt: skip
        creates: list[tuple[Any, ...]] = []
        allocations: list[tuple[int, str, Decimal, str]] = []
        updates: list[tuple[dict[str, Any], int]] = []
        tally = ctx.report.tally(self.entity)
        for row in rows:
            v = row.values
            key = v["external_key"]
            if not self.first_time(row, key):
                continue
            customer = self.customer_of(row)
            if customer is None:
                continue
            old = existing.get(key)
            if old is not None:
                pk, customer_id, date, amount, old_currency = old[:5]
                same = (
                    customer_id == customer.id
                    and str(date) == v["date"].isoformat()
                    and money(amount) == v["amount"]
                    and old_currency == customer.currency
                )
                if not same:
                    self.error(
                        row,
                        "external_key",
                        _("payment %(key)r was already imported with another customer, date "
                          "or amount") % {"key": key},
                    )  # fmt: skip
                    continue
                current = dict(zip(TEXTS, old[5:], strict=True))
                changed = {k: v[k] for k in TEXTS if k in v and v[k] != current[k]}
                if changed:
                    tally.updated += 1
                    ctx.outcome(row.line, "updated", key, pk)
                    ctx.touch(customer_id, updated=1)
                    updates.append((changed, pk))
                else:
                    tally.unchanged += 1
                    ctx.outcome(row.line, "unchanged", key, pk)
                continue
            planned = self._allocate(row, customer.id, v["amount"], customer.currency, invoices)
            if planned is None:
                continue
            allocations.extend(planned)
            tally.created += 1
            ctx.outcome(row.line, "created", key)
            ctx.report.allocations += len(planned)
            ctx.touch(customer.id, created=1)
            creates.append(
                (
                    key, customer.id, v["date"], customer.currency, v["amount"],
                    sum((share for _i, _k, share, _c in planned), Decimal(0)),
                    v.get("method", "transfer"), v.get("bank_reference", ""),
                    v.get("remittance", ""), self.source, ctx.batch_id, ctx.created_at,
                    ctx.created_at,
                )
            )  # fmt: skip
        if ctx.writing:
            self._write(creates, allocations, updates)
            invoices.write(ctx.created_at)

    def _allocate(
        self, row: Row, customer_id: int | None, amount: Decimal, currency: str,
        invoices: OpenInvoices,
    ) -> list[tuple[int, str, Decimal, str]] | None:  # fmt: skip
        numbers = row.values.get("invoice_numbers", [])
        unknown = [n for n in numbers if customer_id is None or not invoices.exists(customer_id, n)]
        if unknown:
            self.error(
                row,
                "invoice_numbers",
                _("no open invoice %(numbers)s for this customer")
                % {"numbers": ", ".join(unknown)},
            )
            return None
        planned = []
        left = amount
        for number in numbers:
            if left <= 0:
                break
            assert customer_id is not None
            invoice_id, share = invoices.take(customer_id, number, left, row.values["date"])
            if share > 0:
                planned.append((invoice_id, row.values["external_key"], share, currency))
                left -= share
        return planned

    def _write(
        self,
        creates: list[tuple[Any, ...]],
        allocations: list[tuple[int, str, Decimal, str]],
        updates: list[tuple[dict[str, Any], int]],
    ) -> None:
        ctx = self.ctx
        new_ids = bulk.insert_with_ids("ledger_payment", INSERT, creates)
        for changed, pk in updates:
            changed["updated_at"] = ctx.created_at
            bulk.update("ledger_payment", list(changed), [(*changed.values(), pk)])
        if allocations:
            ids = {row[0]: pk for row, pk in zip(creates, new_ids, strict=True)}  # key → id
            actor = ctx.actor.pk if ctx.actor is not None else None
            insert_allocations(allocations, "payment_id", ids, ctx.created_at, actor)
