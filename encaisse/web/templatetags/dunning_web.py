"""Template filters for the dunning pages: codes in words (see web.dunning_labels)."""

from __future__ import annotations

from typing import Any

from django import template

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
def state_why(state: Any) -> str:
    """`{% state_why explanation.state %}`: why the invoice is where it is."""
    if state is None:
        return dunning_labels.why("new", {})
    return dunning_labels.why(state.reason, state.reason_params)
