"""FEC lettering: the accountant's word on which credits settle which invoices.

1. Plan: in every lettering group of a customer that has at least one debit
   in the file, the group's credits (payments, credit notes) are allocated to
   its debits (invoices) in file order, each invoice up to its amount.
2. Every credit of such a group, created by this import or already in the
   ledger, ends with exactly its planned allocations: its live allocations
   that differ from the plan (an application made in Encaisse, an older
   lettering) are reversed, "re-lettered from the accounting", and the
   missing ones are made.
3. An invoice the plan allocates to makes room: live allocations to it from
   credits the plan does not pair with it are reversed, newest first, until
   the plan fits; those credits return on account.
4. Credits left unlettered, or lettered with partners outside the file (a
   previous year), keep their allocations: whatever Encaisse applied stays.
An unchanged file plans what the ledger already holds: nothing is written.
Reversals go through `allocation_reverse` (its timeline entry says which
lettering decided it); the plan's allocations are inserted in bulk, and
`balances_recompute` derives the balances at the end of the import.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from encaisse.collab.models import Activity
from encaisse.ledger.imports.context import Context, money
from encaisse.ledger.models import Allocation
from encaisse.ledger.services.reversal import allocation_reverse
from encaisse.lib import bulk

# (customer key, lettering code) → [(kind, external key, amount: debit − credit)]
Groups = dict[tuple[str, str], list[tuple[str, str, Decimal]]]
SourceId = tuple[str, int]  # ("payment" | "credit_note", id)
TABLES = {"payment": "ledger_payment", "credit_note": "ledger_creditnote"}
COLUMNS = {"payment": "payment_id", "credit_note": "credit_note_id"}
LIVE = (
    "a.reverses_id IS NULL AND NOT EXISTS "
    "(SELECT 1 FROM ledger_allocation r WHERE r.reverses_id = a.id)"
)


@dataclass(slots=True)
class InvoiceRow:
    id: int
    amount: Decimal
    currency: str
    customer_id: int
    new: bool


@dataclass(slots=True)
class SourceRow:
    id: int
    ref: str
    new: bool


@dataclass
class Plan:
    wanted: dict[SourceId, dict[int, Decimal]] = field(default_factory=dict)
    code: dict[SourceId, str] = field(default_factory=dict)
    code_of_invoice: dict[int, str] = field(default_factory=dict)


def letter(ctx: Context, groups: Groups) -> None:
    invoices, by_key = _load(groups, ctx.batch_id)
    sources = {(kind, row.id): row for (kind, _key), row in by_key.items()}
    plan = _plan(groups, invoices, by_key)
    if not plan.wanted:
        return
    current = _live_by_source([sid for sid in plan.wanted if not sources[sid].new])
    reverse: dict[int, str] = {}  # allocation id → lettering code
    create: list[tuple[SourceId, int, Decimal]] = []
    for sid, wanted in plan.wanted.items():
        have = current.get(sid, {})
        for invoice_id in sorted(set(have) | set(wanted)):
            held = have.get(invoice_id, [])
            if sum((amount for _a, amount in held), Decimal(0)) == wanted.get(invoice_id, 0):
                continue
            reverse.update({allocation_id: plan.code[sid] for allocation_id, _x in held})
            if wanted.get(invoice_id, 0) > 0:
                create.append((sid, invoice_id, wanted[invoice_id]))
    by_invoice = {i.id: i for i in invoices.values()}
    _make_room(create, reverse, plan, by_invoice)
    _reverse(ctx, reverse)
    _create(ctx, create, plan, by_invoice, sources)


def _load(
    groups: Groups, batch_id: int | None
) -> tuple[dict[str, InvoiceRow], dict[tuple[str, str], SourceRow]]:
    """The group members already in the ledger (this import wrote the new ones just before)."""
    keys: dict[str, set[str]] = defaultdict(set)
    for members in groups.values():
        for kind, key, _amount in members:
            keys[kind].add(key)
    invoices = {
        key: InvoiceRow(pk, money(amount), currency, customer_id, batch == batch_id)
        for key, pk, amount, currency, customer_id, batch in bulk.select_in(
            "SELECT external_key, id, amount, currency, customer_id, import_batch_id "
            "FROM ledger_invoice WHERE external_key IN ({marks})",
            keys["invoice"],
        )
    }
    by_key: dict[tuple[str, str], SourceRow] = {}
    for kind, ref in (("payment", "COALESCE(NULLIF(bank_reference, ''), external_key)"),
                      ("credit_note", "number")):  # fmt: skip
        for key, pk, text, batch in bulk.select_in(
            f"SELECT external_key, id, {ref}, import_batch_id FROM {TABLES[kind]} "
            "WHERE external_key IN ({marks})",
            keys[kind],
        ):
            by_key[(kind, key)] = SourceRow(pk, text, batch == batch_id)
    return invoices, by_key


def _plan(
    groups: Groups, invoices: dict[str, InvoiceRow], by_key: dict[tuple[str, str], SourceRow]
) -> Plan:
    plan = Plan()
    for (_customer, code), members in groups.items():
        debits = [
            invoices[key] for kind, key, _a in members if kind == "invoice" and key in invoices
        ]
        if not debits:
            continue  # partners outside the file: the lettering says nothing usable
        rooms = [debit.amount for debit in debits]
        for kind, key, amount in members:
            row = by_key.get((kind, key))
            if kind == "invoice" or row is None:
                continue
            sid = (kind, row.id)
            wanted = plan.wanted.setdefault(sid, {})
            plan.code[sid] = code
            left = -amount
            for position, invoice in enumerate(debits):
                share = min(left, rooms[position])
                if share > 0:
                    rooms[position] -= share
                    left -= share
                    wanted[invoice.id] = wanted.get(invoice.id, Decimal(0)) + share
                    plan.code_of_invoice[invoice.id] = code
                if left <= 0:
                    break
    return plan


def _live(column: str, ids: list[int]) -> list[tuple[Any, ...]]:
    return bulk.select_in(
        f"SELECT a.id, a.payment_id, a.credit_note_id, a.invoice_id, a.amount "
        f"FROM ledger_allocation a WHERE {LIVE} AND a.{column} IN ({{marks}})",
        ids,
    )


def _source_of(payment_id: int | None, credit_note_id: int | None) -> SourceId:
    if payment_id is not None:
        return ("payment", payment_id)
    assert credit_note_id is not None
    return ("credit_note", credit_note_id)


def _live_by_source(sids: list[SourceId]) -> dict[SourceId, dict[int, list[tuple[int, Decimal]]]]:
    """Live allocations of the given credits: source → invoice → [(allocation id, amount)]."""
    found: dict[SourceId, dict[int, list[tuple[int, Decimal]]]] = defaultdict(dict)
    for kind in ("payment", "credit_note"):
        ids = [pk for k, pk in sids if k == kind]
        for pk, payment_id, credit_note_id, invoice_id, amount in _live(COLUMNS[kind], ids):
            sid = _source_of(payment_id, credit_note_id)
            found[sid].setdefault(invoice_id, []).append((pk, money(amount)))
    return found


def _make_room(
    create: list[tuple[SourceId, int, Decimal]],
    reverse: dict[int, str],
    plan: Plan,
    invoices: dict[int, InvoiceRow],
) -> None:
    """Reverse, newest first, the live allocations in the way of the plan (rule 3)."""
    needed: dict[int, Decimal] = defaultdict(Decimal)
    for _sid, invoice_id, amount in create:
        needed[invoice_id] += amount
    old = [pk for pk in needed if not invoices[pk].new]
    rows = sorted(_live("invoice_id", old), key=lambda row: -row[0])
    by_invoice: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        by_invoice[row[3]].append(row)
    for invoice_id in old:
        live = [row for row in by_invoice[invoice_id] if row[0] not in reverse]
        room = invoices[invoice_id].amount - sum((money(row[4]) for row in live), Decimal(0))
        for pk, payment_id, credit_note_id, _invoice, amount in live:
            if needed[invoice_id] <= room:
                break
            sid = _source_of(payment_id, credit_note_id)
            if invoice_id in plan.wanted.get(sid, {}):
                continue  # kept as the plan wants it
            reverse[pk] = plan.code_of_invoice[invoice_id]
            room += money(amount)


def _reverse(ctx: Context, reverse: dict[int, str]) -> None:
    allocations = list(
        Allocation.objects.filter(pk__in=list(reverse)).select_related("invoice").order_by("pk")
    )
    for allocation in allocations:
        code = reverse[allocation.pk]
        allocation_reverse(
            actor=ctx.actor,
            allocation=allocation,
            reason=_("Re-lettered from the accounting (lettering %(code)s)") % {"code": code},
            payload={"by": "fec_lettering", "lettering": code, "batch": ctx.batch_id},
        )
        ctx.touched_invoices.add(allocation.invoice_id)
        ctx.lettered_customers.add(allocation.invoice.customer_id)
        ctx.report.reversals += 1


def _create(
    ctx: Context,
    create: list[tuple[SourceId, int, Decimal]],
    plan: Plan,
    invoices: dict[int, InvoiceRow],
    sources: dict[SourceId, SourceRow],
) -> None:
    actor = ctx.actor.pk if ctx.actor is not None else None
    rows = [
        (invoice_id, sid[1] if sid[0] == "payment" else None,
         sid[1] if sid[0] == "credit_note" else None, amount, invoices[invoice_id].currency,
         ctx.created_at, ctx.created_at, actor)
        for sid, invoice_id, amount in create
    ]  # fmt: skip
    bulk.insert(
        "ledger_allocation",
        ("invoice_id", "payment_id", "credit_note_id", "amount", "currency", "created_at",
         "updated_at", "created_by_id"),
        rows,
    )  # fmt: skip
    ctx.report.allocations += len(rows)
    ctx.touched_invoices.update(invoice_id for _sid, invoice_id, _amount in create)
    ctx.lettered_customers.update(invoices[invoice_id].customer_id for _s, invoice_id, _a in create)
    # A credit already in the ledger that the accounting letters now gets a timeline entry
    # (a first import's thousands of lettered pairs get the import's summary entry only).
    Activity.objects.bulk_create(
        Activity(
            verb="ledger.allocation.created",
            actor=ctx.actor,
            customer_id=invoices[invoice_id].customer_id,
            invoice_id=invoice_id,
            payload={
                "amount": str(amount),
                "currency": invoices[invoice_id].currency,
                "source": sid[0],
                "source_ref": sources[sid].ref,
                "via": "fec_lettering",
                "lettering": plan.code[sid],
                "batch": ctx.batch_id,
            },
        )
        for sid, invoice_id, amount in create
        if not sources[sid].new
    )
