"""Deciding for many invoices at once: one `decide` call per distinct situation.

A ledger has far fewer situations than invoices. What `decide` answers
depends on the plan, the effective due date, the last step reached, the
block, the minimum-gap date, whether the invoice is still open with a
positive balance, whether cash on account leaves anything owed and where
that net amount stands against the plan's minimum balances, and whether the
due date is before go-live; never on which invoice or customer it is. So a run asks `decide`
once per distinct situation and shares the answer: a million-invoice ledger
has a few thousand situations; `decide` (lists, steps, a Decision, its
parameters) per invoice was 2.4 s of a first run there.

The shared Decision is a template: only its outcome (reason, steps, dates,
parameters) applies to the other invoices, never its `facts`;
`Decision.for_facts` gives an invoice its own Decision when one is needed.
If `decide` ever reads another fact, or the balance other than against the
steps' minimum balances, `Decider.situation` must include it
(tests/dunning/test_run_sets.py compares the two on varied invoices).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from decimal import Decimal
from typing import Any

from encaisse.dunning.engine.decide import NO_GO_LIVE, decide
from encaisse.dunning.engine.types import Block, Decision, GoLive, InvoiceFacts, Plan

ZERO = Decimal("0")


class Decider:
    """`decide` for one date, memoized per situation (see the module's docstring)."""

    def __init__(self, today: dt.date, go_live: GoLive = NO_GO_LIVE) -> None:
        self.today = today
        self.go_live = go_live
        self._memo: dict[tuple[Any, ...], Decision] = {}
        self._thresholds: dict[int, list[Decimal]] = {}

    def situation(
        self,
        plan: Plan | None,
        due_on: dt.date,
        balance: Decimal,
        is_open: bool,
        last_offset: int | None,
        block: Block | None,
        contact_allowed_from: dt.date | None,
        cover: Decimal = ZERO,
    ) -> tuple[Any, ...]:
        """What `decide` depends on: the net amount only as "is anything owed" and
        "how many thresholds it reaches"; the go-live date only as "due before it"."""
        net = balance - cover if cover else balance
        backlog = self.go_live.is_backlog(due_on)
        if plan is None:
            return (None, due_on, balance > 0, is_open, last_offset, block, contact_allowed_from)
        thresholds = self._thresholds.get(plan.id)
        if thresholds is None:
            thresholds = sorted({step.min_balance for step in plan.steps})
            self._thresholds[plan.id] = thresholds
        return (
            plan.id,
            due_on,
            balance > 0,
            is_open,
            last_offset,
            block,
            contact_allowed_from,
            net > 0,
            bisect_right(thresholds, net),
            backlog,
        )

    def facts(
        self,
        invoice_id: int,
        customer_id: int,
        due_on: dt.date,
        balance: Decimal,
        is_open: bool,
        last_offset: int | None,
        block: Block | None,
        cover: Decimal = ZERO,
    ) -> InvoiceFacts:
        """An invoice's facts, with whether it is from before go-live."""
        backlog = self.go_live.is_backlog(due_on)
        return InvoiceFacts(
            invoice_id, customer_id, due_on, balance, is_open, last_offset, block, cover, backlog
        )

    def outcome(
        self, plan: Plan | None, facts: InvoiceFacts, contact_allowed_from: dt.date | None
    ) -> Decision:
        """The decision for `facts`, shared with every invoice in the same situation."""
        key = self.situation(
            plan,
            facts.due_on,
            facts.balance,
            facts.is_open,
            facts.last_offset,
            facts.block,
            contact_allowed_from,
            facts.cover,
        )
        return self.known(key) or self.learn(key, plan, facts, contact_allowed_from)

    def known(self, key: tuple[Any, ...]) -> Decision | None:
        """The decision already taken for this situation, if any (the hot path)."""
        return self._memo.get(key)

    def learn(
        self,
        key: tuple[Any, ...],
        plan: Plan | None,
        facts: InvoiceFacts,
        contact_allowed_from: dt.date | None,
    ) -> Decision:
        """Decide for `facts`, whose situation is `key`, and remember it."""
        decision = decide(
            facts,
            plan,
            self.today,
            contact_allowed_from=contact_allowed_from,
            go_live=self.go_live,
        )
        self._memo[key] = decision
        return decision

    @property
    def situations(self) -> int:
        return len(self._memo)
