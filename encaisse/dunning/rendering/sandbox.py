"""Sandboxed rendering of user-editable templates (SPEC §4.4).

A template is text with `{{ name }}` slots. Only the names in `PLACEHOLDERS`
exist; there are no tags, filters, attribute access or expressions, so a
template can neither run code nor reach data it was not given. Anything
that looks like template syntax but is not a known slot is refused when the
template is saved, and again (defensively) when it is rendered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

PLACEHOLDERS = {
    "company_name": _("Your company's legal name"),
    "company_address": _("Your company's address"),
    "company_email": _("Your company's reminder email"),
    "company_phone": _("Your company's phone"),
    "company_iban": _("Your company's IBAN"),
    "company_bic": _("Your company's BIC"),
    "company_siren": _("Your company's SIREN"),
    "customer_name": _("The customer's name"),
    "customer_code": _("The customer's account code"),
    "contact_name": _("The contact's name (or a polite greeting)"),
    "account_manager_name": _("The account manager's name"),
    "account_manager_email": _("The account manager's email"),
    "account_manager_phone": _("The account manager's phone"),
    "sender_name": _("Who signs the message"),
    "invoices_table": _("The table of invoices concerned, with their open balances"),
    "invoice_count": _("Number of invoices concerned"),
    "total_due": _("Total open balance of those invoices"),
    "oldest_due_date": _("Oldest due date"),
    "max_days_late": _("Largest number of days late"),
    "penalties_total": _("Late penalties (French law)"),
    "indemnity_total": _("Fixed recovery indemnities (EUR 40 per invoice)"),
    "total_claimed": _("Principal + penalties + indemnities"),
    "on_account_total": _("Cash on account deducted from the invoices (payments being matched)"),
    "notice_deadline": _("Payment deadline of a formal notice"),
    "today": _("Today's date"),
    "portal_url": _(
        "The customer's personal portal link (open invoices, statement, how to pay); "
        "letters also print it as a QR code"
    ),
}

_SLOT = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_SYNTAX = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|\{\{|\}\}|\{%|%\}", re.DOTALL)


class TemplateRefused(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def template_errors(text: str) -> list[str]:
    """Every reason `text` is not an acceptable template (empty list: it is)."""
    errors: list[str] = []
    for match in _SYNTAX.finditer(text):
        token = match.group(0)
        slot = _SLOT.fullmatch(token)
        if slot is None:
            errors.append(
                str(_("“%(token)s” is not allowed: only {{ placeholder }} slots are."))
                % {"token": token[:40]}
            )
        elif slot.group(1) not in PLACEHOLDERS:
            errors.append(str(_("Unknown placeholder “%(name)s”.")) % {"name": slot.group(1)})
    return errors


def slots(text: str) -> set[str]:
    """The placeholders `text` uses."""
    return set(_SLOT.findall(text))


def render_text(text: str, values: Mapping[str, str]) -> str:
    _check(text)
    return _SLOT.sub(lambda m: values.get(m.group(1), ""), text)


def render_html(text: str, values: Mapping[str, str], html_values: Mapping[str, str]) -> str:
    """HTML version: the template's own text and every value escaped, except the
    pieces of HTML we build ourselves (`html_values`, e.g. the invoices table),
    which are inserted after the text's line breaks became paragraphs."""
    _check(text)
    blocks: list[str] = []

    def slot(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in html_values:
            blocks.append(html_values[name])
            return f"\x00{len(blocks) - 1}\x00"
        return values.get(name, "").replace("\x00", "")

    # NUL marks our own blocks: none may come from the template or a value.
    escaped = escape(_SLOT.sub(slot, text.replace("\x00", "")))
    html = []
    for paragraph in escaped.split("\n\n"):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if re.fullmatch(r"\x00\d+\x00", paragraph):
            html.append(paragraph)  # a block of our own: not wrapped in <p>
        else:
            html.append(f"<p>{paragraph.replace(chr(10), '<br>')}</p>")
    return re.sub(r"\x00(\d+)\x00", lambda m: blocks[int(m.group(1))], "".join(html))


def _check(text: str) -> None:
    errors = template_errors(text)
    if errors:
        raise TemplateRefused(errors)
