"""Types every resource shares: money as a decimal string, instants in UTC, and
upsert answers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

# Amounts travel as strings ("1234.50"): a JSON number would be a binary float
# in most clients. Input accepts a string or a number given with at most 2
# decimal places; output is always a string with exactly two.
Money = Annotated[
    Decimal,
    Field(max_digits=18, decimal_places=2),
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d{1,16}\.\d{2}$", "example": "1234.50"}),
]


def _in_utc(value: dt.datetime) -> dt.datetime:
    # ISO 8601 allows offsets up to ±23:59 and PostgreSQL only ±15:59; in UTC
    # the comparison is the same and every database takes it. A naive value is
    # in the server's time zone, as in the web app.
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise PydanticCustomError("datetime_out_of_range", "Date and time out of range.") from None


# A date-time a caller filters on (`updated_since`): any offset, compared in UTC.
Instant = Annotated[dt.datetime, AfterValidator(_in_utc)]


def _wall_clock(value: object) -> object:
    # Pydantic also reads a number as seconds, and keeps an offset; a time of
    # day here is the company's wall-clock time, written as text.
    if isinstance(value, str) and ("+" in value or "-" in value or value.upper().endswith("Z")):
        value = None  # refused below with the message a caller can act on
    if not isinstance(value, (str, dt.time)) or (
        isinstance(value, dt.time) and value.tzinfo is not None
    ):
        raise PydanticCustomError("local_time", "Enter a time of day such as 07:00.")
    return value


# A time of day in the company's time zone ("07:00" or "07:00:00"), no offset.
LocalTime = Annotated[dt.time, BeforeValidator(_wall_clock)]


class Outcome(Schema):
    """What an upsert did to one object: `unchanged` when the body matched."""

    outcome: Literal["created", "updated", "unchanged"]
    id: int
    external_key: str
