"""Opening, working and closing disputes (SPEC §6; docs/disputes.md).

A dispute blocks the dunning of its invoices only, through one hold per
invoice (`dunning.services.holds`); closing it releases them, and the next
run resumes each invoice at the step its lateness calls for (no burst).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from encaisse.accounts.models import Role, User, stored_actor
from encaisse.collab.services import activity_record
from encaisse.dunning.models import HoldReason
from encaisse.dunning.services.holds import hold_place, hold_release
from encaisse.ledger.models import CreditNote, Customer, Invoice
from encaisse.lib import clock
from encaisse.lib.errors import Conflict, Message, ValidationFailed
from encaisse.lib.money import format_money
from encaisse.resolution.models import (
    OPEN_DISPUTE_STATUSES,
    Dispute,
    DisputeLine,
    DisputeReason,
    DisputeResolution,
    DisputeSource,
    DisputeStatus,
)
from encaisse.webhooks.emit import event_emit

DESCRIPTION_MAX = 4000
NOTE_MAX = 4000


@dataclass(frozen=True, slots=True)
class Disputed:
    """One invoice to dispute; `amount` None: its whole open balance."""

    invoice: Invoice
    amount: Decimal | None = None


def _payload(dispute: Dispute, **extra: object) -> dict[str, object]:
    return {
        "dispute": str(dispute.public_id),
        "reason": dispute.reason.code,
        "reason_label": dispute.reason.label_fr,
        "reason_label_en": dispute.reason.label_en,
        "amount": str(dispute.amount),
        "currency": dispute.currency,
        **extra,
    }


def _money(invoice: Invoice) -> str:
    return format_money(invoice.balance, invoice.currency, get_language() or "fr")


def owner_allowed(owner: User | None, customer: Customer) -> bool:
    """A dispute is owned by finance (None: the finance queue, or one finance user)
    or by the customer's account manager."""
    if owner is None:
        return True
    if not owner.is_active:
        return False
    return owner.can_edit_ledger or owner.pk == customer.account_manager_id


def _check_lines(customer: Customer, lines: Sequence[Disputed]) -> dict[str, list[Message]]:
    errors: dict[str, list[Message]] = {}

    def add(field: str, message: Message) -> None:
        errors.setdefault(field, []).append(message)

    if not lines:
        add("invoices", _("Choose at least one invoice."))
    seen: set[int] = set()
    open_disputed = set(
        DisputeLine.objects.filter(
            invoice_id__in=[line.invoice.pk for line in lines], is_open=True
        ).values_list("invoice_id", flat=True)
    )
    for index, line in enumerate(lines):
        invoice = line.invoice
        field = f"invoices.{index}"
        if invoice.customer_id != customer.pk:
            add(
                field,
                _("Invoice %(number)s belongs to another customer.") % {"number": invoice.number},
            )
            continue
        if invoice.pk in seen:
            add(field, _("Invoice %(number)s is listed twice.") % {"number": invoice.number})
        seen.add(invoice.pk)
        if not invoice.is_open:
            add(
                field, _("Invoice %(number)s has nothing left to pay.") % {"number": invoice.number}
            )
            continue
        if invoice.pk in open_disputed:
            add(
                field,
                _("Invoice %(number)s is already in an open dispute: add to that one instead.")
                % {"number": invoice.number},
            )
        if line.amount is not None:
            if line.amount <= 0:
                add(f"{field}.amount", _("The disputed amount must be more than zero."))
            elif line.amount > invoice.balance:
                add(
                    f"{field}.amount",
                    _("At most the open balance of %(number)s (%(balance)s).")
                    % {"number": invoice.number, "balance": _money(invoice)},
                )
    return errors


