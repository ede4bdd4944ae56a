"""Bad promises are refused with a clear message, and nothing is written."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.dunning.models import Hold
from encaisse.lib.errors import ValidationFailed
from encaisse.resolution.models import Promise
from encaisse.resolution.services.promises import promise_make
from tests.dunning.conftest import invoice_due, remindable_customer
from tests.resolution.helpers_promises import at

pytestmark = pytest.mark.django_db


def refused(**kwargs: object) -> dict[str, list[str]]:
    before = (Promise.objects.count(), Hold.objects.count(), Activity.objects.count())
    with time_machine.travel(at(2), tick=False), pytest.raises(ValidationFailed) as error:
        promise_make(**kwargs)  # type: ignore[arg-type]
    after = (Promise.objects.count(), Hold.objects.count(), Activity.objects.count())
    assert after == before
    return error.value.errors


def test_a_promise_in_the_past_is_refused(bob: User) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, at(0))
    errors = refused(actor=bob, customer=customer, amount=Decimal("10"), promised_on=at(1))
    assert errors == {"promised_on": ["La date promise ne peut pas être dans le passé."]}


def test_an_amount_above_the_balance_is_refused(bob: User) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, at(0), "1000.00")
    errors = refused(actor=bob, customer=customer, amount=Decimal("1000.01"), promised_on=at(5))
    assert list(errors) == ["amount"]
    assert "1\u202f000,00" in errors["amount"][0]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(amount=st.decimals(max_value=0, places=2, allow_nan=False, allow_infinity=False))
def test_a_zero_or_negative_amount_is_refused(bob: User, amount: Decimal) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, at(0))
    errors = refused(actor=bob, customer=customer, amount=amount, promised_on=at(5))
    assert list(errors) == ["amount"]


def test_a_second_open_promise_is_refused(bob: User) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, at(0))
    with time_machine.travel(at(2), tick=False):
        promise_make(actor=bob, customer=customer, amount=Decimal("10"), promised_on=at(5))
    errors = refused(actor=bob, customer=customer, amount=Decimal("20"), promised_on=at(6))
    assert list(errors) == [""]
    assert "déjà une promesse" in errors[""][0]
