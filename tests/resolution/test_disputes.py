"""Disputes: they block the dunning of their invoices only, and closing one resumes
dunning at the step the invoice's lateness calls for, once (docs/disputes.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.dunning.models import DunningAction, Hold, HoldReason, InvoiceDunning
from encaisse.ledger.models import Invoice
from encaisse.ledger.services import credit_note_record
from encaisse.lib.errors import Conflict, ValidationFailed
from encaisse.resolution.models import (
    Dispute,
    DisputeLine,
    DisputeReason,
    DisputeResolution,
    DisputeStatus,
)
from encaisse.resolution.selectors.disputes import disputes_visible_to, open_dispute_of, overdue
from encaisse.resolution.services.disputes import (
    Disputed,
    dispute_assign,
    dispute_open,
    dispute_progress,
    dispute_reject,
    dispute_resolve,
)
from tests.conftest import make_customer, make_invoice
from tests.dunning.conftest import invoice_due, messages_to, remindable_customer, run_day

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 3, 2)


def at(offset: int) -> dt.date:
    return DUE + dt.timedelta(days=offset)


def open_on(
    invoices: list[Invoice], reason: DisputeReason, actor: User, **kwargs: object
) -> Dispute:
    return dispute_open(
        actor=actor,
        customer=invoices[0].customer,
        reason=reason,
        lines=[Disputed(invoice) for invoice in invoices],
        **kwargs,  # type: ignore[arg-type]
    )


def test_opening_places_one_dispute_hold_per_invoice_and_records_it(
    alice: User, bob: User, reasons: dict[str, DisputeReason]
) -> None:
    customer = make_customer(bob)
    first, second = make_invoice(customer, "500.00"), make_invoice(customer, "300.00")
    with time_machine.travel(at(1)):
        dispute = dispute_open(
            actor=bob,
            customer=customer,
            reason=reasons["pricing"],
            lines=[Disputed(first, Decimal("120.00")), Disputed(second)],
            description="Prix du catalogue 2025",
        )
    lines = list(dispute.lines.select_related("hold"))
    assert [line.amount for line in lines] == [Decimal("120.00"), Decimal("300.00")]
    assert dispute.amount == Decimal("420.00")
    holds = [line.hold for line in lines if line.hold is not None]
    assert all(hold.reason == HoldReason.DISPUTE and hold.ends_on is None for hold in holds)
    assert [hold.invoice_id for hold in holds] == [first.pk, second.pk]
    assert dispute.sla_due_on == at(1) + dt.timedelta(days=reasons["pricing"].sla_days)
    assert dispute.owner is None and dispute.status == DisputeStatus.OPEN
    opened = Activity.objects.filter(verb="resolution.dispute.opened")
    assert sorted(opened.values_list("invoice_id", flat=True)) == sorted([first.pk, second.pk])
    assert open_dispute_of(first) == dispute


def test_a_dispute_blocks_only_its_invoices(
    alice: User, bob: User, reasons: dict[str, DisputeReason]
) -> None:
    customer = remindable_customer(bob)
    disputed = invoice_due(customer, DUE, "500.00")
    other = invoice_due(customer, DUE, "300.00")
    with time_machine.travel(at(1)):
        open_on([disputed], reasons["delivery"], alice)
    with time_machine.travel(at(3)):
        run_day(at(3))
    (sent,) = mail.outbox
    assert other.number in sent.body and disputed.number not in sent.body
    state = InvoiceDunning.objects.get(invoice=disputed)
    assert state.reason == "blocked" and state.reason_params["block"] == "dispute"


def test_after_resolution_one_message_for_the_latest_step_not_a_burst(
    alice: User, bob: User, reasons: dict[str, DisputeReason]
) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE)
    with time_machine.travel(at(1)):
        dispute = open_on([invoice], reasons["pricing"], bob)
    for offset in range(3, 12):  # Relance 1 (+3) and Relance 2 (+10) pass while blocked
        with time_machine.travel(at(offset)):
            run_day(at(offset))
    assert mail.outbox == []
    with time_machine.travel(at(12)):
        dispute_resolve(
            actor=alice,
            dispute=dispute,
            resolution=DisputeResolution.CORRECTED_INVOICE,
            note="Prix confirmé après vérification",
        )
        run_day(at(12))
    (sent,) = mail.outbox  # one message: Relance 2, not Relance 1 then Relance 2
    assert "second rappel" in sent.subject
    (performed,) = DunningAction.objects.filter(invoice=invoice).exclude(status="skipped")
    assert performed.step_name == "Relance 2"
    # The earlier step is recorded as skipped on the action performed, not sent.
    assert [(s["name"], s["reason"]) for s in performed.skipped] == [
        ("Rappel préventif", "too_late"),
        ("Relance 1", "caught_up"),
    ]
    with time_machine.travel(at(13)):
        run_day(at(13))
    assert len(messages_to(customer)) == 1


def test_a_formal_notice_reached_after_a_dispute_goes_to_review(
    alice: User, bob: User, reasons: dict[str, DisputeReason]
) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE)
    with time_machine.travel(at(1)):
        dispute = open_on([invoice], reasons["other"], alice)
    with time_machine.travel(at(32)):
        dispute_reject(actor=alice, dispute=dispute, explanation="Livraison signée sans réserve")
        run_day(at(32))
    assert mail.outbox == []  # the formal notice waits for a person
    (message,) = messages_to(customer)
    assert message.state == "to_review"
    performed = DunningAction.objects.exclude(status="skipped").get(invoice=invoice)
    assert performed.step_name == "Mise en demeure"


def test_the_minimum_gap_applies_when_dunning_resumes(
    alice: User, bob: User, reasons: dict[str, DisputeReason]
) -> None:
    customer = remindable_customer(bob)
    disputed = invoice_due(customer, DUE)
    other = invoice_due(customer, at(-7))  # its Relance 2 is due on at(3)
    with time_machine.travel(at(-1)):
        dispute = open_on([disputed], reasons["pricing"], alice)
    with time_machine.travel(at(3)):
        run_day(at(3))
    assert len(mail.outbox) == 1 and other.number in mail.outbox[0].body
    with time_machine.travel(at(4)):
        dispute_reject(actor=alice, dispute=dispute, explanation="Le prix est celui du devis")
        run_day(at(4))
    assert len(mail.outbox) == 1  # contacted yesterday: postponed, not dropped
    state = InvoiceDunning.objects.get(invoice=disputed)
    assert state.reason == "postponed_gap"
    assert state.next_action_on is not None and state.next_action_on > at(4)


def test_closing_releases_the_holds_and_frees_the_invoice(
    alice: User, bob: User, reasons: dict[str, DisputeReason]
) -> None:
    customer = make_customer(bob)
    invoice = make_invoice(customer, "800.00")
    dispute = open_on([invoice], reasons["duplicate"], alice)
    credit = credit_note_record(
        actor=None, customer=customer, number="AV-1", amount=Decimal("800.00"),
        issue_date=dt.date(2026, 3, 1),
    )  # fmt: skip
    dispute_resolve(
        actor=alice, dispute=dispute, resolution=DisputeResolution.CREDIT_NOTE, credit_note=credit
    )
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.RESOLVED and dispute.credit_note == credit
    assert dispute.resolved_at is not None
    assert not Hold.objects.filter(invoice=invoice, released_on__isnull=True).exists()
    assert not DisputeLine.objects.filter(invoice=invoice, is_open=True).exists()
    assert open_dispute_of(invoice) is None
    again = open_on([invoice], reasons["pricing"], alice)  # a new dispute may be opened
    assert again.pk != dispute.pk
    with pytest.raises(Conflict):
        dispute_reject(actor=alice, dispute=dispute, explanation="twice")


def test_assign_and_progress(alice: User, bob: User, reasons: dict[str, DisputeReason]) -> None:
    customer = make_customer(bob)
    dispute = open_on([make_invoice(customer)], reasons["missing_po"], alice)
    dispute_assign(actor=alice, dispute=dispute, owner=bob)
    dispute_progress(actor=bob, dispute=dispute)
    dispute.refresh_from_db()
    assert dispute.owner == bob and dispute.status == DisputeStatus.IN_PROGRESS
    with pytest.raises(Conflict):
        dispute_progress(actor=bob, dispute=dispute)
    verbs = set(Activity.objects.values_list("verb", flat=True))
    assert {"resolution.dispute.assigned", "resolution.dispute.in_progress"} <= verbs


def test_sla_overdue_once_the_reason_days_have_passed(
    alice: User, bob: User, reasons: dict[str, DisputeReason]
) -> None:
    customer = make_customer(bob)
    with time_machine.travel(at(0)):
        dispute = open_on([make_invoice(customer)], reasons["duplicate"], alice)  # 7 days
    visible = disputes_visible_to(alice)
    assert not overdue(visible, at(7)).exists()
    assert overdue(visible, at(8)).get() == dispute
    assert dispute.is_overdue(at(8)) and not dispute.is_overdue(at(7))


class TestBadInputWritesNothing:
    def test_a_second_open_dispute_on_an_invoice(
        self, alice: User, bob: User, reasons: dict[str, DisputeReason]
    ) -> None:
        customer = make_customer(bob)
        invoice = make_invoice(customer)
        open_on([invoice], reasons["pricing"], alice)
        holds = Hold.objects.count()
        with pytest.raises(ValidationFailed) as failed:
            open_on([invoice], reasons["other"], alice)
        assert "déjà dans un litige ouvert" in str(failed.value.errors["invoices.0"])
        assert Dispute.objects.count() == 1 and Hold.objects.count() == holds

    def test_the_database_refuses_a_second_open_line(
        self, alice: User, bob: User, reasons: dict[str, DisputeReason]
    ) -> None:
        from django.db import IntegrityError, transaction

        customer = make_customer(bob)
        invoice = make_invoice(customer)
        first = open_on([invoice], reasons["pricing"], alice)
        second = open_on([make_invoice(customer)], reasons["pricing"], alice)
        with pytest.raises(IntegrityError), transaction.atomic():
            DisputeLine.objects.create(dispute=second, invoice=invoice, amount=Decimal("1"))
        assert DisputeLine.objects.filter(invoice=invoice).get().dispute == first

    def test_an_amount_above_the_open_balance(
        self, alice: User, bob: User, reasons: dict[str, DisputeReason]
    ) -> None:
        customer = make_customer(bob)
        invoice = make_invoice(customer, "100.00")
        with pytest.raises(ValidationFailed) as failed:
            dispute_open(
                actor=alice,
                customer=customer,
                reason=reasons["pricing"],
                lines=[Disputed(invoice, Decimal("100.01"))],
            )
        assert "solde ouvert" in str(failed.value.errors["invoices.0.amount"])
        assert not Dispute.objects.exists() and not Hold.objects.exists()

    def test_an_invoice_of_another_customer(
        self, alice: User, bob: User, carol: User, reasons: dict[str, DisputeReason]
    ) -> None:
        mine, theirs = make_customer(bob), make_customer(carol)
        with pytest.raises(ValidationFailed) as failed:
            dispute_open(
                actor=alice,
                customer=mine,
                reason=reasons["pricing"],
                lines=[Disputed(make_invoice(mine)), Disputed(make_invoice(theirs))],
            )
        assert "appartient à un autre client" in str(failed.value.errors["invoices.1"])
        assert not Dispute.objects.exists() and not Hold.objects.exists()

    def test_a_reject_without_explanation(
        self, alice: User, bob: User, reasons: dict[str, DisputeReason]
    ) -> None:
        dispute = open_on([make_invoice(make_customer(bob))], reasons["pricing"], alice)
        with pytest.raises(ValidationFailed):
            dispute_reject(actor=alice, dispute=dispute, explanation="  ")
        dispute.refresh_from_db()
        assert dispute.status == DisputeStatus.OPEN

    def test_an_owner_outside_finance_and_the_account_manager(
        self, alice: User, bob: User, carol: User, reasons: dict[str, DisputeReason]
    ) -> None:
        with pytest.raises(ValidationFailed) as failed:
            open_on([make_invoice(make_customer(bob))], reasons["pricing"], alice, owner=carol)
        assert "owner" in failed.value.errors
        assert not Dispute.objects.exists()