@transaction.atomic
def dispute_open(
    *,
    actor: User | None,
    customer: Customer,
    reason: DisputeReason,
    lines: Sequence[Disputed],
    description: str = "",
    owner: User | None = None,
    source: str = DisputeSource.FINANCE,
) -> Dispute:
    """Open a dispute on invoices of one customer and block their dunning.

    1. Check every line (the customer's, open, not yet disputed, amount within
       the open balance) and report every error at once; nothing is written.
    2. Write the dispute and its lines; the partial unique index on open lines
       settles a race with another dispute on the same invoice.
    3. Place one dispute hold per invoice (open-ended: until the dispute closes).
    """
    errors = _check_lines(customer, lines)
    if not reason.active:
        errors.setdefault("reason", []).append(_("This reason is no longer in use."))
    if len(description) > DESCRIPTION_MAX:
        errors.setdefault("description", []).append(
            _("At most %(max)d characters.") % {"max": DESCRIPTION_MAX}
        )
    if source not in DisputeSource.values:
        errors.setdefault("source", []).append(_("Unknown source."))
    if not owner_allowed(owner, customer):
        errors.setdefault("owner", []).append(
            _("The owner is finance or the customer's account manager.")
        )
    if errors:
        raise ValidationFailed(errors)
    now = clock.now()
    amounts = [line.amount if line.amount is not None else line.invoice.balance for line in lines]
    dispute = Dispute.objects.create(
        customer=customer,
        reason=reason,
        description=description,
        owner=stored_actor(owner),
        source=source,
        currency=lines[0].invoice.currency,
        amount=sum(amounts, Decimal("0")),
        opened_at=now,
        opened_by=stored_actor(actor),
        sla_due_on=clock.today() + dt.timedelta(days=reason.sla_days),
        created_at=now,
        updated_at=now,
    )
    try:
        with transaction.atomic():
            DisputeLine.objects.bulk_create(
                DisputeLine(dispute=dispute, invoice=line.invoice, amount=amount)
                for line, amount in zip(lines, amounts, strict=True)
            )
    except IntegrityError:
        raise ValidationFailed.single(
            "invoices", _("One of these invoices was disputed meanwhile: reload and try again.")
        ) from None
    note = str(_("Dispute: %(reason)s") % {"reason": reason.label_fr})[:250]
    for line in dispute.lines.select_related("invoice"):
        line.hold = hold_place(
            actor=actor,
            customer=customer,
            invoice=line.invoice,
            reason=HoldReason.DISPUTE,
            note=note,
        )
        line.save(update_fields=["hold"])
        activity_record(
            verb="resolution.dispute.opened",
            actor=actor,
            customer_id=customer.pk,
            invoice_id=line.invoice_id,
            payload=_payload(
                dispute,
                line_amount=str(line.amount),
                source=source,
                **({"by": "customer"} if source == DisputeSource.PORTAL else {}),
            ),
        )
    event_emit(type="dispute.opened", obj=dispute)
    return dispute


def _touch(dispute: Dispute, **fields: object) -> None:
    fields["updated_at"] = clock.now()
    Dispute.objects.filter(pk=dispute.pk).update(**fields)
    for name, value in fields.items():
        setattr(dispute, name, value)


def _record(dispute: Dispute, verb: str, actor: User | None, **extra: object) -> None:
    """One entry on the customer's timeline (on the invoice's when it is the only one)."""
    invoice_ids = list(dispute.lines.values_list("invoice_id", flat=True))
    activity_record(
        verb=f"resolution.dispute.{verb}",
        actor=actor,
        customer_id=dispute.customer_id,
        invoice_id=invoice_ids[0] if len(invoice_ids) == 1 else None,
        payload=_payload(dispute, **extra),
    )


def _require_open(dispute: Dispute) -> None:
    if not Dispute.objects.filter(pk=dispute.pk, status__in=OPEN_DISPUTE_STATUSES).exists():
        raise Conflict(_("This dispute is closed already."))


@transaction.atomic
def dispute_assign(*, actor: User | None, dispute: Dispute, owner: User | None) -> Dispute:
    """Give the dispute to someone (None: back to the finance queue)."""
    _require_open(dispute)
    if not owner_allowed(owner, dispute.customer):
        raise ValidationFailed.single(
            "owner", _("The owner is finance or the customer's account manager.")
        )
    _touch(dispute, owner=stored_actor(owner))
    name = owner.get_full_name() or owner.username if owner is not None else ""
    _record(dispute, "assigned", actor, owner=name)
    event_emit(type="dispute.updated", obj=dispute)
    return dispute


@transaction.atomic
def dispute_progress(*, actor: User | None, dispute: Dispute) -> Dispute:
    """Someone is working on it: open → in progress (a conditional update)."""
    moved = Dispute.objects.filter(pk=dispute.pk, status=DisputeStatus.OPEN).update(
        status=DisputeStatus.IN_PROGRESS, updated_at=clock.now()
    )
    if not moved:
        raise Conflict(_("Only an open dispute can be put in progress."))
    dispute.refresh_from_db()
    _record(dispute, "in_progress", actor)
    event_emit(type="dispute.updated", obj=dispute)
    return dispute


