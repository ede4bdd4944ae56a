"""Cash on account weighs on dunning (docs/cash-application.md, issue 7).

A customer who has paid — the payment is on account, not yet applied to an
invoice — is not chased for what the payment covers: the run leaves covered
invoices alone and asks finance to apply the cash, a partly covered invoice is
chased for its net amount, and the reminder says a payment is being matched.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from encaisse.accounts.models import User
from encaisse.collab.models import Task, TaskKind, TaskStatus
from encaisse.collab.services import task_complete
from encaisse.dunning.models import (
    ActionStatus,
    DunningAction,
    DunningStep,
    InvoiceDunning,
)
from encaisse.dunning.services.preview import dunning_preview
from encaisse.dunning.services.run import dunning_run
from encaisse.ledger.models import Customer, Payment
from encaisse.ledger.services import credit_note_record, payment_record
from encaisse.ledger.services.allocation import allocation_create
from tests.dunning.conftest import invoice_due, messages_to, remindable_customer, run_day

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 3, 2)


def at(offset: int) -> dt.date:
    return DUE + dt.timedelta(days=offset)


def on_account(customer: Customer, amount: str, on: dt.date, key: str = "") -> None:
    """A payment nobody has applied yet (as a FEC leaves an unlettered credit)."""
    payment_record(
        actor=None,
        customer=customer,
        amount=Decimal(amount),
        date=on,
        external_key=key or f"P-{customer.pk}-{on}-{amount}",
        strategy=None,
    )


def test_a_customer_whose_payment_on_account_covers_the_invoice_is_not_chased(
    bob: User,
) -> None:
    """TOUT EN GROS in the Quadra FEC: 2 511,65 open, 2 511,65 on account."""
    customer = remindable_customer(bob, "Tout en Gros")
    invoice = invoice_due(customer, at(-200), "2511.65")
    on_account(customer, "2511.65", at(-150))
    with time_machine.travel(at(0)):
        report = run_day(at(0))
    assert messages_to(customer) == []
    assert not DunningAction.objects.filter(invoice=invoice).exists()
    assert not Task.objects.filter(customer=customer).exclude(kind=TaskKind.APPLY_CASH).exists()
    assert InvoiceDunning.objects.get(invoice=invoice).reason == "covered"
    assert report.covered == 1
    # Finance is asked, once, to apply the cash.
    task = Task.objects.get(customer=customer, kind=TaskKind.APPLY_CASH)
    assert "2\u202f511,65\u00a0€" in task.title and list(task.invoices.all()) == [invoice]
    with time_machine.travel(at(1)):
        run_day(at(1))
    assert Task.objects.filter(customer=customer, kind=TaskKind.APPLY_CASH).count() == 1
    assert messages_to(customer) == []


@pytest.mark.parametrize("closed_by", ["service", "admin"])
def test_once_the_task_is_closed_with_the_cash_still_on_account_the_run_asks_again(
    alice: User, bob: User, closed_by: str
) -> None:
    """Finance closes the task without applying the cash (through the task page,
    or by editing its status in the admin, which sets no completion time): the
    covered invoice is parked, but a covered customer without an open task is
    woken, and the next run asks again, once."""
    with time_machine.travel(at(-30)):
        customer = remindable_customer(bob)
        invoice_due(customer, at(-20), "500.00")
        on_account(customer, "500.00", at(-10))
    with time_machine.travel(at(0)):
        run_day(at(0))
        task = Task.objects.get(customer=customer)
        if closed_by == "service":
            task_complete(task=task, actor=alice)
        else:
            Task.objects.filter(pk=task.pk).update(status=TaskStatus.CANCELLED)
    with time_machine.travel(at(1)):
        assert run_day(at(1)).covered_woken == 1
    with time_machine.travel(at(2)):
        assert run_day(at(2)).covered_woken == 0
    assert Task.objects.filter(customer=customer, kind=TaskKind.APPLY_CASH).count() == 2


def test_cash_on_account_covers_the_oldest_invoices_first(bob: User) -> None:
    """800 on account: the oldest invoice (500) is covered, the next (1 000) is
    chased for 700, and the reminder says a payment of 300 is being matched."""
    customer = remindable_customer(bob)
    oldest = invoice_due(customer, at(-10), "500.00")
    newer = invoice_due(customer, at(-3), "1000.00")
    on_account(customer, "800.00", at(-1))
    with time_machine.travel(at(0)):
        run_day(at(0))
    (message,) = messages_to(customer)
    chased = DunningAction.objects.filter(message=message)
    assert [(a.invoice_id, a.balance) for a in chased] == [(newer.pk, Decimal("700.00"))]
    assert not DunningAction.objects.filter(invoice=oldest).exists()
    (email,) = mail.outbox
    assert "700,00\u00a0€" in email.body and "1\u202f000,00\u00a0€" not in email.body
    assert "Un règlement de 300,00\u00a0€ reçu sur votre compte est en cours de lettrage" in (
        email.body.replace("\n", " ")
    )
    assert message.total == Decimal("700.00")


def test_unallocated_credit_notes_count_like_payments(bob: User) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, at(-10), "300.00")
    credit_note_record(
        actor=None,
        customer=customer,
        number="AV-1",
        issue_date=at(-5),
        amount=Decimal("300.00"),
    )
    with time_machine.travel(at(0)):
        run_day(at(0))
    assert messages_to(customer) == []


def test_cash_in_another_currency_covers_nothing(bob: User) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, at(-10), "300.00")
    on_account(customer, "300.00", at(-5))
    from encaisse.ledger.models import Payment

    Payment.objects.filter(customer=customer).update(currency="USD")
    with time_machine.travel(at(0)):
        run_day(at(0))
    assert len(messages_to(customer)) == 1


def test_a_step_threshold_weighs_the_net_amount(bob: User) -> None:
    """The formal notice needs 50 € owed: 1 000 open with 980 on account is 20 € net."""
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, at(-30), "1000.00")
    on_account(customer, "980.00", at(-40))
    with time_machine.travel(at(0)):
        run_day(at(0))
    notice = DunningStep.objects.get(plan__is_default=True, action="formal_notice")
    assert notice.min_balance == Decimal("50.00")
    action = DunningAction.objects.get(invoice=invoice)
    assert action.step.action != "formal_notice"
    assert any(s["reason"] == "below_threshold" for s in action.skipped)
    assert action.balance == Decimal("20.00")


def test_cash_recorded_after_the_decision_drops_the_invoice_at_delivery(bob: User) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, at(-3), "400.00")
    with time_machine.travel(at(0)):
        dunning_run(run_on=at(0))
        on_account(customer, "400.00", at(0))
        from encaisse.dunning.delivery.tasks import deliveries_process

        deliveries_process()
    (message,) = messages_to(customer)
    assert message.state == "cancelled"
    action = DunningAction.objects.get(invoice=invoice)
    assert (action.status, action.status_reason) == (ActionStatus.DROPPED, "covered")
    assert mail.outbox == []


def test_a_covered_invoice_is_parked_until_its_customers_ledger_moves(
    alice: User, bob: User
) -> None:
    """The cover changes only when the customer's ledger does: a covered invoice
    is not looked at again every day (about 1 000 a day at 1 M invoices). Once
    finance applies the cash to another invoice, the next run wakes it, the
    preview shows it first, and it is chased."""
    with time_machine.travel(at(-30)):
        customer = remindable_customer(bob)
        invoice = invoice_due(customer, at(-3), "400.00")
        later = invoice_due(customer, at(40), "400.00")
        on_account(customer, "400.00", at(-20), key="P-ELSEWHERE")
    with time_machine.travel(at(0)):
        assert run_day(at(0)).covered == 1
    state = InvoiceDunning.objects.get(invoice=invoice)
    assert (state.reason, state.next_action_on) == ("covered", None)
    for day in (1, 2):
        with time_machine.travel(at(day)):
            report = run_day(at(day))
        assert (report.covered, report.covered_woken) == (0, 0)
    with time_machine.travel(at(3)):
        allocation_create(
            actor=alice,
            invoice=later,
            amount=Decimal("400.00"),
            payment=Payment.objects.get(external_key="P-ELSEWHERE"),
        )
        (preview_day,) = dunning_preview(on=at(3)).days
        assert sum(preview_day.by_step.values()) == 1
        report = run_day(at(3))
    assert report.covered_woken == 1
    (message,) = messages_to(customer)
    assert [a.invoice_id for a in DunningAction.objects.filter(message=message)] == [invoice.pk]


def test_an_older_invoice_recorded_later_takes_the_cover(bob: User) -> None:
    """Cash on account covers the oldest invoices first: an older invoice imported
    late takes the cover, and the invoice it covered is woken and chased."""
    with time_machine.travel(at(-30)):
        customer = remindable_customer(bob)
        invoice = invoice_due(customer, at(-3), "400.00")
        on_account(customer, "400.00", at(-20))
    with time_machine.travel(at(0)):
        run_day(at(0))
    with time_machine.travel(at(1)):
        older = invoice_due(customer, at(-9), "400.00")
        report = run_day(at(1))
    assert report.covered_woken == 1
    assert InvoiceDunning.objects.get(invoice=older).reason == "covered"
    (message,) = messages_to(customer)
    assert [a.invoice_id for a in DunningAction.objects.filter(message=message)] == [invoice.pk]


def test_a_credit_note_wakes_its_customers_covered_invoices_and_no_one_elses(
    bob: User,
) -> None:
    with time_machine.travel(at(-30)):
        first, second = remindable_customer(bob), remindable_customer(bob)
        for customer in (first, second):
            invoice_due(customer, at(-3), "400.00")
            on_account(customer, "400.00", at(-20))
    with time_machine.travel(at(0)):
        assert run_day(at(0)).covered == 2
    with time_machine.travel(at(1)):
        credit_note_record(
            actor=None, customer=first, number="AV-9", issue_date=at(1), amount=Decimal("50.00")
        )
        report = run_day(at(1))
    assert (report.covered_woken, report.covered) == (1, 1)
    assert messages_to(first) == [] and messages_to(second) == []


def test_a_run_simulated_ahead_does_not_hide_the_real_changes_made_after_it(
    alice: User, bob: User
) -> None:
    """The demo's simulator runs days ahead of the wall clock (lib.clock), while
    finance's changes are stamped on the wall clock: the next run still sees the
    cash applied elsewhere, and chases the invoice it no longer covers."""
    from django.utils import timezone

    from encaisse.lib import clock

    def simulated(offset: int) -> object:
        moment = dt.datetime.combine(at(offset), dt.time(7, 0))
        return clock.simulated(timezone.make_aware(moment))

    with time_machine.travel(at(-30)):
        customer = remindable_customer(bob)
        invoice = invoice_due(customer, at(-3), "400.00")
        later = invoice_due(customer, at(40), "400.00")
        on_account(customer, "400.00", at(-20), key="P-AHEAD")
    with time_machine.travel(at(0)), simulated(7):
        assert run_day(at(7)).covered == 1
    with time_machine.travel(at(1)):
        allocation_create(
            actor=alice,
            invoice=later,
            amount=Decimal("400.00"),
            payment=Payment.objects.get(external_key="P-AHEAD"),
        )
    with time_machine.travel(at(2)), simulated(8):
        assert run_day(at(8)).covered_woken == 1
    (message,) = messages_to(customer)
    assert [a.invoice_id for a in DunningAction.objects.filter(message=message)] == [invoice.pk]


def test_an_invoice_reopened_by_an_undone_application_is_chased_again(
    alice: User, bob: User
) -> None:
    """Finance applies the cash, dunning records the invoice settled (no date: no
    run would read it again), then finance undoes the application: the next run
    wakes the invoice, sees the cash on account again, and asks to apply it."""
    from encaisse.ledger.models import Allocation
    from encaisse.ledger.services.reversal import allocation_reverse

    customer = remindable_customer(bob)
    invoice = invoice_due(customer, at(-10), "500.00")
    with time_machine.travel(at(-1)):
        run_day(at(-1))  # the first reminder; the second is due at(0)
        payment_record(
            actor=None,
            customer=customer,
            amount=Decimal("500.00"),
            date=at(-1),
            external_key="APPLIED",
        )
    with time_machine.travel(at(0)):
        run_day(at(0))
    state = InvoiceDunning.objects.get(invoice=invoice)
    assert (state.reason, state.next_action_on) == ("settled", None)
    with time_machine.travel(at(1)):
        allocation_reverse(
            actor=alice, allocation=Allocation.objects.get(invoice=invoice), reason="wrong invoice"
        )
        report = run_day(at(1))
    assert report.reopened == 1
    assert InvoiceDunning.objects.get(invoice=invoice).reason == "covered"
    assert Task.objects.filter(customer=customer, kind=TaskKind.APPLY_CASH).count() == 1
    # Refunded instead: the cash is gone, the invoice is chased again.
    from encaisse.ledger.models import Payment

    Payment.objects.filter(external_key="APPLIED").update(amount=Decimal("0.01"), allocated=0)
    with time_machine.travel(at(2)):
        run_day(at(2))
    assert len(messages_to(customer)) == 2
