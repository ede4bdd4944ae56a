"""What one invoice needs on one date (SPEC §4.2)."""

from __future__ import annotations

import datetime as dt

from encaisse.dunning.engine.types import Decision, InvoiceFacts, Plan, Skip, Step

ONE_DAY = dt.timedelta(days=1)


def decide(
    facts: InvoiceFacts, plan: Plan | None, today: dt.date, *, contact_allowed_from: dt.date | None
) -> Decision:
    """Decide for one invoice.

    1. A settled invoice, or one without a plan, leaves dunning.
    2. A blocked invoice waits for the end of its block (or its release).
    3. The steps not yet reached whose date has come are "reached". None:
       wait for the next step's date.
    4. Of the reached steps, perform only the latest whose minimum balance
       the invoice meets (catch-up); the others are skipped, with the reason.
       A preventive step (before the due date) reached only once the invoice
       is due is skipped: "falls due soon" would be false.
    5. A customer-facing step before `contact_allowed_from` (minimum gap
       since the last contact) is postponed to that date, never dropped.
    6. After an escalation nothing more happens automatically.

    The run and the preview call this once per distinct situation
    (engine.batch): a new input, or a new use of the balance, must be added
    to `Decider.situation` too.
    """
    if not facts.is_open or facts.balance <= 0:
        return Decision(facts, "settled", last_offset=facts.last_offset)
    if plan is None:
        return Decision(facts, "no_plan", last_offset=facts.last_offset)
    if facts.block is not None:
        until = facts.block.until
        return Decision(
            facts,
            "blocked",
            last_offset=facts.last_offset,
            next_step=_first_after(plan, facts.last_offset),
            next_action_on=(until + ONE_DAY) if until is not None else None,
            params={"block": facts.block.reason, "until": until.isoformat() if until else None},
        )
    remaining = [step for step in plan.steps if _after(step, facts.last_offset)]
    reached = [step for step in remaining if facts.due_on + _days(step) <= today]
    if not reached:
        return _wait(facts, remaining, facts.last_offset, reason="waiting")
    eligible = [step for step in reached if _skip_reason(step, facts, today) is None]
    chosen = eligible[-1] if eligible else None
    if (
        chosen is not None
        and chosen.customer_facing
        and contact_allowed_from is not None
        and today < contact_allowed_from
    ):
        return Decision(
            facts,
            "postponed_gap",
            last_offset=facts.last_offset,
            next_step=chosen,
            next_action_on=contact_allowed_from,
            params={"step": chosen.name, "until": contact_allowed_from.isoformat()},
        )
    skipped = tuple(
        Skip(step, _skip_reason(step, facts, today) or "caught_up")
        for step in reached
        if step is not chosen
    )
    last_offset = reached[-1].offset_days
    if chosen is not None and chosen.action == "escalate":
        return Decision(
            facts, "escalated", perform=chosen, skipped=skipped, last_offset=last_offset
        )
    later = [step for step in remaining if step.offset_days > last_offset]
    decision = _wait(facts, later, last_offset, reason="performed" if chosen else "waiting")
    return Decision(
        facts,
        decision.reason if later else ("performed" if chosen else "plan_complete"),
        perform=chosen,
        skipped=skipped,
        last_offset=last_offset,
        next_step=decision.next_step,
        next_action_on=decision.next_action_on,
        params=decision.params,
    )


def _skip_reason(step: Step, facts: InvoiceFacts, today: dt.date) -> str | None:
    """Why a reached step cannot be performed today (None: it can)."""
    if facts.balance < step.min_balance:
        return "below_threshold"
    if step.offset_days < 0 and today >= facts.due_on:
        return "too_late"
    return None


def _days(step: Step) -> dt.timedelta:
    return dt.timedelta(days=step.offset_days)


def _after(step: Step, last_offset: int | None) -> bool:
    return last_offset is None or step.offset_days > last_offset


def _first_after(plan: Plan, last_offset: int | None) -> Step | None:
    return next((step for step in plan.steps if _after(step, last_offset)), None)


def _wait(
    facts: InvoiceFacts, remaining: list[Step], last_offset: int | None, *, reason: str
) -> Decision:
    if not remaining:
        return Decision(facts, "plan_complete", last_offset=last_offset)
    step = remaining[0]
    return Decision(
        facts,
        reason,
        last_offset=last_offset,
        next_step=step,
        next_action_on=facts.due_on + _days(step),
        params={"step": step.name},
    )