def _close(
    dispute: Dispute, *, actor: User | None, status: str, resolution: str, **fields: object
) -> Dispute:
    """Close once (the conditional update decides), then release the holds."""
    now = clock.now()
    closed = Dispute.objects.filter(pk=dispute.pk, status__in=OPEN_DISPUTE_STATUSES).update(
        status=status,
        resolution=resolution,
        resolved_at=now,
        resolved_by=stored_actor(actor),
        updated_at=now,
        **fields,
    )
    if not closed:
        raise Conflict(_("This dispute is closed already."))
    dispute.refresh_from_db()
    for line in dispute.lines.select_related("hold"):
        if line.hold is not None and line.hold.released_on is None:
            # Released by hand meanwhile: dunning resumes all the same.
            with contextlib.suppress(Conflict):
                hold_release(actor=actor, hold=line.hold)
    dispute.lines.update(is_open=False)
    return dispute


@transaction.atomic
def dispute_resolve(
    *,
    actor: User | None,
    dispute: Dispute,
    resolution: str,
    credit_note: CreditNote | None = None,
    corrected_invoice: Invoice | None = None,
    note: str = "",
) -> Dispute:
    """The customer was right: a credit note was issued or the invoice corrected."""
    errors: dict[str, list[Message]] = {}
    if resolution not in (DisputeResolution.CREDIT_NOTE, DisputeResolution.CORRECTED_INVOICE):
        errors["resolution"] = [_("Choose a credit note or a corrected invoice.")]
    if credit_note is not None and credit_note.customer_id != dispute.customer_id:
        errors["credit_note"] = [_("This credit note belongs to another customer.")]
    if corrected_invoice is not None and corrected_invoice.customer_id != dispute.customer_id:
        errors["corrected_invoice"] = [_("This invoice belongs to another customer.")]
    if resolution == DisputeResolution.CREDIT_NOTE and corrected_invoice is not None:
        errors["corrected_invoice"] = [_("A credit note resolution links a credit note.")]
    if resolution == DisputeResolution.CORRECTED_INVOICE and credit_note is not None:
        errors["credit_note"] = [_("A corrected invoice resolution links an invoice.")]
    if len(note) > NOTE_MAX:
        errors["note"] = [_("At most %(max)d characters.") % {"max": NOTE_MAX}]
    if errors:
        raise ValidationFailed(errors)
    _close(
        dispute,
        actor=actor,
        status=DisputeStatus.RESOLVED,
        resolution=resolution,
        credit_note=credit_note,
        corrected_invoice=corrected_invoice,
        resolution_note=note,
    )
    _record(
        dispute,
        "resolved",
        actor,
        resolution=resolution,
        credit_note=credit_note.number if credit_note else "",
        corrected_invoice=corrected_invoice.number if corrected_invoice else "",
        note=note,
    )
    event_emit(type="dispute.resolved", obj=dispute)
    return dispute


@transaction.atomic
def dispute_reject(*, actor: User | None, dispute: Dispute, explanation: str) -> Dispute:
    """The invoices stand: say why (the customer is told), and dunning resumes."""
    explanation = explanation.strip()
    if not explanation:
        raise ValidationFailed.single("explanation", _("Explain why the dispute is rejected."))
    if len(explanation) > NOTE_MAX:
        raise ValidationFailed.single(
            "explanation", _("At most %(max)d characters.") % {"max": NOTE_MAX}
        )
    _close(
        dispute,
        actor=actor,
        status=DisputeStatus.REJECTED,
        resolution=DisputeResolution.REJECTED,
        resolution_note=explanation,
    )
    _record(dispute, "rejected", actor, note=explanation)
    event_emit(type="dispute.rejected", obj=dispute)
    return dispute


def default_owner_choices(customer: Customer) -> list[User]:
    """Who may own a dispute of this customer: finance people, then its account manager."""
    people = list(
        User.objects.filter(is_active=True, role__in=[Role.FINANCE, Role.ADMIN]).order_by(
            "first_name", "username"
        )
    )
    manager = customer.account_manager
    if manager is not None and manager.is_active and manager not in people:
        people.append(manager)
    return people
