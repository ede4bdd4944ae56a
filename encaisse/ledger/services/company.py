"""Changing the company's settings (the singleton `Company`), one group at a time.

Every interface (the web pages, the admin, the REST API, the CLI) goes through
these services: they validate every field given, raise `ValidationFailed`
listing all the bad ones at once, write only the fields that changed, and
record old → new in the timeline. A field left to None is unchanged.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.eu import vat as stdnum_vat
from stdnum.exceptions import ValidationError as NumberInvalid
from stdnum.fr import siren as stdnum_siren

from encaisse.accounts.models import User
from encaisse.collab.services import activity_record
from encaisse.ledger.models import Company
from encaisse.lib.changes import Changes, assign_changes, changes_payload, given
from encaisse.lib.errors import Message, ValidationFailed

MAX_TERMS_DAYS = 365  # L441-10: 60 days at most by contract; a year leaves room for any plan
MAX_TOLERANCE = Decimal("1000.00")


def _locked(company: Company | None) -> Company:
    # Locked so that two editors saving different fields never lose one another's.
    pk = company.pk if company is not None else Company.current().pk
    return Company.objects.select_for_update().get(pk=pk)


def _save(*, actor: User | None, company: Company, group: str, values: dict[str, Any]) -> Company:
    changes: Changes = assign_changes(company, values)
    if changes:
        company.save(update_fields=list(changes))
        activity_record(
            verb="ledger.company.updated",
            actor=actor,
            payload={"group": group, "changes": changes_payload(changes)},
        )
    return company


def _number(
    errors: dict[str, list[Message]], field: str, raw: str, module: Any, message: Message
) -> str:
    """A legal or bank identifier in its compact form ("" stays ""); bad: an error."""
    if not raw.strip():
        return ""
    try:
        return str(module.validate(raw))
    except NumberInvalid:
        errors.setdefault(field, []).append(message)
        return raw


@transaction.atomic
def company_identity_update(
    *,
    actor: User | None,
    company: Company | None = None,
    legal_name: str | None = None,
    siren: str | None = None,
    vat_number: str | None = None,
    address: str | None = None,
    iban: str | None = None,
    bic: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    currency: str | None = None,
    language: str | None = None,
) -> Company:
    """Name, legal identifiers, address, bank details and contact of the company.

    Identifiers are stored compact (no spaces) once python-stdnum has checked them.
    """
    values = company_identity_check(given(locals() | {"actor": None, "company": None}))
    return _save(actor=actor, company=_locked(company), group="identity", values=values)


def company_identity_check(values: dict[str, Any]) -> dict[str, Any]:
    """The identity values normalised (trimmed, identifiers compact), or ValidationFailed."""
    values = dict(values)
    errors: dict[str, list[Message]] = {}
    if "legal_name" in values:
        values["legal_name"] = values["legal_name"].strip()
        if not values["legal_name"]:
            errors["legal_name"] = [_("The legal name is required.")]
        elif len(values["legal_name"]) > 200:
            errors["legal_name"] = [_("The legal name is at most 200 characters.")]
    checks = {
        "siren": (stdnum_siren, _("The SIREN is 9 digits with a valid check digit.")),
        "vat_number": (stdnum_vat, _("This is not a valid European VAT number.")),
        "iban": (stdnum_iban, _("This is not a valid IBAN.")),
        "bic": (stdnum_bic, _("This is not a valid BIC.")),
    }
    for field, (module, message) in checks.items():
        if field in values:
            values[field] = _number(errors, field, values[field], module, message)
    if "email" in values:
        values["email"] = values["email"].strip()
        try:
            if values["email"]:
                validate_email(values["email"])
        except ValidationError:
            errors["email"] = [_("Enter a valid email address for the reminders' sender.")]
    if "phone" in values:
        values["phone"] = values["phone"].strip()
        if len(values["phone"]) > 40:
            errors["phone"] = [_("The phone number is at most 40 characters.")]
    if "currency" in values:
        values["currency"] = values["currency"].strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", values["currency"]):
            errors["currency"] = [_("The currency is a three-letter ISO 4217 code, e.g. EUR.")]
    if "language" in values and values["language"] not in dict(settings.LANGUAGES):
        errors["language"] = [
            _("The language is one of: %(codes)s.") % {"codes": ", ".join(dict(settings.LANGUAGES))}
        ]
    if errors:
        raise ValidationFailed(errors)
    return values


@transaction.atomic
def company_terms_update(
    *,
    actor: User | None,
    company: Company | None = None,
    default_terms_days: int | None = None,
    default_terms_end_of_month: bool | None = None,
) -> Company:
    """The payment terms given to invoices imported without a due date."""
    values = given(locals() | {"actor": None, "company": None})
    errors: dict[str, list[Message]] = {}
    days = values.get("default_terms_days")
    if days is not None and not (0 <= days <= MAX_TERMS_DAYS):
        errors["default_terms_days"] = [
            _("The default payment terms are between 0 and %(max)s days.") % {"max": MAX_TERMS_DAYS}
        ]
    if errors:
        raise ValidationFailed(errors)
    return _save(actor=actor, company=_locked(company), group="terms", values=values)


@transaction.atomic
def company_settings_update(
    *,
    actor: User | None,
    company: Company | None = None,
    cash_auto_apply: bool | None = None,
    amount_tolerance: Decimal | None = None,
) -> Company:
    """Cash application settings: apply unambiguous matches after imports, tolerance."""
    values = company_cash_check(given(locals() | {"actor": None, "company": None}))
    return _save(actor=actor, company=_locked(company), group="cash", values=values)


def company_terms_check(values: dict[str, Any]) -> dict[str, Any]:
    days = values.get("default_terms_days")
    if days is not None and not (0 <= days <= MAX_TERMS_DAYS):
        raise ValidationFailed.single(
            "default_terms_days",
            _("The default payment terms are between 0 and %(max)s days.")
            % {"max": MAX_TERMS_DAYS},
        )
    return dict(values)


def company_cash_check(values: dict[str, Any]) -> dict[str, Any]:
    tolerance = values.get("amount_tolerance")
    if tolerance is not None and not (Decimal("0") <= tolerance <= MAX_TOLERANCE):
        raise ValidationFailed.single(
            "amount_tolerance",
            _("The amount tolerance is between 0 and %(max)s.") % {"max": MAX_TOLERANCE},
        )
    return dict(values)


# The fields of each settings group, for interfaces that edit several at once (the admin).
IDENTITY_FIELDS = (
    "legal_name", "siren", "vat_number", "address", "iban", "bic", "email", "phone",
    "currency", "language",
)  # fmt: skip
TERMS_FIELDS = ("default_terms_days", "default_terms_end_of_month")
CASH_FIELDS = ("cash_auto_apply", "amount_tolerance")
