"""Shared demo parameters: a fixed `today`, so that every run writes the same files."""

from __future__ import annotations

import datetime as dt

TODAY = dt.date(2026, 11, 24)
