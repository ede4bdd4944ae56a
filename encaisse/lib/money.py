"""Exact money helpers: Decimal only, explicit rounding, parts that add up to the whole."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Minor units per ISO 4217 currency; anything not listed uses 2.
_MINOR_UNITS = {"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "TND": 3, "JOD": 3}

ZERO = Decimal("0.00")


def minor_units(currency: str) -> int:
    return _MINOR_UNITS.get(currency.upper(), 2)


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def round_money(amount: Decimal, currency: str = "EUR") -> Decimal:
    """Round half-up to the currency's minor unit (SPEC §1.1)."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


_CURRENCY_MARKS = ("€", "£", "$", "EUR", "GBP", "USD", "CHF")


def _without_currency(text: str) -> str:
    """Drop one currency mark at the start ("-€5" keeps its sign) or the end.

    A mark anywhere else stays, and the amount is refused.
    """
    sign, body = ("-", text[1:]) if text.startswith("-") else ("", text)
    for mark in _CURRENCY_MARKS:
        if body.startswith(mark):
            return sign + body[len(mark) :]
        if body.endswith(mark):
            return sign + body[: -len(mark)]
    return text


def parse_amount(raw: str) -> Decimal:
    """Parse an amount written the French or the English way.

    Accepts "1 234,56", "1234.56", "1,234.56", "1.234,56", "-12,5", one
    currency sign or code at either end ("12,50 €", "€12.50", "12 EUR"), and a
    trailing minus ("12,50-") as some accounting exports write it.
    Raises ValueError with a readable reason.
    """
    text = raw.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    text = _without_currency(text)
    if not text:
        raise ValueError("empty amount")
    negative = False
    if text.endswith("-"):
        negative, text = True, text[:-1]
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if "," in text and "." in text:
        # The last separator is the decimal one; the other groups thousands.
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        if text.count(",") > 1:
            raise ValueError(f"ambiguous amount {raw!r}")
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {raw!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not an amount: {raw!r}")
    return -value if negative else value


def split_evenly(total: Decimal, parts: int, currency: str = "EUR") -> list[Decimal]:
    """Split `total` into `parts` rounded amounts whose sum is exactly `total`.

    The rounding remainder goes to the last part (SPEC §1.1).
    """
    if parts <= 0:
        raise ValueError("parts must be positive")
    share = round_money(total / parts, currency)
    amounts = [share] * (parts - 1)
    amounts.append(total - share * (parts - 1))
    return amounts


def format_money(amount: Decimal, currency: str = "EUR", language: str = "fr") -> str:
    """Human formatting without float: "1 234,56 €" (fr) or "€1,234.56" (en)."""
    value = round_money(amount, currency)
    sign = "-" if value < 0 else ""
    units = minor_units(currency)
    whole, _, frac = f"{abs(value):.{units}f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    symbol = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}.get(
        currency.upper(), currency.upper()
    )
    if language.startswith("fr"):
        number = "\u202f".join(groups) + ("," + frac if frac else "")
        return f"{sign}{number}\u00a0{symbol}"
    number = ",".join(groups) + ("." + frac if frac else "")
    if len(symbol) == 1:
        return f"{sign}{symbol}{number}"
    return f"{sign}{number} {symbol}"
