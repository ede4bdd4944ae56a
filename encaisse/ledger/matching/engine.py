"""Ranked match suggestions for one cash item (docs/cash-application.md).

1. References: the open invoices whose number the texts name (see
   `references`). Their balances summing exactly to the amount: *certain*.
   Otherwise *high*: a partial payment of the invoices named (oldest first),
   or all of them with the rest on account. A reference that reads as two
   invoices' numbers (F-123 and FA-123) gives one *high* suggestion each.
2. The customer's only open invoice, for exactly the amount: *certain*.
3. One open invoice whose balance is exactly the amount: *high*; several
   with that same balance: *medium* each.
4. All the customer's open invoices sum to the amount: *high*.
5. Two or three open invoices sum to the amount (bounded search among the
   oldest, see `combinations`): *medium* when only one such combination
   exists, *low* each when several do.
6. Oldest first (the fallback): *low*.
Suggestions with the same allocations are kept once (the best one), then
ranked by confidence, score, and the age of their oldest invoice.

A *confident* item has exactly one *certain* suggestion (`confident`).
The engine reads nothing but its arguments: the same code will serve bank
statement lines, whose customer may be unknown (then only references apply,
and candidates may belong to several customers).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from encaisse.ledger.matching.combinations import MAX_CANDIDATES, combinations_summing_to
from encaisse.ledger.matching.references import number_key, reference_keys
from encaisse.ledger.matching.types import (
    Candidate,
    CashItem,
    Confidence,
    Reason,
    ReasonCode,
    Suggestion,
    TextSource,
)

ZERO = Decimal("0.00")
MAX_SUGGESTIONS = 5
MAX_COMBINATIONS = 3  # shown; one more is searched to know whether the first is unique


def suggest(
    item: CashItem, candidates: Sequence[Candidate], *, limit: int = MAX_SUGGESTIONS
) -> list[Suggestion]:
    """Ranked suggestions for `item` among `candidates` (any order; other currencies ignored)."""
    usable = sorted(
        (c for c in candidates if c.currency == item.currency and c.balance > 0),
        key=lambda c: (c.due_date, c.id),
    )
    if item.amount <= 0 or not usable:
        return []
    found = list(_by_reference(item, usable))
    if item.customer_id is not None:
        own = [c for c in usable if c.customer_id == item.customer_id]
        found.extend(_by_amount(item, own))
        found.extend(_by_combination(item, own))
        found.extend(_oldest_first(item, own))
    return _ranked(found, usable)[:limit]


def confident(suggestions: Sequence[Suggestion]) -> Suggestion | None:
    """The suggestion to apply without asking: the only certain one, else None."""
    certain = [s for s in suggestions if s.confidence is Confidence.CERTAIN]
    return certain[0] if len(certain) == 1 else None


def _suggestion(
    candidates: Sequence[Candidate],
    amounts: Sequence[Decimal],
    confidence: Confidence,
    score: int,
    reason: Reason,
) -> Suggestion:
    return Suggestion(
        customer_id=candidates[0].customer_id,
        allocations=tuple((c.id, a) for c, a in zip(candidates, amounts, strict=True) if a > 0),
        confidence=confidence,
        score=score,
        reason=reason,
        numbers=tuple(c.number for c, a in zip(candidates, amounts, strict=True) if a > 0),
    )


def _spread(amount: Decimal, invoices: Sequence[Candidate]) -> tuple[list[Decimal], Decimal]:
    """`amount` over `invoices` in order, each up to its balance; returns (shares, rest)."""
    shares = []
    left = amount
    for invoice in invoices:
        share = min(left, invoice.balance)
        shares.append(share)
        left -= share
    return shares, left


def _found_where(item: CashItem) -> dict[str, set[TextSource]]:
    where: dict[str, set[TextSource]] = defaultdict(set)
    for source, text in item.texts:
        for key in reference_keys(text):
            where[key].add(source)
    return where


def _by_reference(item: CashItem, usable: Sequence[Candidate]) -> Iterable[Suggestion]:
    where = _found_where(item)
    if not where:
        return
    named: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in usable:
        key = number_key(candidate.number)
        if key is not None and key in where:
            named[key].append(candidate)
    by_customer: dict[int, list[tuple[str, list[Candidate]]]] = defaultdict(list)
    for key, invoices in named.items():
        for customer_id in {c.customer_id for c in invoices}:
            mine = [c for c in invoices if c.customer_id == customer_id]
            by_customer[customer_id].append((key, mine))
    for groups in by_customer.values():
        clear = sorted(
            (mine[0] for _key, mine in groups if len(mine) == 1), key=lambda c: (c.due_date, c.id)
        )
        sources = tuple(sorted({s for key, _m in groups for s in where[key]}))
        if clear:
            yield _reference_suggestion(item, clear, sources, ambiguous=False)
        for _key, mine in groups:
            if len(mine) > 1:
                for candidate in mine:
                    yield _reference_suggestion(item, [candidate], sources, ambiguous=True)


def _reference_suggestion(
    item: CashItem, invoices: list[Candidate], sources: tuple[TextSource, ...], *, ambiguous: bool
) -> Suggestion:
    total = sum((c.balance for c in invoices), ZERO)
    shares, rest = _spread(item.amount, invoices)
    exact = total == item.amount and not ambiguous
    reason = Reason(
        ReasonCode.REFERENCE,
        numbers=tuple(c.number for c in invoices),
        where=sources,
        count=len(invoices),
        remainder=rest,
        partial=total > item.amount,
        ambiguous=ambiguous,
    )
    if exact:
        return _suggestion(invoices, shares, Confidence.CERTAIN, 100, reason)
    return _suggestion(invoices, shares, Confidence.HIGH, 70 if ambiguous else 85, reason)


def _by_amount(item: CashItem, own: Sequence[Candidate]) -> Iterable[Suggestion]:
    exact = [c for c in own if c.balance == item.amount]
    if len(own) == 1 and exact:
        reason = Reason(ReasonCode.ONLY_INVOICE, numbers=(exact[0].number,), count=1)
        yield _suggestion(exact, [item.amount], Confidence.CERTAIN, 95, reason)
        return
    for candidate in exact:
        reason = Reason(ReasonCode.EXACT_AMOUNT, numbers=(candidate.number,), count=len(exact))
        confidence, score = (Confidence.HIGH, 80) if len(exact) == 1 else (Confidence.MEDIUM, 55)
        yield _suggestion([candidate], [item.amount], confidence, score, reason)
    total = sum((c.balance for c in own), ZERO)
    if len(own) > 1 and total == item.amount:
        reason = Reason(ReasonCode.WHOLE_BALANCE, count=len(own))
        yield _suggestion(own, [c.balance for c in own], Confidence.HIGH, 75, reason)


def _cents(amount: Decimal) -> int:
    return int(amount * 100)


def _by_combination(item: CashItem, own: Sequence[Candidate]) -> Iterable[Suggestion]:
    oldest = own[:MAX_CANDIDATES]
    found = combinations_summing_to(
        _cents(item.amount), [_cents(c.balance) for c in oldest], limit=MAX_COMBINATIONS + 1
    )
    for positions in found[:MAX_COMBINATIONS]:
        invoices = [oldest[p] for p in positions]
        reason = Reason(
            ReasonCode.COMBINATION, numbers=tuple(c.number for c in invoices), count=len(invoices)
        )
        confidence, score = (Confidence.MEDIUM, 60) if len(found) == 1 else (Confidence.LOW, 40)
        yield _suggestion(invoices, [c.balance for c in invoices], confidence, score, reason)


def _oldest_first(item: CashItem, own: Sequence[Candidate]) -> Iterable[Suggestion]:
    if not own:
        return
    shares, rest = _spread(item.amount, own)
    used = [c for c, share in zip(own, shares, strict=True) if share > 0]
    reason = Reason(
        ReasonCode.OLDEST_FIRST,
        numbers=tuple(c.number for c in used),
        count=len(used),
        remainder=rest,
        partial=bool(used) and shares[len(used) - 1] < used[-1].balance,
    )
    yield _suggestion(own, shares, Confidence.LOW, 20, reason)


def _ranked(found: list[Suggestion], usable: Sequence[Candidate]) -> list[Suggestion]:
    age = {c.id: position for position, c in enumerate(usable)}
    best: dict[frozenset[tuple[int, Decimal]], Suggestion] = {}
    for suggestion in found:
        kept = best.get(suggestion.key)
        if kept is None or (suggestion.confidence, suggestion.score) > (
            kept.confidence,
            kept.score,
        ):
            best[suggestion.key] = suggestion
    return sorted(
        best.values(),
        key=lambda s: (
            -s.confidence,
            -s.score,
            min(age[invoice] for invoice, _a in s.allocations),
        ),
    )
