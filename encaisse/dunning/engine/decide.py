"""What one invoice needs on one date (SPEC §4.2)."""

from __future__ import annotations

import datetime as dt

from encaisse.dunning.engine.types import Decision, GoLive, InvoiceFacts, Plan, Skip, Step

ONE_DAY = dt.timedelta(days=1)
NO_GO_LIVE = GoLive()
# Steps that put the customer on formal notice or hand the claim over: never
# sent from a catch-up without a person looking first.
SERIOUS_ACTIONS = frozenset({"formal_notice", "escalate"})


def decide(
    facts: InvoiceFacts,
    plan: Plan | None,
    today: dt.date,
    *,
    contact_allowed_from: dt.date | None,
    go_live: GoLive = NO_GO_LIVE,
) -> Decision:
    """Decide for one invoice.

    1. A settled invoice, or one without a plan, leaves dunning.
    2. An invoice whose balance the customer's cash on account covers is not
       chased (finance is asked to apply the cash); it is parked (no date)
       until the customer's ledger moves: the cash may go to another invoice
       (services.parking wakes it).
    3. A blocked invoice waits for the end of its block (or its release).
    4. An invoice due before the go-live date only has the plan's steps up to
       the go-live ceiling; none left: it waits for the policy to change.
    5. The steps not yet reached whose date has come are "reached". None:
       wait for the next step's date.
    6. Of the reached steps, perform only the latest whose minimum balance
       the invoice's net amount meets (catch-up); the others are skipped,
       with the reason. A preventive step (before the due date) reached only
       once the invoice is due is skipped: "falls due soon" would be false.
       A formal notice or an escalation reached by a catch-up (other steps
       skipped, or an invoice from before go-live) goes to review.
    7. A customer-facing step before `contact_allowed_from` (minimum gap
       since the last contact) is postponed to that date, never dropped.
    8. After an escalation nothing more happens automatically.

    The run and the preview call this once per distinct situation
    (engine.batch): a new input, or a new use of the balance, must be added
    to `Decider.situation` too.
    """
    if not facts.is_open or facts.balance <= 0:
        return Decision(facts, "settled", last_offset=facts.last_offset)
    if plan is None:
        return Decision(facts, "no_plan", last_offset=facts.last_offset)
    if facts.net <= 0:
        return Decision(
            facts,
            "covered",
            last_offset=facts.last_offset,
            next_step=_first_after(plan, facts.last_offset),
        )
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
    ceiling = go_live.ceiling if facts.backlog else None
    remaining = [
        step
        for step in plan.steps
        if _after(step, facts.last_offset) and (ceiling is None or step.offset_days <= ceiling)
    ]
    held = ceiling is not None and any(
        _after(step, facts.last_offset) and step.offset_days > ceiling for step in plan.steps
    )
    reached = [step for step in remaining if facts.due_on + _days(step) <= today]
    if not reached:
        return _wait(facts, remaining, facts.last_offset, reason="waiting", held=held)
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
    review = (
        chosen is not None
        and chosen.action in SERIOUS_ACTIONS
        and (len(reached) > 1 or facts.backlog)
    )
    last_offset = reached[-1].offset_days
    if chosen is not None and chosen.action == "escalate":
        return Decision(
            facts,
            "escalated",
            perform=chosen,
            skipped=skipped,
            last_offset=last_offset,
            review=review,
        )
    later = [step for step in remaining if step.offset_days > last_offset]
    decision = _wait(
        facts, later, last_offset, reason="performed" if chosen else "waiting", held=held
    )
    return Decision(
        facts,
        decision.reason if later or held else ("performed" if chosen else "plan_complete"),
        perform=chosen,
        skipped=skipped,
        last_offset=last_offset,
        next_step=decision.next_step,
        next_action_on=decision.next_action_on,
        params=decision.params,
        review=review,
    )


def _skip_reason(step: Step, facts: InvoiceFacts, today: dt.date) -> str | None:
    """Why a reached step cannot be performed today (None: it can)."""
    if facts.net < step.min_balance:
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
    facts: InvoiceFacts,
    remaining: list[Step],
    last_offset: int | None,
    *,
    reason: str,
    held: bool = False,
) -> Decision:
    """Wait for the first of `remaining`; none left: the plan is complete, or the
    go-live ceiling holds the rest (`held`) until the policy changes."""
    if not remaining:
        if held:
            return Decision(facts, "go_live_held", last_offset=last_offset)
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
