"""Go-live and the first run (docs/dunning.md "Go-live and the first run").

On day one a company imports books holding years of unpaid invoices. Run as
is, the engine would catch every one of them up at once: hundreds of formal
notices and agency handovers for invoices the company had long stopped
chasing. So nothing runs until finance has seen what the first run would do
and confirmed it, choosing how invoices due before the go-live date are
chased: not at all, up to a chosen step, or as the plan says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from encaisse.accounts.models import User, stored_actor
from encaisse.collab.services import activity_record
from encaisse.dunning.engine.types import NO_STEP, GoLive
from encaisse.dunning.models import (
    BacklogMode,
    DunningSettings,
    InvoiceDunning,
    StateReason,
)
from encaisse.lib import clock
from encaisse.lib.changes import assign_changes, changes_payload
from encaisse.lib.errors import Message, ValidationFailed


class FirstRunNotConfirmed(Exception):
    """The first run waits for finance's confirmation (the first-run screen)."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "The first dunning run waits for confirmation: open “First run” in Dunning "
                "to see what it would do and confirm it."
            )
        )


def go_live_of(policy: DunningSettings) -> GoLive:
    """The engine's view of the go-live policy."""
    if policy.go_live_on is None or policy.backlog_mode == BacklogMode.FULL:
        return GoLive(policy.go_live_on, None)
    if policy.backlog_mode == BacklogMode.HOLD:
        return GoLive(policy.go_live_on, NO_STEP)
    return GoLive(policy.go_live_on, policy.backlog_ceiling_offset)


def go_live_policy() -> GoLive:
    return go_live_of(DunningSettings.current())


def policy_candidate(
    *, go_live_on: dt.date, mode: str, ceiling_offset: int | None
) -> DunningSettings:
    """An unsaved copy of the settings with another go-live policy (for a preview)."""
    policy = DunningSettings.current()
    policy.go_live_on = go_live_on
    policy.backlog_mode = mode
    policy.backlog_ceiling_offset = ceiling_offset if mode == BacklogMode.UP_TO else None
    return policy


def go_live_policy_check(
    *, go_live_on: dt.date | None, mode: str, ceiling_offset: int | None
) -> None:
    """The rules of a go-live policy, for the service and for a form's preview."""
    errors: dict[str, list[Message]] = {}
    if mode not in BacklogMode.values:
        errors["mode"] = [
            gettext_lazy("Choose how invoices due before go-live are chased: %(modes)s.")
            % {"modes": ", ".join(BacklogMode.values)}
        ]
    if mode != BacklogMode.FULL and go_live_on is None:
        errors["go_live_on"] = [gettext_lazy("Choose the go-live date.")]
    if go_live_on is not None and go_live_on > clock.today() + dt.timedelta(days=366):
        errors["go_live_on"] = [gettext_lazy("Choose a go-live date within a year.")]
    if mode == BacklogMode.UP_TO and ceiling_offset is None:
        errors["ceiling_offset"] = [
            gettext_lazy("Choose the last step invoices due before go-live may reach.")
        ]
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def go_live_policy_update(
    *, actor: User | None, go_live_on: dt.date | None, mode: str, ceiling_offset: int | None
) -> DunningSettings:
    """Record the go-live policy, and confirm the first run if it was not.

    The three fields are one choice (a ceiling only means something "up to a
    step"), so they are always given together. Invoices the previous policy
    held (reason `go_live_held`, no next date) are due again at the next run,
    which decides them under the new policy.
    """
    go_live_policy_check(go_live_on=go_live_on, mode=mode, ceiling_offset=ceiling_offset)
    policy = DunningSettings.objects.select_for_update().get(pk=DunningSettings.current().pk)
    first = policy.first_run_confirmed_at is None
    changes = assign_changes(
        policy,
        {
            "go_live_on": go_live_on,
            "backlog_mode": mode,
            "backlog_ceiling_offset": ceiling_offset if mode == BacklogMode.UP_TO else None,
        },
    )
    if first:
        policy.first_run_confirmed_at = clock.now()
        policy.first_run_confirmed_by = stored_actor(actor)
    fields = list(changes) + (["first_run_confirmed_at", "first_run_confirmed_by"] if first else [])
    if not fields:
        return policy
    policy.save(update_fields=fields)
    woken = InvoiceDunning.objects.filter(
        reason=StateReason.GO_LIVE_HELD, next_action_on__isnull=True
    ).update(next_action_on=clock.today())
    activity_record(
        verb="dunning.first_run.confirmed" if first else "dunning.go_live.changed",
        actor=actor,
        payload={
            "go_live_on": go_live_on.isoformat() if go_live_on else None,
            "mode": mode,
            "ceiling_offset": policy.backlog_ceiling_offset,
            "woken": woken,
            "changes": changes_payload(changes),
        },
    )
    return policy


