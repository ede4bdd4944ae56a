"""Formatting for the documents Encaisse sends (emails, PDFs), in the message's language."""

from __future__ import annotations

from decimal import Decimal

from django import template

from encaisse.lib.money import format_money

register = template.Library()


@register.simple_tag
def money(amount: Decimal, currency: str, language: str) -> str:
    return format_money(amount, currency, language)
