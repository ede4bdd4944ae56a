"""One message per customer and action (SPEC §4.2 "delivery is grouped per customer")."""

from __future__ import annotations

from dataclasses import dataclass, field

from encaisse.dunning.engine.types import Decision, Step

# The outbox channel (or task) each step action produces.
CHANNEL_FOR_ACTION = {
    "email": "email",
    "letter": "letter",
    "formal_notice": "formal_notice",
    "escalate": "agency_notice",
    "alert_account_manager": "rep_alert",
    "call_task": "call_task",
}


@dataclass(slots=True)
class Group:
    """The decisions of one customer that become one message (or one task)."""

    customer_id: int
    channel: str
    decisions: list[Decision] = field(default_factory=list)

    @property
    def step(self) -> Step:
        """The most advanced step of the group: its template and settings apply."""
        steps = [d.perform for d in self.decisions if d.perform is not None]
        return max(steps, key=lambda step: step.offset_days)

    @property
    def needs_review(self) -> bool:
        """A step in review mode, or a formal notice or escalation from a catch-up."""
        return any(
            d.perform is not None and (d.perform.mode == "review" or d.review)
            for d in self.decisions
        )

    @property
    def is_task(self) -> bool:
        return self.channel == "call_task"


def group(decisions: list[Decision]) -> list[Group]:
    """Group the decisions that perform a step by (customer, channel), in a stable order."""
    groups: dict[tuple[int, str], Group] = {}
    for decision in decisions:
        if decision.perform is None:
            continue
        channel = CHANNEL_FOR_ACTION[decision.perform.action]
        key = (decision.facts.customer_id, channel)
        if key not in groups:
            groups[key] = Group(decision.facts.customer_id, channel)
        groups[key].decisions.append(decision)
    return [groups[key] for key in sorted(groups)]