# The name the demo loader and older callers know.
go_live_set = go_live_policy_update


@dataclass(slots=True)
class StepOutline:
    """What the first run would do for one step: invoices, customers, net amount."""

    name: str
    action: str
    offset: int
    invoices: int = 0
    customers: set[int] = field(default_factory=set)
    amount: Decimal = Decimal("0")
    to_review: int = 0  # messages of this step that wait for finance's review


@dataclass(frozen=True, slots=True)
class OutlineItem:
    invoice_id: int
    customer_id: int
    due_on: dt.date
    amount: Decimal
    step: str


@dataclass(slots=True)
class FirstRunOutline:
    """The first run under a go-live policy, summed up for finance to confirm it."""

    on: dt.date
    steps: list[StepOutline]
    oldest: list[OutlineItem]  # the oldest invoices it would act on
    customers: list[CustomerOutline]  # largest amount chased first
    customer_count: int
    held: dict[str, tuple[int, Decimal]]  # reason -> (invoices, open balance) not chased

    @property
    def invoices(self) -> int:
        return sum(step.invoices for step in self.steps)

    @property
    def amount(self) -> Decimal:
        return sum((step.amount for step in self.steps), Decimal("0"))


@dataclass(frozen=True, slots=True)
class CustomerOutline:
    customer_id: int
    amount: Decimal  # net amount chased
    invoices: int


def first_run_outline(policy: DunningSettings, *, on: dt.date, limit: int = 10) -> FirstRunOutline:
    """Replay the next run under `policy` (nothing written) and sum it up per step."""
    # Imported here: the preview imports this module for the policy.
    from encaisse.dunning.services.preview import dunning_preview

    preview = dunning_preview(on=on, policy=policy)
    steps: dict[str, StepOutline] = {}
    items: list[OutlineItem] = []
    by_customer: dict[int, list[Decimal]] = {}
    for g in preview.groups:
        for d in g.decisions:
            step, facts = d.perform, d.facts
            if step is None:
                continue
            outline = steps.get(step.name)
            if outline is None:
                outline = steps[step.name] = StepOutline(step.name, step.action, step.offset_days)
            outline.invoices += 1
            outline.customers.add(g.customer_id)
            outline.amount += facts.net
            items.append(
                OutlineItem(facts.invoice_id, g.customer_id, facts.due_on, facts.net, step.name)
            )
            by_customer.setdefault(g.customer_id, []).append(facts.net)
        if g.needs_review and not g.is_task:
            steps[g.step.name].to_review += 1
    items.sort(key=lambda item: (item.due_on, item.invoice_id))
    customers = sorted(
        (CustomerOutline(pk, sum(amounts, Decimal("0")), len(amounts))
         for pk, amounts in by_customer.items()),
        key=lambda row: (-row.amount, row.customer_id),
    )  # fmt: skip
    day = preview.days[-1] if preview.days else None
    held = {}
    if day is not None:
        held = {reason: (count, day.held_amount[reason]) for reason, count in day.held.items()}
    return FirstRunOutline(
        on,
        sorted(steps.values(), key=lambda s: (s.offset, s.name)),
        items[:limit],
        customers[:limit],
        len(customers),
        held,
    )
