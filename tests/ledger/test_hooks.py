"""ledger.hooks: other domains hear, once per transaction and after commit, whose cash moved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import transaction

from encaisse.ledger import hooks
from encaisse.ledger.models import Allocation
from encaisse.ledger.services import allocation_reverse, payment_record
from tests.conftest import make_customer, make_invoice

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def heard() -> Iterator[list[frozenset[int]]]:
    calls: list[frozenset[int]] = []

    def listener(ids: frozenset[int]) -> None:
        calls.append(ids)

    hooks.on_cash_moved(listener)
    yield calls
    hooks._LISTENERS.remove(listener)


def _pay(customer_pk: int, key: str) -> None:
    from encaisse.ledger.models import Customer

    payment_record(
        actor=None,
        customer=Customer.objects.get(pk=customer_pk),
        amount=Decimal("50.00"),
        date=dt.date(2026, 3, 1),
        external_key=key,
    )


def test_payments_in_one_transaction_are_heard_once_after_commit(
    heard: list[frozenset[int]],
) -> None:
    first, second = make_customer(None, "Un"), make_customer(None, "Deux")
    make_invoice(first, "100.00")
    with transaction.atomic():
        _pay(first.pk, "P1")
        _pay(second.pk, "P2")
        assert heard == []  # not before commit
    assert heard == [frozenset({first.pk, second.pk})]


def test_a_rolled_back_payment_is_never_heard(heard: list[frozenset[int]]) -> None:
    customer = make_customer(None)
    with pytest.raises(RuntimeError), transaction.atomic():
        _pay(customer.pk, "P1")
        raise RuntimeError
    assert heard == []


def test_undoing_an_allocation_is_heard(heard: list[frozenset[int]]) -> None:
    customer = make_customer(None)
    make_invoice(customer, "100.00")
    _pay(customer.pk, "P1")
    heard.clear()
    allocation = Allocation.objects.get(invoice__customer=customer)
    allocation_reverse(actor=None, allocation=allocation, reason="wrong invoice")
    assert heard == [frozenset({customer.pk})]


def test_a_failing_listener_does_not_undo_the_payment(heard: list[frozenset[int]]) -> None:
    def broken(ids: frozenset[int]) -> None:
        raise ValueError("listener bug")

    hooks.on_cash_moved(broken)
    try:
        customer = make_customer(None)
        _pay(customer.pk, "P1")
    finally:
        hooks._LISTENERS.remove(broken)
    assert heard == [frozenset({customer.pk})]
