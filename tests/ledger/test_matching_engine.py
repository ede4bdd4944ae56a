"""The matching engine on plain values: ranked suggestions, confidence, bounds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from encaisse.ledger.matching import (
    Candidate,
    CashItem,
    Confidence,
    ItemKind,
    ReasonCode,
    TextSource,
    confident,
    suggest,
)
from encaisse.ledger.matching.combinations import MAX_CANDIDATES, combinations_summing_to

D = Decimal


def invoices(*balances: str, customer: int = 1, first_id: int = 1) -> list[Candidate]:
    """Invoices F-<id> of one customer, due one day apart (the first is the oldest)."""
    return [
        Candidate(
            first_id + n,
            f"F-{first_id + n:05d}",
            customer,
            dt.date(2026, 1, 1) + dt.timedelta(days=n),
            D(b),
            "EUR",
        )
        for n, b in enumerate(balances)
    ]


def payment(amount: str, remittance: str = "", reference: str = "", customer: int | None = 1):
    return CashItem(
        kind=ItemKind.PAYMENT if customer is not None else ItemKind.BANK_LINE,
        id=1,
        customer_id=customer,
        amount=D(amount),
        currency="EUR",
        date=dt.date(2026, 3, 1),
        texts=((TextSource.REMITTANCE, remittance), (TextSource.BANK_REFERENCE, reference)),
    )


def test_a_reference_in_the_remittance_text_for_the_exact_amount_is_certain() -> None:
    open_ = invoices("100.00", "250.00", "40.00")
    suggestions = suggest(payment("250.00", remittance="VIR SEPA FACT 2"), open_)
    best = suggestions[0]
    assert (best.confidence, best.reason.code) == (Confidence.CERTAIN, ReasonCode.REFERENCE)
    assert best.allocations == ((2, D("250.00")),)
    assert best.reason.where == (TextSource.REMITTANCE,)
    assert confident(suggestions) is best


def test_a_reference_in_the_bank_reference_spelled_differently() -> None:
    open_ = invoices("100.00", "250.00")
    best = suggest(payment("100.00", reference="fac 000001"), open_)[0]
    assert best.reason.code == ReasonCode.REFERENCE
    assert best.reason.where == (TextSource.BANK_REFERENCE,)
    assert best.allocations == ((1, D("100.00")),)


def test_a_reference_for_less_than_the_balances_is_a_partial_payment_of_the_oldest() -> None:
    open_ = invoices("100.00", "250.00", "40.00")
    best = suggest(payment("270.00", remittance="F-00003 F-00002"), open_)[0]
    assert best.confidence is Confidence.HIGH
    assert best.reason.partial
    assert best.allocations == ((2, D("250.00")), (3, D("20.00")))


def test_a_reference_for_more_than_the_balances_leaves_the_rest_on_account() -> None:
    open_ = invoices("100.00", "250.00")
    best = suggest(payment("130.00", remittance="F-00001"), open_)[0]
    assert best.confidence is Confidence.HIGH
    assert best.allocations == ((1, D("100.00")),)
    assert best.reason.remainder == D("30.00")
    assert confident([best]) is None


def test_an_exact_amount_to_one_invoice() -> None:
    open_ = invoices("100.00", "250.00", "40.00")
    suggestions = suggest(payment("250.00", remittance="VIREMENT"), open_)
    best = suggestions[0]
    assert (best.confidence, best.reason.code) == (Confidence.HIGH, ReasonCode.EXACT_AMOUNT)
    assert best.allocations == ((2, D("250.00")),)
    assert confident(suggestions) is None  # an amount alone can coincide


def test_the_customers_only_open_invoice_for_exactly_the_amount_is_certain() -> None:
    suggestions = suggest(payment("2511.65"), invoices("2511.65"))
    assert suggestions[0].reason.code == ReasonCode.ONLY_INVOICE
    assert confident(suggestions) is suggestions[0]


def test_the_same_balance_on_several_invoices_is_ambiguous() -> None:
    suggestions = suggest(payment("100.00"), invoices("100.00", "100.00", "7.00"))
    exact = [s for s in suggestions if s.reason.code == ReasonCode.EXACT_AMOUNT]
    assert [s.confidence for s in exact] == [Confidence.MEDIUM, Confidence.MEDIUM]
    assert exact[0].allocations == ((1, D("100.00")),)  # the oldest first
    assert confident(suggestions) is None


def test_a_two_invoice_combination() -> None:
    open_ = invoices("100.00", "250.00", "40.00", "75.50")
    best = suggest(payment("290.00"), open_)[0]
    assert (best.reason.code, best.reason.count) == (ReasonCode.COMBINATION, 2)
    assert best.confidence is Confidence.MEDIUM
    assert best.allocations == ((2, D("250.00")), (3, D("40.00")))


def test_a_three_invoice_combination() -> None:
    open_ = invoices("100.00", "250.00", "40.00", "75.50", "999.99")
    best = suggest(payment("425.50"), open_)[0]
    assert (best.reason.code, best.reason.count) == (ReasonCode.COMBINATION, 3)
    assert best.allocations == ((1, D("100.00")), (2, D("250.00")), (4, D("75.50")))


def test_several_combinations_are_low_and_the_oldest_comes_first() -> None:
    open_ = invoices("10.00", "20.00", "30.00", "5.00", "45.00")
    combos = [s for s in suggest(payment("50.00"), open_) if s.reason.code == "combination"]
    assert all(s.confidence is Confidence.LOW for s in combos)
    assert combos[0].allocations == ((2, D("20.00")), (3, D("30.00")))


def test_the_whole_open_balance() -> None:
    best = suggest(payment("390.00"), invoices("100.00", "250.00", "40.00"))[0]
    assert best.reason.code == ReasonCode.WHOLE_BALANCE
    assert best.confidence is Confidence.HIGH


def test_oldest_first_is_the_fallback() -> None:
    suggestions = suggest(payment("120.00", remittance="ACOMPTE"), invoices("100.00", "250.00"))
    assert [s.reason.code for s in suggestions] == [ReasonCode.OLDEST_FIRST]
    assert suggestions[0].allocations == ((1, D("100.00")), (2, D("20.00")))
    assert suggestions[0].confidence is Confidence.LOW


def test_other_currencies_and_settled_invoices_are_not_candidates() -> None:
    open_ = invoices("100.00")
    dollars = Candidate(9, "F-00009", 1, dt.date(2025, 1, 1), D("100.00"), "USD")
    assert suggest(payment("100.00", remittance="F-00009"), [*open_, dollars])[0].allocations == (
        (1, D("100.00")),
    )
    assert suggest(payment("100.00"), invoices("0.00")) == []


def test_a_number_that_reads_as_two_invoices_is_never_certain() -> None:
    open_ = [
        Candidate(1, "F-123", 1, dt.date(2026, 1, 1), D("50.00"), "EUR"),
        Candidate(2, "FA-123", 1, dt.date(2026, 1, 2), D("50.00"), "EUR"),
    ]
    suggestions = suggest(payment("50.00", remittance="FACT 123"), open_)
    assert confident(suggestions) is None
    assert {s.allocations for s in suggestions if s.reason.ambiguous} == {
        ((1, D("50.00")),),
        ((2, D("50.00")),),
    }


def test_an_unknown_customer_is_matched_by_reference_only() -> None:
    """A bank line without a customer: candidates came from the number index, any customer."""
    mine = invoices("80.00", first_id=1, customer=1)
    theirs = invoices("80.00", first_id=5, customer=2)
    line = payment("80.00", remittance="Paiement facture F-00005", customer=None)
    suggestions = suggest(line, [*mine, *theirs])
    assert len(suggestions) == 1
    assert suggestions[0].customer_id == 2
    assert confident(suggestions) is suggestions[0]
    assert suggest(payment("80.00", remittance="virement", customer=None), mine) == []


def test_an_unknown_customer_named_twice_is_ambiguous() -> None:
    first = invoices("80.00", first_id=1, customer=1)
    second = invoices("80.00", first_id=2, customer=2)
    line = payment("80.00", remittance="F-00001 F-00002", customer=None)
    suggestions = suggest(line, [*first, *second])
    assert len([s for s in suggestions if s.confidence is Confidence.CERTAIN]) == 2
    assert confident(suggestions) is None


# ------------------------------------------------------------------ properties

amounts = st.integers(min_value=1, max_value=500_000)


@given(
    balances=st.lists(amounts, min_size=2, max_size=MAX_CANDIDATES),
    data=st.data(),
)
def test_any_subset_of_two_or_three_summing_to_the_amount_is_found(
    balances: list[int], data: st.DataObject
) -> None:
    size = data.draw(st.integers(min_value=2, max_value=min(3, len(balances))))
    chosen = tuple(
        sorted(data.draw(st.sets(st.integers(0, len(balances) - 1), min_size=size, max_size=size)))
    )
    target = sum(balances[p] for p in chosen)
    found = combinations_summing_to(target, balances)
    assert chosen in found
    for combination in found:
        assert sum(balances[p] for p in combination) == target
        assert list(combination) == sorted(set(combination))


@given(balances=st.lists(amounts, min_size=2, max_size=12), target=amounts)
def test_the_combination_search_returns_nothing_false_and_the_oldest_first(
    balances: list[int], target: int
) -> None:
    found = combinations_summing_to(target, balances)
    assert all(sum(balances[p] for p in c) == target for c in found)
    assert found == sorted(found, key=lambda c: (len(c), c))


@given(
    balances=st.lists(
        st.decimals(min_value=D("0.01"), max_value=D("9999.99"), places=2), min_size=1, max_size=8
    ),
    amount=st.decimals(min_value=D("0.01"), max_value=D("20000.00"), places=2),
    text=st.sampled_from(["", "F-00001", "FACT 2 et 3", "VIR 12"]),
)
def test_no_suggestion_over_applies(balances: list[Decimal], amount: Decimal, text: str) -> None:
    open_ = invoices(*(str(b) for b in balances))
    balance = {c.id: c.balance for c in open_}
    suggestions = suggest(payment(str(amount), remittance=text), open_)
    assert len([s for s in suggestions if s.confidence is Confidence.CERTAIN]) <= 1
    for suggestion in suggestions:
        assert suggestion.total <= amount
        assert all(0 < share <= balance[invoice] for invoice, share in suggestion.allocations)
        assert suggestion.reason.remainder == amount - suggestion.total or (
            suggestion.reason.code != ReasonCode.OLDEST_FIRST
        )
