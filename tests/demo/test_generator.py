"""The generator is a pure function of (seed, size, today) and yields a sound ledger."""

from __future__ import annotations

import collections

import pytest
from stdnum import iban
from stdnum.fr import siren, siret, tva

from encaisse.demo.behaviours import DISTRIBUTION, Behaviour
from encaisse.demo.generator import HISTORY_DAYS, customer_histories
from encaisse.demo.identifiers import french_iban
from tests.demo.conftest import TODAY


@pytest.mark.parametrize("size", [100, 1000])
def test_size_gives_n_invoices_and_a_tenth_as_many_customers(size: int) -> None:
    histories = list(customer_histories(invoices=size, seed=42, today=TODAY))
    assert sum(len(h.invoices) for h in histories) == size
    assert len(histories) == size // 10
    payments = sum(len(h.payments) for h in histories)
    assert 0.6 * size <= payments <= 1.0 * size


def test_history_covers_eighteen_months_up_to_today() -> None:
    histories = list(customer_histories(invoices=2000, seed=7, today=TODAY))
    issues = [inv.issue for h in histories for inv in h.invoices]
    assert max(issues) <= TODAY
    assert (TODAY - min(issues)).days >= HISTORY_DAYS - 31
    for history in histories:
        assert all(p.date <= TODAY for p in history.payments)
        assert all(n.issue <= TODAY for n in history.credit_notes)
        assert all(inv.due >= inv.issue for inv in history.invoices)


def test_balances_stay_within_the_invoice_amounts_and_payments_are_not_over_allocated() -> None:
    for history in customer_histories(invoices=3000, seed=3, today=TODAY):
        for invoice, balance in zip(history.invoices, history.balances(), strict=True):
            assert 0 <= balance <= invoice.amount_cents
        for payment in history.payments:
            assert payment.amount_cents > 0
            assert sum(cents for _i, cents in payment.allocations) <= payment.amount_cents
            assert all(cents > 0 for _i, cents in payment.allocations)


def test_the_ledger_has_every_situation_a_demo_needs() -> None:
    seen: collections.Counter[str] = collections.Counter()
    for history in customer_histories(invoices=5000, seed=42, today=TODAY):
        seen[history.customer.behaviour] += 1
        balances = history.balances()
        seen["open"] += sum(1 for b in balances if b > 0)
        seen["partially paid"] += sum(
            1 for inv, b in zip(history.invoices, balances, strict=True) if 0 < b < inv.amount_cents
        )
        seen["payment for two invoices"] += sum(
            1 for p in history.payments if len(p.allocations) > 1
        )
        seen["on account"] += sum(1 for p in history.payments if not p.allocations)
        seen["credit notes"] += len(history.credit_notes)
    assert set(DISTRIBUTION) <= set(seen)
    for situation in (
        "open",
        "partially paid",
        "payment for two invoices",
        "on account",
        "credit notes",
    ):
        assert seen[situation] > 0, situation
    # the distribution is roughly the documented one
    customers = sum(seen[b] for b in Behaviour)
    assert abs(seen[Behaviour.PROMPT] / customers - DISTRIBUTION[Behaviour.PROMPT]) < 0.08


def test_identifiers_are_valid_and_sirens_unique() -> None:
    histories = list(customer_histories(invoices=3000, seed=11, today=TODAY))
    sirens = [h.customer.siren for h in histories]
    assert len(set(sirens)) == len(sirens)
    for history in histories:
        customer = history.customer
        assert siren.is_valid(customer.siren)
        assert siret.is_valid(customer.siret)
        assert customer.siret.startswith(customer.siren)
        assert tva.is_valid(customer.vat_number)
        assert all(c.email.endswith(".example.fr") for c in customer.contacts)
    assert iban.is_valid(french_iban("30004", "01234", "00012345678"))


def test_same_inputs_same_ledger_other_seed_other_ledger() -> None:
    def fingerprint(seed: int) -> list[tuple[str, str, int, int]]:
        return [
            (h.customer.name, h.customer.siren, len(h.invoices), len(h.payments))
            for h in customer_histories(invoices=500, seed=seed, today=TODAY)
        ]

    assert fingerprint(1) == fingerprint(1)
    assert fingerprint(1) != fingerprint(2)
