"""Template filters for the dunning pages: codes in words (see web.dunning_labels)."""

from __future__ import annotations

from django import template

from encaisse.dunning.services.explain import Explanation
from encaisse.web import dunning_labels

register = template.Library()


@register.filter
def step_status(status: str) -> str:
    return dunning_labels.step_status(status)


@register.filter
def dunning_detail(code: str) -> str:
    return dunning_labels.detail(code) if code else ""


@register.filter
def block_label(code: str) -> str:
    return dunning_labels.block(code)


@register.filter
def action_label(code: str) -> str:
    return dunning_labels.action(code)


@register.filter
def offset_label(days: int) -> str:
    return dunning_labels.offset(days)


@register.filter
def short_offset(days: int) -> str:
    return dunning_labels.short_offset(days)


@register.simple_tag
def state_why(explanation: Explanation) -> str:
    """`{% state_why explanation %}`: why the invoice is where it is.

    An invoice the run has not enrolled yet (not due under any plan, or issued
    since the last run) has no state: today's decision says why, unless it
    performs a step, which the next run will do.
    """
    state = explanation.state
    if not explanation.invoice.is_open:  # a parked state is not revisited once paid
        return dunning_labels.why("settled", {})
    if state is not None:
        return dunning_labels.why(state.reason, state.reason_params)
    today = explanation.today
    if today.perform is None:
        return dunning_labels.why(today.reason, today.params)
    return dunning_labels.why("new", {})
