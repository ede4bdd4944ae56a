"""The decision logic alone, on plain values (no database): one test per rule of SPEC §4.2."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from encaisse.dunning.engine.decide import decide
from encaisse.dunning.engine.group import group
from encaisse.dunning.engine.types import Block, InvoiceFacts, Plan, Step

PLAN = Plan(
    1,
    "Standard",
    (
        Step(1, "Préventif", -5, "email", template_code="preventive"),
        Step(2, "Relance 1", 3, "email", template_code="reminder_1"),
        Step(3, "Relance 2", 10, "email", template_code="reminder_2"),
        Step(4, "Appel", 15, "call_task"),
        Step(5, "Mise en demeure", 30, "formal_notice", mode="review", min_balance=Decimal("50")),
        Step(6, "Recouvrement", 45, "escalate", mode="review", min_balance=Decimal("200")),
    ),
)
DUE = dt.date(2026, 3, 1)


def facts(balance: str = "500.00", last: int | None = None, **kw: object) -> InvoiceFacts:
    fields: dict[str, object] = {
        "invoice_id": 10,
        "customer_id": 7,
        "due_on": DUE,
        "balance": Decimal(balance),
        "is_open": True,
        "last_offset": last,
    }
    fields.update(kw)
    return InvoiceFacts(**fields)  # type: ignore[arg-type]


def day(offset: int) -> dt.date:
    return DUE + dt.timedelta(days=offset)


def test_before_the_first_step_the_invoice_waits_for_the_preventive_reminder() -> None:
    decision = decide(facts(), PLAN, day(-20), contact_allowed_from=None)
    assert decision.perform is None
    assert decision.reason == "waiting"
    assert decision.next_step is not None and decision.next_step.name == "Préventif"
    assert decision.next_action_on == day(-5)


def test_a_covered_invoice_is_not_chased_and_parked_until_its_customers_ledger_moves() -> None:
    """Cash on account covers the whole balance (even of an invoice 40 days late,
    past the formal notice): no step, no date (services.parking wakes it)."""
    decision = decide(
        facts("500.00", cover=Decimal("500.00")), PLAN, day(40), contact_allowed_from=None
    )
    assert (decision.reason, decision.perform, decision.next_action_on) == ("covered", None, None)
    assert decision.skipped == ()
    assert decision.next_step is not None and decision.next_step.name == "Préventif"


def test_the_preventive_email_goes_five_days_before_the_due_date() -> None:
    decision = decide(facts(), PLAN, day(-5), contact_allowed_from=None)
    assert decision.perform is not None and decision.perform.name == "Préventif"
    assert decision.next_action_on == day(3)
    assert decision.last_offset == -5


def test_each_reminder_follows_the_previous_one_at_its_offset() -> None:
    decision = decide(facts(last=-5), PLAN, day(3), contact_allowed_from=None)
    assert decision.perform is not None and decision.perform.name == "Relance 1"
    assert decision.skipped == ()
    assert decision.next_action_on == day(10)


def test_catch_up_performs_only_the_latest_step_and_records_the_others_as_skipped() -> None:
    # Imported 20 days late: préventif, relance 1 and 2 and the call are all past.
    decision = decide(facts(), PLAN, day(16), contact_allowed_from=None)
    assert decision.perform is not None and decision.perform.name == "Appel"
    assert [(s.step.name, s.reason) for s in decision.skipped] == [
        ("Préventif", "too_late"),
        ("Relance 1", "caught_up"),
        ("Relance 2", "caught_up"),
    ]
    assert decision.next_action_on == day(30)


def test_a_step_whose_minimum_balance_is_not_met_is_skipped_with_that_reason() -> None:
    decision = decide(facts("40.00", last=15), PLAN, day(30), contact_allowed_from=None)
    assert decision.perform is None
    assert [(s.step.name, s.reason) for s in decision.skipped] == [
        ("Mise en demeure", "below_threshold")
    ]
    assert decision.reached is not None and decision.reached.name == "Mise en demeure"
    assert decision.next_action_on == day(45)


def test_the_minimum_gap_postpones_a_customer_facing_step_and_never_drops_it() -> None:
    decision = decide(facts(last=-5), PLAN, day(3), contact_allowed_from=day(5))
    assert decision.perform is None
    assert decision.reason == "postponed_gap"
    assert decision.next_action_on == day(5)
    assert decision.last_offset == -5  # nothing reached yet: it will happen on day 5
    later = decide(facts(last=-5), PLAN, day(5), contact_allowed_from=day(5))
    assert later.perform is not None and later.perform.name == "Relance 1"


def test_the_minimum_gap_does_not_delay_an_internal_call_task() -> None:
    decision = decide(facts(last=10), PLAN, day(15), contact_allowed_from=day(17))
    assert decision.perform is not None and decision.perform.action == "call_task"


def test_a_blocked_invoice_waits_until_the_day_after_its_block_ends() -> None:
    block = Block("promise", day(20))
    decision = decide(facts(last=10, block=block), PLAN, day(15), contact_allowed_from=None)
    assert decision.perform is None
    assert decision.reason == "blocked"
    assert decision.params == {"block": "promise", "until": day(20).isoformat()}
    assert decision.next_action_on == day(21)


def test_an_open_ended_block_leaves_the_invoice_until_it_is_released() -> None:
    decision = decide(facts(block=Block("dispute", None)), PLAN, day(15), contact_allowed_from=None)
    assert decision.reason == "blocked"
    assert decision.next_action_on is None


def test_a_settled_invoice_leaves_dunning() -> None:
    decision = decide(facts("0.00", is_open=False), PLAN, day(15), contact_allowed_from=None)
    assert decision.reason == "settled"
    assert decision.perform is None and decision.next_action_on is None


def test_after_the_escalation_nothing_more_happens_automatically() -> None:
    decision = decide(facts(last=30), PLAN, day(45), contact_allowed_from=None)
    assert decision.perform is not None and decision.perform.action == "escalate"
    assert decision.reason == "escalated"
    assert decision.next_action_on is None


def test_without_a_plan_nothing_is_scheduled() -> None:
    decision = decide(facts(), None, day(15), contact_allowed_from=None)
    assert decision.reason == "no_plan" and decision.next_action_on is None


def test_steps_of_one_customer_and_one_action_are_one_group() -> None:
    first = decide(facts(invoice_id=1, last=-5), PLAN, day(3), contact_allowed_from=None)
    second = decide(
        facts(invoice_id=2, last=3, due_on=day(-7)), PLAN, day(3), contact_allowed_from=None
    )
    other = decide(
        facts(invoice_id=3, customer_id=8, last=-5), PLAN, day(3), contact_allowed_from=None
    )
    groups = group([first, second, other])
    assert [(g.customer_id, g.channel, len(g.decisions)) for g in groups] == [
        (7, "email", 2),
        (8, "email", 1),
    ]
    # The most advanced step gives the group its template.
    assert groups[0].step.name == "Relance 2"


def test_a_group_needs_review_when_one_of_its_steps_does() -> None:
    notice = decide(facts(last=15), PLAN, day(30), contact_allowed_from=None)
    assert group([notice])[0].needs_review


def test_a_plan_refuses_unordered_or_duplicate_offsets() -> None:
    with pytest.raises(ValueError):
        Plan(2, "Bad", (Step(1, "a", 3, "email"), Step(2, "b", 3, "email")))


@given(
    days=st.lists(st.integers(min_value=-10, max_value=60), min_size=1, max_size=12, unique=True)
)
def test_over_any_sequence_of_runs_each_step_is_reached_at_most_once(days: list[int]) -> None:
    last: int | None = None
    reached: list[str] = []
    for offset in sorted(days):
        decision = decide(facts(last=last), PLAN, day(offset), contact_allowed_from=None)
        reached += [s.step.name for s in decision.skipped]
        if decision.perform is not None:
            reached.append(decision.perform.name)
        last = decision.last_offset
    assert len(reached) == len(set(reached))
    # Every step whose date has come by the last run is reached (performed or skipped).
    due_steps = [s.name for s in PLAN.steps if s.offset_days <= max(days)]
    assert sorted(reached) == sorted(due_steps)


def test_a_preventive_step_reached_only_after_the_due_date_is_skipped_as_too_late() -> None:
    decision = decide(facts(), PLAN, day(1), contact_allowed_from=None)
    assert decision.perform is None
    assert [(s.step.name, s.reason) for s in decision.skipped] == [("Préventif", "too_late")]
    assert decision.next_action_on == day(3)
