"""Write-offs: who approves what, and what an approval does to the ledger and to dunning."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from encaisse.accounts.models import Role, User
from encaisse.collab.models import Activity
from encaisse.ledger.models import Customer
from encaisse.ledger.models.invoice import InvoiceStatus
from encaisse.ledger.selectors import invoices_visible_to, open_invoices
from encaisse.ledger.services.allocation import AllocationError, allocation_create
from encaisse.ledger.services.records import payment_record
from encaisse.lib.errors import Conflict, ValidationFailed
from encaisse.resolution.models.write_off import WriteOffSettings, WriteOffStatus
from encaisse.resolution.selectors.write_off import (
    write_off_totals,
    write_offs_pending_for,
    written_off_total,
)
from encaisse.resolution.services.write_off import (
    NotAllowed,
    write_off_approve,
    write_off_reject,
    write_off_request,
    write_off_reverse,
)
from tests.conftest import _user
from tests.dunning.conftest import invoice_due, remindable_customer, run_day
from tests.resolution.handover_helpers import DUE, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def fiona(db: None) -> User:
    """A second finance user: four eyes need two people."""
    return _user("fiona", Role.FINANCE)


@pytest.fixture
def customer(bob: User) -> Customer:
    return remindable_customer(bob, "Épicerie Fine")


def test_finance_approves_below_the_threshold_an_admin_above_a_rep_never(
    ada: User, alice: User, fiona: User, bob: User, dave: User, customer: Customer
) -> None:
    WriteOffSettings.objects.update_or_create(pk=1, defaults={"approval_threshold": 1000})
    small = invoice_due(customer, DUE, "1000.00")
    large = invoice_due(customer, DUE, "1000.01")
    below = write_off_request(actor=alice, customer=customer, invoices=[small], reason="too_small")
    above = write_off_request(actor=alice, customer=customer, invoices=[large], reason="insolvency")
    for rep in (bob, dave):
        with pytest.raises(NotAllowed):
            write_off_request(actor=rep, customer=customer, invoices=[small], reason="too_small")
        with pytest.raises(NotAllowed):
            write_off_approve(actor=rep, write_off=below)
        with pytest.raises(NotAllowed):
            write_off_reject(actor=rep, write_off=below)
        assert write_offs_pending_for(rep) == []
    with pytest.raises(NotAllowed):
        write_off_approve(actor=fiona, write_off=above)
    with pytest.raises(NotAllowed):  # four eyes: not one's own request
        write_off_approve(actor=alice, write_off=below)
    assert write_offs_pending_for(fiona) == [below]
    assert write_offs_pending_for(ada) == [below, above]
    assert write_offs_pending_for(alice) == []
    write_off_approve(actor=fiona, write_off=below, comment="not worth a call")
    write_off_approve(actor=ada, write_off=above)
    assert below.status == above.status == WriteOffStatus.APPROVED
    assert below.decided_by == fiona and below.comment == "not worth a call"
    with pytest.raises(Conflict):
        write_off_reject(actor=ada, write_off=below)


def test_the_requester_may_withdraw_but_an_admin_alone_cannot_approve_his_own(
    ada: User, alice: User, customer: Customer
) -> None:
    invoice = invoice_due(customer, DUE, "90.00")
    mine = write_off_request(actor=ada, customer=customer, invoices=[invoice], reason="too_small")
    with pytest.raises(NotAllowed):
        write_off_approve(actor=ada, write_off=mine)
    write_off_reject(actor=ada, write_off=mine, comment="withdrawn")
    assert mine.status == WriteOffStatus.REJECTED
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN  # a rejection changes nothing in the ledger


def test_an_approved_write_off_leaves_open_balances_and_dunning_and_stays_in_history(
    ada: User, alice: User, bob: User, customer: Customer
) -> None:
    lost = invoice_due(customer, DUE, "400.00")
    kept = invoice_due(customer, DUE, "300.00")
    with time_machine.travel(at(1)):
        payment_record(
            actor=alice, customer=customer, amount=Decimal("100"), date=at(1), external_key="P"
        )
    lost.refresh_from_db()
    assert lost.balance == Decimal("300.00")  # oldest first: the first invoice got it
    write_off = write_off_request(
        actor=alice, customer=customer, invoices=[lost], reason="insolvency", note="liquidation"
    )
    assert write_off.total == Decimal("300.00")
    write_off_approve(actor=ada, write_off=write_off)
    lost.refresh_from_db()
    customer.refresh_from_db()
    assert lost.status == InvoiceStatus.WRITTEN_OFF
    assert lost.balance == Decimal("300.00")  # amount − Σ allocations, as before
    assert customer.open_balance == Decimal("300.00")  # only the other invoice
    assert written_off_total(customer.pk) == Decimal("300.00")
    assert list(open_invoices(invoices_visible_to(alice).filter(customer=customer))) == [kept]
    with time_machine.travel(at(3)):
        run_day(at(3))
    (sent,) = mail.outbox
    assert kept.number in sent.body and lost.number not in sent.body
    with pytest.raises(AllocationError):
        allocation_create(actor=alice, invoice=lost, amount=Decimal("1"))
    verbs = list(Activity.objects.filter(invoice=lost).values_list("verb", flat=True))
    assert "resolution.write_off.approved" in verbs
    totals = write_off_totals(write_offs := write_off.customer.write_offs.all())
    assert totals == [
        {
            "status": "approved",
            "reason": "insolvency",
            "currency": "EUR",
            "count": 1,
            "total": Decimal("300.00"),
        }
    ]
    assert write_offs.count() == 1


def test_a_reversal_reopens_the_invoices_with_their_balance(
    ada: User, alice: User, customer: Customer
) -> None:
    invoice = invoice_due(customer, DUE, "250.00")
    write_off = write_off_request(
        actor=alice, customer=customer, invoices=[invoice], reason="prescription"
    )
    write_off_approve(actor=ada, write_off=write_off)
    with pytest.raises(NotAllowed):
        write_off_reverse(actor=alice, write_off=write_off, reason="paid after all")
    with pytest.raises(ValidationFailed):
        write_off_reverse(actor=ada, write_off=write_off, reason=" ")
    write_off_reverse(actor=ada, write_off=write_off, reason="paid after all")
    invoice.refresh_from_db()
    customer.refresh_from_db()
    assert write_off.status == WriteOffStatus.REVERSED and write_off.reversed_by == ada
    assert invoice.status == InvoiceStatus.OPEN and customer.open_balance == Decimal("250.00")
    assert written_off_total(customer.pk) == Decimal("0.00")
    with pytest.raises(Conflict):
        write_off_reverse(actor=ada, write_off=write_off, reason="twice")


def test_bad_requests_write_nothing(
    alice: User, ada: User, customer: Customer, carol: User
) -> None:
    invoice = invoice_due(customer, DUE, "80.00")
    elsewhere = invoice_due(remindable_customer(carol), DUE, "80.00")
    for invoices, reason, field in (
        ([], "too_small", "invoices"),
        ([elsewhere], "too_small", "invoices"),
        ([invoice], "because", "reason"),
    ):
        with pytest.raises(ValidationFailed) as failed:
            write_off_request(actor=alice, customer=customer, invoices=invoices, reason=reason)
        assert field in failed.value.errors
    write_off_request(actor=alice, customer=customer, invoices=[invoice], reason="too_small")
    with pytest.raises(ValidationFailed):  # already awaiting a decision
        write_off_request(actor=alice, customer=customer, invoices=[invoice], reason="too_small")
    assert customer.write_offs.count() == 1


def test_a_payment_between_request_and_approval_makes_the_approval_a_conflict(
    ada: User, alice: User, customer: Customer
) -> None:
    invoice = invoice_due(customer, DUE, "500.00")
    write_off = write_off_request(
        actor=alice, customer=customer, invoices=[invoice], reason="commercial_gesture"
    )
    payment_record(
        actor=alice, customer=customer, amount=Decimal("20"), date=at(1), external_key="X"
    )
    with pytest.raises(Conflict):
        write_off_approve(actor=ada, write_off=write_off)
    write_off.refresh_from_db()
    invoice.refresh_from_db()
    assert write_off.status == WriteOffStatus.REQUESTED
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID


def test_an_invoice_in_a_live_instalment_plan_is_not_written_off(
    alice: User, customer: Customer
) -> None:
    """Found by the demo: a written-off invoice left its plan calling for instalments
    that could never be paid (the plan then went into default)."""
    from encaisse.resolution.services.payment_plans import plan_propose

    invoice = invoice_due(customer, DUE, "300.00")
    with time_machine.travel(at(5), tick=False):
        plan_propose(
            actor=alice,
            customer=customer,
            invoices=[invoice],
            instalment_count=2,
            frequency="monthly",
            first_due_on=at(20),
        )
        with pytest.raises(ValidationFailed) as failed:
            write_off_request(
                actor=alice, customer=customer, invoices=[invoice], reason="too_small"
            )
    assert "échéancier" in str(failed.value.errors["invoices"][0])
    assert customer.write_offs.count() == 0
