"""Shared field factories so every amount has the same precision (CONVENTIONS §5)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

from encaisse.lib.text import folded


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


class FoldedKeyField(models.CharField):
    """`source` folded by `lib.text.folded`: the column lists sort by and search in.

    Filled from the source field whenever Django writes the row (save, create,
    bulk_create); raw SQL writers (imports) call `folded` themselves. Compared
    byte by byte on both databases (SQLite's default BINARY; PostgreSQL "C"),
    so that an index on it gives French order with either, and a prefix LIKE
    can use it.
    """

    def __init__(self, *args: Any, source: str = "name", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", FOLDED_MAX_LENGTH)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if kwargs.get("max_length") == FOLDED_MAX_LENGTH:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            parameters["collation"] = "C"
        return parameters

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = folded_key(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


# Folding can lengthen a name ("œ" → "oe", "ß" → "ss"); twice its 200 characters is ample.
FOLDED_MAX_LENGTH = 400


def folded_key(text: str) -> str:
    """The stored key of `text` (truncated to the column, which a pathological name could pass)."""
    return folded(text)[:FOLDED_MAX_LENGTH]
