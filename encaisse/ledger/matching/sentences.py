"""The reasons and confidence levels of suggestions, as sentences in the reader's language."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import (
    get_language,
    gettext_lazy,
    ngettext,
    pgettext,
    pgettext_lazy,
)
from django.utils.translation import gettext as _

from encaisse.ledger.matching.types import Confidence, Reason, ReasonCode, TextSource
from encaisse.lib.money import format_money

CONFIDENCE_LABELS = {
    Confidence.CERTAIN: pgettext_lazy("match confidence", "Certain"),
    Confidence.HIGH: pgettext_lazy("match confidence", "High"),
    Confidence.MEDIUM: pgettext_lazy("match confidence", "Medium"),
    Confidence.LOW: pgettext_lazy("match confidence", "Low"),
}
PLACES = {
    TextSource.REMITTANCE: gettext_lazy("the remittance text"),
    TextSource.BANK_REFERENCE: gettext_lazy("the bank reference"),
    TextSource.REASON: gettext_lazy("the credit note's reason"),
    TextSource.LABEL: gettext_lazy("the bank statement label"),
}


def confidence_label(confidence: Confidence) -> str:
    return str(CONFIDENCE_LABELS[confidence])


def _money(amount: Decimal, currency: str) -> str:
    return format_money(amount, currency, get_language() or "fr")


def reason_sentence(reason: Reason, currency: str) -> str:
    """One sentence: why these invoices, and what stays on account."""
    numbers = ", ".join(reason.numbers)
    code = reason.code
    if code is ReasonCode.REFERENCE:
        places = _(" and ").join(str(PLACES[source]) for source in reason.where)
        text = ngettext(
            "Invoice number %(numbers)s found in %(places)s",
            "Invoice numbers %(numbers)s found in %(places)s",
            len(reason.numbers),
        ) % {"numbers": numbers, "places": places}
        if reason.ambiguous:
            text += _(" (it also reads as another invoice's number)")
        if reason.partial:
            text += _(": a partial payment")
    elif code is ReasonCode.ONLY_INVOICE:
        text = _("The customer's only open invoice, %(number)s, for exactly the amount") % {
            "number": numbers
        }
    elif code is ReasonCode.EXACT_AMOUNT:
        if reason.count > 1:
            text = ngettext(
                "Exact amount of invoice %(number)s (%(count)s invoice has this balance)",
                "Exact amount of invoice %(number)s (%(count)s invoices have this balance)",
                reason.count,
            ) % {"number": numbers, "count": reason.count}
        else:
            text = _("Exact amount of invoice %(number)s") % {"number": numbers}
    elif code is ReasonCode.WHOLE_BALANCE:
        text = ngettext(
            "The amount equals the customer's whole open balance (%(count)s invoice)",
            "The amount equals the customer's whole open balance (%(count)s invoices)",
            reason.count,
        ) % {"count": reason.count}
    elif code is ReasonCode.COMBINATION:
        text = ngettext(
            "%(count)s invoice sums to the amount: %(numbers)s",
            "%(count)s invoices sum to the amount: %(numbers)s",
            reason.count,
        ) % {"count": reason.count, "numbers": numbers}
    elif code is ReasonCode.OLDEST_FIRST:
        text = _("Oldest first: %(numbers)s") % {"numbers": numbers}
    else:
        text = pgettext("match reason", "split by hand")
    if reason.remainder > 0:
        text += _("; %(amount)s stay on account") % {"amount": _money(reason.remainder, currency)}
    return text
