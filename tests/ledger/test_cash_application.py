"""Applying cash on account: one suggestion, a hand split, every confident one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.ledger.matching import ItemKind, ReasonCode
from encaisse.ledger.matching.loader import suggestions_for, unapplied_items
from encaisse.ledger.models import Allocation, Customer, Invoice, Payment
from encaisse.ledger.services import (
    CashApplicationError,
    cash_apply,
    cash_apply_confident,
    credit_note_record,
    payment_record,
)
from tests.conftest import make_customer, make_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """These tests read the services' messages in English, their source language
    (French is the default; tests/test_translations.py checks the catalogue)."""
    with translation.override("en"):
        yield


D = Decimal


def on_account(customer: Customer, amount: str, key: str, text: str = "", ref: str = "") -> Payment:
    return payment_record(
        actor=None,
        customer=customer,
        amount=D(amount),
        date=dt.date(2026, 3, 1),
        external_key=key,
        remittance=text,
        bank_reference=ref,
        strategy=None,
    )


def test_unapplied_items_and_their_suggestions_in_one_query_per_chunk(
    django_assert_num_queries: Any,
) -> None:
    payments = []
    for n in range(3):
        customer = make_customer(None)
        invoice = make_invoice(customer, "80.00")
        payments.append(on_account(customer, "80.00", f"P{n}", text=f"FACT {invoice.number}"))
    settled = make_customer(None)
    make_invoice(settled, "10.00")
    payment_record(
        actor=None, customer=settled, amount=D("10.00"), date=dt.date(2026, 3, 1),
        external_key="PAID",
    )  # fmt: skip
    with django_assert_num_queries(2):  # payments, credit notes
        items = unapplied_items()
    assert {item.id for item in items} == {p.pk for p in payments}
    with django_assert_num_queries(1):  # the three customers' open invoices
        results = list(suggestions_for(items))
    assert all(s[0].reason.code == ReasonCode.REFERENCE for _item, s in results)


def test_applying_a_suggestion_makes_its_allocations_and_says_why(alice: User) -> None:
    customer = make_customer(None)
    invoice = make_invoice(customer, "250.00", number="FA-190646")
    payment = on_account(customer, "250.00", "P1", ref="190646")
    [(_item, suggestions)] = suggestions_for(unapplied_items())
    best = suggestions[0]
    cash_apply(actor=alice, source=payment, allocations=best.allocations, reason=best.reason)
    invoice.refresh_from_db()
    payment.refresh_from_db()
    assert (invoice.balance, invoice.status, payment.unallocated) == (D("0"), "paid", D("0"))
    activity = Activity.objects.get(verb="ledger.allocation.created")
    assert activity.actor == alice
    assert activity.payload["via"] == "cash_application"
    assert activity.payload["match"]["code"] == "reference"
    assert activity.payload["match"]["where"] == ["bank_reference"]


def test_a_split_by_hand_leaves_the_rest_on_account() -> None:
    customer = make_customer(None)
    first, second = make_invoice(customer, "100.00"), make_invoice(customer, "60.00")
    payment = on_account(customer, "200.00", "P1")
    cash_apply(
        actor=None,
        source=payment,
        allocations=[(first.pk, D("70.00")), (second.pk, D("60.00"))],
    )
    first.refresh_from_db()
    payment.refresh_from_db()
    assert (first.balance, first.status) == (D("30.00"), "partially_paid")
    assert payment.unallocated == D("70.00")
    payloads = Activity.objects.filter(verb="ledger.allocation.created").values_list(
        "payload", flat=True
    )
    assert {p["match"]["code"] for p in payloads} == {"manual"}


@pytest.mark.parametrize(
    ("shares", "message"),
    [
        ([("first", "100.00"), ("second", "60.01")], "exceeds the open balance"),
        ([("first", "100.00"), ("second", "60.00"), ("third", "45.00")], "exceed what is left"),
        ([("first", "-1.00")], "positive"),
        ([("first", "1.005")], "to the cent"),
        ([("first", "10.00"), ("first", "10.00")], "twice"),
        ([("theirs", "10.00")], "does not belong"),
        ([], "at least one invoice"),
    ],
)
def test_a_wrong_split_is_refused_whole_with_a_clear_message(
    shares: list[tuple[str, str]], message: str
) -> None:
    customer = make_customer(None)
    invoices = {
        "first": make_invoice(customer, "100.00"),
        "second": make_invoice(customer, "60.00"),
        "third": make_invoice(customer, "50.00"),
        "theirs": make_invoice(make_customer(None), "10.00"),
    }
    payment = on_account(customer, "200.00", "P1")
    with pytest.raises(CashApplicationError, match=message):
        cash_apply(
            actor=None,
            source=payment,
            allocations=[(invoices[name].pk, D(amount)) for name, amount in shares],
        )
    assert not Allocation.objects.exists()
    assert Invoice.objects.filter(balance__lt=D("10.00")).count() == 0
    payment.refresh_from_db()
    assert payment.allocated == 0


def test_a_credit_note_on_account_is_applied_too() -> None:
    customer = make_customer(None)
    invoice = make_invoice(customer, "40.00", number="F-77")
    note = credit_note_record(
        actor=None, customer=customer, number="AV-1", amount=D("40.00"),
        issue_date=dt.date(2026, 2, 1), reason="Avoir sur facture F-77",
    )  # fmt: skip
    [(item, suggestions)] = suggestions_for(unapplied_items(kinds=[ItemKind.CREDIT_NOTE]))
    assert item.id == note.pk and suggestions[0].reason.code == ReasonCode.REFERENCE
    result = cash_apply_confident(actor=None)
    assert [applied.id for applied, _s in result.applied] == [note.pk]
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_apply_all_confident_applies_the_unambiguous_and_skips_a_conflict(alice: User) -> None:
    """Two payments name the same invoice: the first settles it, the second is skipped with
    the reason, and the other applications stay made."""
    one, two = make_customer(None), make_customer(None)
    named = make_invoice(one, "90.00", number="F-1001")
    make_invoice(one, "15.00", number="F-1002")
    alone = make_invoice(two, "42.00", number="F-2001")
    first = on_account(one, "90.00", "P1", text="facture 1001")
    second = on_account(one, "90.00", "P2", text="FACT F-1001")
    only = on_account(two, "42.00", "P3", text="virement")  # the only open invoice, exact
    unsure = on_account(two, "10.00", "P4", text="acompte")

    result = cash_apply_confident(actor=alice)

    assert sorted(item.id for item, _s in result.applied) == sorted([first.pk, only.pk])
    [(skipped, _suggestion, why)] = result.skipped
    assert skipped.id == second.pk
    assert "F-1001" in why
    named.refresh_from_db()
    alone.refresh_from_db()
    assert (named.status, alone.status) == ("paid", "paid")
    for payment, left in ((second, "90.00"), (unsure, "10.00")):
        payment.refresh_from_db()
        assert payment.unallocated == D(left)


def test_apply_all_confident_for_one_customer_only() -> None:
    one, two = make_customer(None), make_customer(None)
    make_invoice(one, "42.00")
    make_invoice(two, "42.00")
    on_account(one, "42.00", "P1")
    other = on_account(two, "42.00", "P2")
    result = cash_apply_confident(actor=None, customer_ids=[one.pk])
    assert len(result.applied) == 1
    other.refresh_from_db()
    assert other.allocated == 0
