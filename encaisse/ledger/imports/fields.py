"""Cell parsers: each turns a non-empty cell into a value or raises ValueError(reason).

Reasons are translated here, once, so that every error a user sees is French-first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from stdnum.eu import vat
from stdnum.exceptions import ValidationError
from stdnum.fr import siren, siret

from encaisse.lib.dates import parse_date
from encaisse.lib.money import parse_amount, round_money

Parser = Callable[[str], Any]


# Line breaks and the other C0 control characters (and DEL, NEL, the Unicode line and
# paragraph separators) in a name would reach email headers and one-line labels:
# refused. Other C1 controls are let through: real exports carry them where a CP850
# letter was misread ("FAISAN DOR\x90" in the Quadra corpus file is "FAISAN DORÉ").
_REFUSED = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")
_REFUSED_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029]")


def control_character(value: str, *, multiline: bool = False) -> str | None:
    """The first refused character of `value`, or None. `isprintable` is the fast path
    (it is also False for a no-break space, which is fine in a name)."""
    if value.isprintable():
        return None
    found = (_REFUSED_MULTILINE if multiline else _REFUSED).search(value)
    return found.group(0) if found else None


def text(max_length: int, *, multiline: bool = False) -> Parser:
    """A text cell. Only `multiline` ones (addresses, free comments) may hold line breaks
    and tabs, written back with plain \\n line ends."""

    def parse(raw: str) -> str:
        value = raw.strip()
        if multiline:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        if len(value) > max_length:
            raise ValueError(_("too long (at most %(n)s characters)") % {"n": max_length})
        char = control_character(value, multiline=multiline)
        if char is not None:
            raise ValueError(
                _("contains a control character (%(char)s, e.g. a line break) that this column "
                  "does not allow") % {"char": f"U+{ord(char):04X}"}
            )  # fmt: skip
        return value

    return parse


_email_text = text(254)


def email(raw: str) -> str:
    value = _email_text(raw)
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValueError(_("not a valid email address: %(value)r") % {"value": value}) from None
    return value


# "1234.56", "-12,5": most cells of a machine-written file; skip the general parser.
_PLAIN_AMOUNT = re.compile(r"-?[0-9]{1,15}(?:[.,][0-9]{1,2})?")
CENT = Decimal("0.01")


# "1,23E+05" is what a spreadsheet writes for a number too wide for its column:
# digits are already lost, so the cell is refused rather than guessed.
_EXPONENT = re.compile(r"[0-9][.,]?\s*[eE]\s*[+-]?\s*[0-9]")


def amount(raw: str) -> Decimal:
    if _PLAIN_AMOUNT.fullmatch(raw):
        return Decimal(raw.replace(",", ".")).quantize(CENT)
    if _EXPONENT.search(raw):
        raise ValueError(
            _("%(value)r is in scientific notation (digits may be lost): write the amount in "
              "full") % {"value": raw}
        )  # fmt: skip
    if "_" in raw or any(char.isdigit() and not char.isascii() for char in raw):
        raise ValueError(_("not an amount: %(value)r") % {"value": raw})
    try:
        value = parse_amount(raw)
    except ValueError:
        raise ValueError(_("not an amount: %(value)r") % {"value": raw}) from None
    if abs(value) >= Decimal("1e16"):
        raise ValueError(_("amount too large: %(value)r") % {"value": raw})
    return round_money(value)


def positive_amount(raw: str) -> Decimal:
    value = amount(raw)
    if value <= 0:
        raise ValueError(_("the amount must be greater than zero (got %(value)s)") % {"value": raw})
    return value


def non_negative_amount(raw: str) -> Decimal:
    value = amount(raw)
    if value < 0:
        raise ValueError(_("the amount cannot be negative (got %(value)s)") % {"value": raw})
    return value


def date(raw: str) -> dt.date:
    text_ = raw.strip()
    # ISO dates are by far the most common; fromisoformat is ~20× faster than strptime.
    if len(text_) == 10 and text_[4] == "-":
        try:
            return dt.date.fromisoformat(text_)
        except ValueError:
            pass
    try:
        return parse_date(text_)
    except ValueError:
        raise ValueError(
            _("not a date: %(value)r (expected YYYY-MM-DD or DD/MM/YYYY)") % {"value": raw}
        ) from None


_INTEGER = re.compile(r"[+-]?[0-9]{1,9}")


def integer(raw: str) -> int:
    # Not int(): it also reads "1_000" and digits of other scripts.
    if not _INTEGER.fullmatch(raw.strip()):
        raise ValueError(_("not a whole number: %(value)r") % {"value": raw})
    value = int(raw.strip())
    if not 0 <= value <= 3650:
        raise ValueError(_("out of range: %(value)r") % {"value": raw})
    return value


def boolean(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "oui", "vrai", "o", "y", "x"}:
        return True
    if value in {"0", "false", "no", "non", "faux", "n"}:
        return False
    raise ValueError(_("expected 1/0, yes/no or oui/non: %(value)r") % {"value": raw})


def choice(*allowed: str) -> Parser:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in allowed:
            raise ValueError(
                _("%(value)r is not one of: %(allowed)s")
                % {"value": raw, "allowed": ", ".join(allowed)}
            )
        return value

    return parse


def upper_code(length: int) -> Parser:
    def parse(raw: str) -> str:
        value = raw.strip().upper()
        if len(value) != length or not value.isalpha():
            raise ValueError(
                _("expected a %(n)s-letter code: %(value)r") % {"n": length, "value": raw}
            )
        return value

    return parse


def _identifier(module: Any, label: str) -> Parser:
    def parse(raw: str) -> str:
        try:
            return str(module.validate(raw))
        except ValidationError:
            raise ValueError(
                _("invalid %(label)s: %(value)r") % {"label": label, "value": raw}
            ) from None

    return parse


_siren_checked = _identifier(siren, "SIREN")
_siret_checked = _identifier(siret, "SIRET")
_vat_checked = _identifier(vat, _("VAT number"))


# Fast paths for identifiers already in canonical form (what software exports):
# python-stdnum spends ~20 µs per number on cleaning and generic checks, seconds
# on a 100 000-customer file. Anything else, valid or not, goes to python-stdnum,
# so the result and the error message are the library's (a test compares them).


def _ascii_digits(text: str, length: int) -> bool:
    return len(text) == length and text.isascii() and text.isdigit()


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def siren_number(raw: str) -> str:
    if _ascii_digits(raw, 9) and _luhn(raw):
        return raw
    return _siren_checked(raw)


def siret_number(raw: str) -> str:
    # La Poste establishments (356000000…) use another checksum: left to python-stdnum.
    if _ascii_digits(raw, 14) and not raw.startswith("356000000") and _luhn(raw) and _luhn(raw[:9]):
        return raw
    return _siret_checked(raw)


def vat_number(raw: str) -> str:
    """French numbers FR + 2-digit key + SIREN fast; Monaco (FR..000…) and others via stdnum."""
    if (
        raw.startswith("FR")
        and _ascii_digits(raw[2:], 11)
        and raw[4:7] != "000"
        and _luhn(raw[4:])
        and int(raw[2:4]) == int(raw[4:] + "12") % 97
    ):
        return raw
    return _vat_checked(raw)


def pipe_list(raw: str) -> list[str]:
    if "|" not in raw:  # a payment settles one invoice, most of the time
        value = raw.strip()
        return [value] if value else []
    return [part.strip() for part in raw.split("|") if part.strip()]
