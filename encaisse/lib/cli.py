"""Helpers shared by the `encaisse` management commands."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import formats
from django.utils.translation import gettext as _

from encaisse.lib.errors import Conflict, ValidationFailed


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


def add_language_option(parser: ArgumentParser) -> None:
    """`--language fr|en`: the language of a command's report, over the default
    (the --user's language, else the company's: `ledger.language.language_for`)."""
    parser.add_argument(
        "--language",
        choices=[code for code, _name in settings.LANGUAGES],
        default=None,
        help=_("language of the report (default: the user's, else the company's)"),
    )


def number(value: int | Decimal, places: int | None = None) -> str:
    """A count or a figure for a report, in the active language: "1 234" / "1,234"."""
    return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def labelled(label: object, value: object) -> str:
    """ "label: value", with the space French puts before the colon."""
    return _("%(label)s: %(value)s") % {"label": label, "value": value}


def command_error(error: ValidationFailed | Conflict) -> CommandError:
    """A service's refusal as a command's error: one "field: message" line per
    problem (exit status 2 for bad input, 1 for a conflict with the data)."""
    if isinstance(error, Conflict):
        return CommandError(error.message, returncode=1)
    lines = [
        labelled(field, message) if field else message
        for field, messages in error.errors.items()
        for message in messages
    ]
    return CommandError("\n".join(lines), returncode=2)
