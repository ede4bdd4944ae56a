"""Helpers shared by the `encaisse` management commands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def iso_date_option(option: str) -> Callable[[str], dt.date]:
    """An argparse `type` for a YYYY-MM-DD option, with a clear error naming the option."""

    def parse(raw: str) -> dt.date:
        try:
            return dt.date.fromisoformat(raw)
        except ValueError as error:
            raise CommandError(
                _("%(option)s expects a date written YYYY-MM-DD, not %(raw)r")
                % {"option": option, "raw": raw}
            ) from error

    return parse
