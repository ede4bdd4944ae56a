"""Property (issue 7): whatever a customer's invoices, partial payments, payments on
account and credit notes, dunning never chases more than the customer's net
position, and never chases a customer whose net position is zero or less."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from encaisse.collab.models import Task
from encaisse.dunning.delivery.tasks import deliveries_process
from encaisse.dunning.models import ActionStatus, DunningAction, DunningMessage, MessageState
from encaisse.dunning.services.run import dunning_run
from encaisse.ledger.models import CreditNote, Customer, Payment
from encaisse.ledger.services import credit_note_record, payment_record
from encaisse.ledger.services.allocation import Strategy
from tests.dunning.conftest import invoice_due, remindable_customer

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)
ZERO = Decimal("0.00")

money = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("3000.00"), places=2)
# What happens to a customer after its invoices: (kind, amount).
#   paid: a payment applied oldest first; on_account: a payment nobody applied;
#   credited: a credit note applied to the oldest invoice; credit: one on account.
events = st.lists(
    st.tuples(st.sampled_from(["paid", "on_account", "credited", "credit"]), money),
    max_size=4,
)
customer_shapes = st.lists(
    st.tuples(
        st.lists(
            st.tuples(st.integers(min_value=-70, max_value=10), money), min_size=1, max_size=4
        ),
        events,
    ),
    min_size=1,
    max_size=3,
)


def build(shape: tuple[list[tuple[int, Decimal]], list[tuple[str, Decimal]]], n: int) -> Customer:
    invoices, happenings = shape
    customer = remindable_customer(None)
    for offset, amount in invoices:
        invoice_due(customer, TODAY + dt.timedelta(days=offset), str(amount))
    for k, (kind, amount) in enumerate(happenings):
        key = f"{customer.external_key}-{n}-{k}"
        if kind in ("paid", "on_account"):
            payment_record(
                actor=None,
                customer=customer,
                amount=amount,
                date=TODAY - dt.timedelta(days=1),
                external_key=key,
                strategy=Strategy.OLDEST_FIRST if kind == "paid" else None,
            )
        else:
            oldest = customer.invoices.filter(balance__gt=0).order_by("due_date", "id").first()
            target = oldest if kind == "credited" and oldest is not None else None
            credit_note_record(
                actor=None,
                customer=customer,
                number=key,
                issue_date=TODAY - dt.timedelta(days=2),
                amount=amount,
                invoice=target,
            )
    return customer


def net_position(customer: Customer) -> Decimal:
    """What the customer owes: open invoices minus what it paid or was credited
    that nobody applied yet (computed here from the records, independently of
    the code under test)."""
    customer.refresh_from_db()
    cash = sum(
        (p.amount - p.allocated for p in Payment.objects.filter(customer=customer)), ZERO
    ) + sum((c.amount - c.allocated for c in CreditNote.objects.filter(customer=customer)), ZERO)
    return customer.open_balance - cash


def chased_by(message: DunningMessage) -> Decimal:
    """What a message asks for: its rendered total once delivered, else its invoices' amounts."""
    if message.total is not None:
        return message.total
    actions = DunningAction.objects.filter(
        message=message, status__in=[ActionStatus.PLANNED, ActionStatus.TO_REVIEW]
    )
    return sum((a.balance for a in actions), ZERO)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(shapes=customer_shapes, second_run=st.integers(min_value=1, max_value=40))
def test_dunning_never_chases_beyond_the_net_position(
    shapes: list[tuple[list[tuple[int, Decimal]], list[tuple[str, Decimal]]]],
    second_run: int,
) -> None:
    with transaction.atomic():
        customers = [build(shape, n) for n, shape in enumerate(shapes)]
        later = TODAY + dt.timedelta(days=second_run)
        for day in (TODAY, later):
            with time_machine.travel(day):
                dunning_run(run_on=day)
                deliveries_process()
        for customer in customers:
            net = net_position(customer)
            messages = list(DunningMessage.objects.filter(customer=customer))
            for message in messages:
                if message.state == MessageState.CANCELLED:
                    continue
                assert chased_by(message) <= max(net, ZERO), (message.channel, net)
            if net <= 0:
                assert [m for m in messages if m.state != MessageState.CANCELLED] == []
                calls = Task.objects.filter(customer=customer).exclude(kind="apply_cash")
                assert not calls.exists()
        transaction.set_rollback(True)
