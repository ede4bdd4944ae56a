"""Small server-side SVG bar charts for the root-cause page (no JavaScript)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import dateformat

from encaisse.resolution.selectors.dispute_causes import Row

ROW_HEIGHT = 28
LABEL_WIDTH = 270
BAR_SPACE = 300  # the longest bar; its count is written after it
COLUMN = 48
CHART_HEIGHT = 170


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    x: int
    y: int
    width: int
    height: int


def horizontal(rows: list[Row]) -> tuple[list[Bar], int]:
    """One bar per row under its label; returns the bars and the chart's height."""
    top = max((row.count for row in rows), default=0) or 1
    bars = [
        Bar(
            label=row.label if len(row.label) <= 38 else row.label[:37] + "…",
            count=row.count,
            x=LABEL_WIDTH,
            y=index * ROW_HEIGHT,
            width=max(2, round(BAR_SPACE * row.count / top)),
            height=18,
        )
        for index, row in enumerate(rows)
    ]
    return bars, len(rows) * ROW_HEIGHT + 8


def vertical(rows: list[Row]) -> tuple[list[Bar], int]:
    """One column per month (its short name), scaled to the busiest one; and the width."""
    top = max((row.count for row in rows), default=0) or 1
    bars = []
    for index, row in enumerate(rows[-13:]):
        height = round((CHART_HEIGHT - 30) * row.count / top)
        bars.append(
            Bar(
                label=dateformat.format(row.key, "M y")
                if isinstance(row.key, dt.date)
                else row.label,
                count=row.count,
                x=index * COLUMN + 4,
                y=CHART_HEIGHT - height,
                width=36,
                height=height,
            )
        )
    return bars, max(len(bars) * COLUMN + 8, 240)
