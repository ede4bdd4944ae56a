"""Template filters for the dunning pages: codes in words (see web.dunning_labels)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from encaisse.dunning.services.explain_report import DunningReport
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
def state_why(report: DunningReport) -> str:
    """`{% state_why explanation %}`: why the invoice is where it is, from the
    decision the engine would take today (the same as the preview's)."""
    return dunning_labels.explanation_why(report)


@register.simple_tag
def held_line(reason: str, figures: tuple[int, Decimal]) -> str:
    """`{% held_line reason figures %}`: invoices a run leaves alone, and why."""
    return dunning_labels.held(reason, *figures)


@register.simple_tag
def state_waiting(report: DunningReport) -> str:
    """`{% state_waiting explanation %}`: what the invoice waits for when no step has a date."""
    return dunning_labels.waiting_for(report)
