"""Types every resource shares: money as a decimal string, and upsert answers."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import PlainSerializer, WithJsonSchema

# Amounts travel as strings ("1234.50"): a JSON number would be a binary float
# in most clients. Input accepts a string or a number given with at most 2
# decimal places; output is always a string with exactly two.
Money = Annotated[
    Decimal,
    Field(max_digits=18, decimal_places=2),
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d{1,16}\.\d{2}$", "example": "1234.50"}),
]


class Outcome(Schema):
    """What an upsert did to one object: `unchanged` when the body matched."""

    outcome: Literal["created", "updated", "unchanged"]
    id: int
    external_key: str
