"""What would go out on a future date, without writing anything (SPEC §4.2 "preview")."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from encaisse.dunning.engine.batch import Decider
from encaisse.dunning.engine.group import Group, group
from encaisse.dunning.engine.types import Decision, GoLive
from encaisse.dunning.models import DunningRun, DunningSettings
from encaisse.dunning.services.facts import (
    Blocks,
    blocks_on,
    contact_allowed_from,
    due_rows,
    enrolment_cutoff,
    new_invoice_rows,
    woken_rows,
)
from encaisse.dunning.services.go_live import go_live_of
from encaisse.dunning.services.plans import PlanBook, plan_book_load
from encaisse.ledger.models import Company
from encaisse.ledger.models.invoice import OPEN_STATUSES
from encaisse.ledger.net_position import invoice_cover
from encaisse.lib import bulk, clock

ONE_DAY = dt.timedelta(days=1)
# The replay costs a day's run per day ahead: the UI and the API bound it.
PREVIEW_HORIZON_DAYS = 60
ZERO = Decimal("0")
HELD_REASONS = frozenset({"covered", "go_live_held", "blocked"})


@dataclass(slots=True)
class PreviewDay:
    on: dt.date
    by_step: Counter[str] = field(default_factory=Counter)  # invoices per step performed
    amount_by_step: dict[str, Decimal] = field(default_factory=dict)  # their net amounts
    messages: int = 0
    tasks: int = 0
    # Invoices whose turn came but that are not chased: covered by cash on
    # account, held by the go-live policy, blocked; with their open balances.
    held: Counter[str] = field(default_factory=Counter)
    held_amount: dict[str, Decimal] = field(default_factory=dict)


@dataclass(slots=True)
class Preview:
    """The groups of the target date, and a summary of every day replayed before it."""

    on: dt.date
    groups: list[Group]
    days: list[PreviewDay]
    languages: dict[int, str]


def preview_date_error(on: dt.date, today: dt.date) -> str | None:
    """Why `on` cannot be previewed (in the past, or beyond the horizon); None if it can."""
    if on < today:
        return _("The preview shows the future: choose today or later.")
    if on > today + dt.timedelta(days=PREVIEW_HORIZON_DAYS):
        return ngettext(
            "The preview looks at most %(days)d day ahead.",
            "The preview looks at most %(days)d days ahead.",
            PREVIEW_HORIZON_DAYS,
        ) % {"days": PREVIEW_HORIZON_DAYS}
    return None


def first_day_to_run(on: dt.date) -> dt.date:
    last = DunningRun.objects.order_by("-run_on").values_list("run_on", flat=True).first()
    start = clock.today() if last is None else max(clock.today(), last + ONE_DAY)
    return min(start, on)


def dunning_preview(*, on: dt.date, policy: DunningSettings | None = None) -> Preview:
    """Replay in memory every daily run from the next one through `on`.

    Nothing is paid in the replay (the preview shows what goes out if nothing
    changes), cash on account keeps covering what it covers today, holds end
    on their dates, and the minimum gap counts the contacts the replay itself
    makes. Each day decides once per distinct situation (engine.batch), as
    the run does; an invoice gets its own Decision only when it performs a
    step. `policy`: another go-live policy than the saved one (the first-run
    screen previews its choices before they are confirmed).
    """
    go_live = go_live_of(policy or DunningSettings.current())
    with bulk.gc_paused():
        return _replay(first_day_to_run(on), on, go_live)


def _replay(start: dt.date, on: dt.date, go_live: GoLive) -> Preview:
    book = plan_book_load()
    new = new_invoice_rows(enrolment_cutoff(on, book))
    # The invoices the next run will wake (a customer's status changed, or the
    # ledger of a customer whose cash covered them moved) are due on the first
    # replayed day, like the new ones.
    loaded = [*due_rows(on), *woken_rows(DunningRun.ledger_read_at()), *new]
    rows = [_Row(*row) for row in loaded]
    covers = invoice_cover({row.customer_id for row in rows})
    for row in rows:
        row.cover = covers.get(row.invoice_id, ZERO)
    gap = dt.timedelta(days=Company.current().min_contact_gap_days)
    allowed = contact_allowed_from(row.customer_id for row in rows)
    buckets: dict[dt.date, list[_Row]] = defaultdict(list)
    for row in rows:
        buckets[max(start, row.next_on or start)].append(row)
    languages = {row.customer_id: row.language for row in rows}
    days: list[PreviewDay] = []
    groups: list[Group] = []
    day = start
    while day <= on:
        blocks = blocks_on(day)
        decider = Decider(day, go_live)
        todays = buckets.pop(day, [])
        decisions = [row.decide(decider, book, blocks, allowed) for row in todays]
        day_groups = group([d for d in decisions if d.perform is not None])
        summary = PreviewDay(day)
        for row, d in zip(todays, decisions, strict=True):
            if d.perform is not None:
                name = d.perform.name
                summary.by_step[name] += 1
                summary.amount_by_step[name] = summary.amount_by_step.get(name, ZERO) + d.facts.net
            elif d.reason in HELD_REASONS:
                # A shared decision's facts are another invoice's: the row has this one's.
                held = summary.held_amount.get(d.reason, ZERO)
                summary.held[d.reason] += 1
                summary.held_amount[d.reason] = held + row.balance
        for g in day_groups:
            if g.is_task:
                summary.tasks += 1
            else:
                summary.messages += 1
            if g.channel != "rep_alert" and g.step.customer_facing and not g.needs_review:
                allowed[g.customer_id] = day + gap
        days.append(summary)
        for row, decision in zip(todays, decisions, strict=True):
            following = decision.next_action_on
            if following is not None and following <= on:
                row.last_offset = decision.last_offset
                buckets[max(following, day + ONE_DAY)].append(row)
        if day == on:
            groups = day_groups
        day += ONE_DAY
    return Preview(on, groups, days, languages)


class _Row:
    """One invoice in the replay: its facts as loaded, and the last step it reached."""

    __slots__ = (
        "balance",
        "cover",
        "customer_id",
        "customer_status",
        "due_on",
        "invoice_id",
        "is_open",
        "language",
        "last_offset",
        "next_on",
        "risk_class",
    )

    def __init__(
        self,
        invoice_id: int,
        customer_id: int,
        due: dt.date,
        extended: dt.date | None,
        balance: Decimal,
        status: str,
        last_offset: int | None,
        risk_class: str | None,
        customer_status: str,
        language: str | None,
        next_on: dt.date | None,
    ) -> None:
        # The same reading of a facts row as `facts.to_due_row`.
        self.invoice_id, self.customer_id = invoice_id, customer_id
        self.due_on = extended or due
        self.balance, self.is_open = balance, status in OPEN_STATUSES
        self.last_offset = last_offset
        self.risk_class, self.customer_status = risk_class or "", customer_status
        self.language, self.next_on = language or "fr", next_on
        self.cover = ZERO

    def decide(
        self, decider: Decider, book: PlanBook, blocks: Blocks, allowed: dict[int, dt.date]
    ) -> Decision:
        """The decision of the day; the invoice's own only when it performs a step."""
        plan = book.plan_for(self.customer_id, self.risk_class)
        block = blocks.for_invoice(self.invoice_id, self.customer_id, self.customer_status)
        contact = allowed.get(self.customer_id)
        key = decider.situation(
            plan,
            self.due_on,
            self.balance,
            self.is_open,
            self.last_offset,
            block,
            contact,
            self.cover,
        )
        shared = decider.known(key)
        if shared is not None and shared.perform is None:
            return shared
        facts = decider.facts(
            self.invoice_id,
            self.customer_id,
            self.due_on,
            self.balance,
            self.is_open,
            self.last_offset,
            block,
            self.cover,
        )
        if shared is None:
            return decider.learn(key, plan, facts, contact)
        return shared.for_facts(facts)
