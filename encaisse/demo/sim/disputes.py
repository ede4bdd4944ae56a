"""Disputes in the simulation: a call opens one (with a reason), finance closes it.

1. A disputer's call about contested invoices opens a dispute through the
   service (its holds stop their dunning); its reason is drawn per invoice,
   weighted like a real company's (pricing and delivery first). A third go
   to the account manager.
2. Finance starts working on it a few days later, and closes it after
   `dispute_days`: most are resolved with a credit note for part of each
   invoice (the customer then pays the rest), about one in four is rejected
   with an explanation (the customer then pays in full). Either way the holds
   are released and dunning resumes.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from encaisse.accounts.models import Role, User
from encaisse.demo.generator import credit_note_number
from encaisse.demo.sim.chance import chance
from encaisse.demo.sim.reactions import dispute_days, dispute_settlement
from encaisse.demo.sim.world import Account, World
from encaisse.ledger.models import Allocation, CreditNote, Invoice, InvoiceSource
from encaisse.ledger.services import credit_note_record
from encaisse.lib.errors import Conflict, ValidationFailed
from encaisse.resolution.models import (
    Dispute,
    DisputeLine,
    DisputeReason,
    DisputeSource,
    DisputeStatus,
)
from encaisse.resolution.services.disputes import (
    Disputed,
    dispute_assign,
    dispute_open,
    dispute_progress,
    dispute_reject,
    dispute_resolve,
)

# Reason codes and their weights among the simulated disputes.
REASON_WEIGHTS = (
    ("pricing", 30),
    ("delivery", 24),
    ("invoicing", 15),
    ("missing_po", 12),
    ("duplicate", 8),
    ("reminder", 6),
    ("other", 5),
)
REJECTED_SHARE = 0.25
ASSIGNED_SHARE = 0.33
PROGRESS_AFTER_DAYS = 3
SETTLEMENT_REASON = "Litige réglé : geste commercial"  # demo data is French
DESCRIPTIONS = {
    "pricing": "Le client conteste le prix unitaire appliqué (tarif négocié non repris).",
    "delivery": "Livraison incomplète : deux colis manquants selon le client.",
    "invoicing": "Mauvaise adresse de facturation et TVA intracommunautaire absente.",
    "missing_po": "Le client exige son numéro de bon de commande sur la facture.",
    "duplicate": "Le client dit avoir déjà reçu et payé cette facture.",
    "reminder": "Relance reçue alors qu’un accord de paiement avait été trouvé.",
    "other": "Désaccord sur les conditions générales de vente.",
}
EXPLANATION = "Livraison signée sans réserve et conforme à la commande : la facture est maintenue."


def dispute_from_call(
    world: World, account: Account, invoices: list[Invoice], day: dt.date
) -> Dispute | None:
    """Open the dispute a call revealed (None when nothing can be disputed)."""
    open_ones = [i for i in invoices if i.is_open and not i.dispute_lines.filter(is_open=True)]
    if not open_ones:
        return None
    first = open_ones[0].number
    rng = chance(world.seed, "dispute-reason", first)
    codes, weights = zip(*REASON_WEIGHTS, strict=True)
    code = rng.choices(codes, weights=weights)[0]
    reason = DisputeReason.objects.filter(code=code, active=True).first()
    if reason is None:
        reason = DisputeReason.objects.filter(active=True).order_by("position").first()
    if reason is None:
        return None
    manager = account.customer.account_manager
    rep_calls = manager is not None and rng.random() < 0.5
    actor = manager if rep_calls else world.finance
    try:
        dispute = dispute_open(
            actor=actor,
            customer=account.customer,
            reason=reason,
            lines=[Disputed(invoice) for invoice in open_ones],
            description=DESCRIPTIONS.get(code, ""),
            source=DisputeSource.SALES if rep_calls else DisputeSource.FINANCE,
        )
    except ValidationFailed:
        return None
    if manager is not None and rng.random() < ASSIGNED_SHARE:
        dispute_assign(actor=world.finance, dispute=dispute, owner=manager)
    return dispute


def disputes_settle(world: World, day: dt.date) -> tuple[dict[int, Decimal], list[int]]:
    """Work and close today's disputes: ({invoice id: balance left to pay today}, credit notes).

    The invoices of a closed dispute are paid today by `ledger.collect`.
    """
    settling: dict[int, Decimal] = {}
    notes: list[int] = []
    disputes = (
        Dispute.objects.filter(status__in=(DisputeStatus.OPEN, DisputeStatus.IN_PROGRESS))
        .select_related("customer", "reason")
        .prefetch_related("lines__invoice")
        .order_by("opened_at", "id")
    )
    for dispute in disputes:
        lines = list(dispute.lines.all())
        if not lines:
            continue
        key = lines[0].invoice.number
        opened_on = timezone.localdate(dispute.opened_at)
        age = (day - opened_on).days
        try:
            if dispute.status == DisputeStatus.OPEN and age >= PROGRESS_AFTER_DAYS:
                dispute_progress(actor=world.finance, dispute=dispute)
            if age < dispute_days(world.seed, key):
                continue
            if chance(world.seed, "dispute-verdict", key).random() < REJECTED_SHARE:
                dispute_reject(actor=world.finance, dispute=dispute, explanation=EXPLANATION)
                settling.update((line.invoice_id, line.invoice.balance) for line in lines)
                continue
            credit = None
            for line in lines:
                note, left = _credit(world, dispute, line.invoice, day)
                if note is not None:
                    notes.append(note.pk)
                    credit = credit or note
                settling[line.invoice_id] = left
            dispute_resolve(
                actor=world.finance,
                dispute=dispute,
                resolution="credit_note",
                credit_note=credit,
                note=SETTLEMENT_REASON,
            )
        except (Conflict, ValidationFailed):
            continue
    return settling, notes


def _credit(
    world: World, dispute: Dispute, invoice: Invoice, day: dt.date
) -> tuple[CreditNote | None, Decimal]:
    """Credit part of a contested invoice: (credit note or None, what is left to pay)."""
    invoice.refresh_from_db()
    if not invoice.is_open:
        return None, Decimal("0.00")
    _after, percent = dispute_settlement(world.seed, invoice.number)
    credited = min(invoice.balance, (invoice.amount * percent / 100).quantize(Decimal("0.01")))
    if credited <= 0:
        return None, invoice.balance
    note = credit_note_record(
        actor=world.finance,
        customer=dispute.customer,
        number=credit_note_number(day, next(world.credit_note_numbers)),
        amount=credited,
        issue_date=day,
        invoice=invoice,
        reason=SETTLEMENT_REASON,
        source=InvoiceSource.DEMO,
    )
    return note, invoice.balance - credited


# The generator's credit notes that settled a disagreement, and the reasons they tell.
CREDIT_REASONS = {
    "Litige : prestation contestée": ("delivery", "pricing"),
    "Erreur de facturation": ("invoicing", "duplicate", "missing_po"),
    "Retour marchandise": ("delivery",),
    "Remise commerciale": ("pricing", "reminder"),
}
REJECTED_HISTORY_SHARE = 0.04  # of the invoices paid late before the simulation


def disputes_history(seed: int, before: dt.date) -> int:
    """The year before the simulation: closed disputes behind the generator's credit notes
    (resolved with them) and behind a few invoices paid late (rejected), so that the
    root-cause page has a history. Written in bulk, like the rest of the loaded ledger."""
    reasons = {reason.code: reason for reason in DisputeReason.objects.all()}
    if not reasons:
        return 0
    finance = User.objects.filter(role=Role.FINANCE, is_active=True).order_by("pk").first()
    made: list[tuple[Dispute, Invoice, Decimal]] = []
    notes = (
        Allocation.objects.filter(
            credit_note__isnull=False,
            credit_note__issue_date__lt=before,
            credit_note__reason__in=list(CREDIT_REASONS),
        )
        .select_related("credit_note", "invoice", "invoice__customer")
        .order_by("credit_note__number", "id")
    )
    for allocation in notes:
        note, invoice = allocation.credit_note, allocation.invoice
        assert note is not None
        rng = chance(seed, "dispute-history", note.number)
        code = rng.choice(CREDIT_REASONS[note.reason])
        opened = note.issue_date - dt.timedelta(days=rng.randint(3, 45))
        dispute = _closed(rng, reasons.get(code), invoice, opened, note.issue_date, finance)
        if dispute is None:
            continue
        dispute.status, dispute.resolution = DisputeStatus.RESOLVED, "credit_note"
        dispute.credit_note, dispute.resolution_note = note, note.reason
        made.append((dispute, invoice, allocation.amount))
    late = (
        Invoice.objects.filter(paid_on__lt=before, paid_on__gt=F("due_date") + dt.timedelta(20))
        .select_related("customer")
        .order_by("number")
    )
    for invoice in late:
        rng = chance(seed, "dispute-rejected", invoice.number)
        if rng.random() >= REJECTED_HISTORY_SHARE or invoice.paid_on is None:
            continue
        codes, weights = zip(*REASON_WEIGHTS, strict=True)
        opened = invoice.due_date + dt.timedelta(days=rng.randint(2, 12))
        closed = min(opened + dt.timedelta(days=rng.randint(4, 40)), invoice.paid_on)
        if closed <= opened:
            continue
        reason = reasons.get(rng.choices(codes, weights=weights)[0])
        dispute = _closed(rng, reason, invoice, opened, closed, finance)
        if dispute is None:
            continue
        dispute.status = dispute.resolution = DisputeStatus.REJECTED
        dispute.resolution_note = EXPLANATION
        made.append((dispute, invoice, invoice.amount))
    for dispute, _invoice, amount in made:
        dispute.amount = amount
    Dispute.objects.bulk_create([dispute for dispute, _i, _a in made])
    DisputeLine.objects.bulk_create(
        DisputeLine(dispute=dispute, invoice=invoice, amount=amount, is_open=False)
        for dispute, invoice, amount in made
    )
    return len(made)


def _closed(
    rng: random.Random,
    reason: DisputeReason | None,
    invoice: Invoice,
    opened: dt.date,
    closed: dt.date,
    finance: User | None,
) -> Dispute | None:
    if reason is None:
        return None
    zone = timezone.get_current_timezone()
    manager = invoice.customer.account_manager
    by_rep = manager is not None and rng.random() < 0.5
    opened_at = dt.datetime.combine(opened, dt.time(rng.randint(8, 17), rng.randint(0, 59)), zone)
    closed_at = dt.datetime.combine(closed, dt.time(rng.randint(9, 18), rng.randint(0, 59)), zone)
    return Dispute(
        customer=invoice.customer,
        reason=reason,
        description=DESCRIPTIONS.get(reason.code, ""),
        owner=manager if by_rep and rng.random() < ASSIGNED_SHARE else None,
        source=DisputeSource.SALES if by_rep else DisputeSource.FINANCE,
        currency=invoice.currency,
        opened_at=opened_at,
        opened_by=manager if by_rep else finance,
        sla_due_on=opened + dt.timedelta(days=reason.sla_days),
        resolved_at=max(closed_at, opened_at + dt.timedelta(hours=2)),
        resolved_by=finance,
        created_at=opened_at,
        updated_at=closed_at,
    )
