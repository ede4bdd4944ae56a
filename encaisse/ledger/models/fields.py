"""Shared field factories so every amount has the same precision (CONVENTIONS §5)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _


def money_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    kwargs.setdefault("default", Decimal("0.00"))
    return models.DecimalField(verbose_name, max_digits=18, decimal_places=2, **kwargs)


def currency_field(**kwargs: Any) -> models.CharField:
    kwargs.setdefault("default", "EUR")
    return models.CharField(_("currency"), max_length=3, **kwargs)


def money_sql(expression: Any) -> Round:
    """Round an SQL-side money expression to the cent.

    SQLite evaluates arithmetic on decimal columns in binary floating point
    (3.01 − 0.02 gives 2.9899999999999998). Rounding every computed amount to
    2 places stores the same value that parsing "2.99" would, so equality and
    range checks stay exact; on PostgreSQL (numeric) it changes nothing.
    """
    return Round(expression, 2, output_field=models.DecimalField(max_digits=18, decimal_places=2))
