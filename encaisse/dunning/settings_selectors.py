"""The company and dunning settings as plain typed data, as much as a user may see.

Everybody signed in reads the company's identity and payment terms (they are
printed on every reminder); the dunning knobs, the cash application settings
and the go-live policy are finance's (admins and finance), who change them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from encaisse.accounts.models import User
from encaisse.dunning.models import DunningSettings
from encaisse.ledger.models import Company


@dataclass(frozen=True, slots=True)
class CompanyIdentity:
    legal_name: str
    siren: str
    vat_number: str
    address: str
    iban: str
    bic: str
    email: str
    phone: str
    currency: str
    language: str


@dataclass(frozen=True, slots=True)
class CompanyTerms:
    default_terms_days: int
    default_terms_end_of_month: bool


@dataclass(frozen=True, slots=True)
class CashSettings:
    cash_auto_apply: bool
    amount_tolerance: Decimal


@dataclass(frozen=True, slots=True)
class DunningKnobs:
    run_at: dt.time
    freshness_max_hours: int
    promise_grace_days: int
    notice_deadline_days: int
    contractual_penalty_rate: Decimal | None
    legal_interest_rate: Decimal
    recovery_indemnity: Decimal
    claim_penalties: bool
    max_delivery_attempts: int
    min_contact_gap_days: int


@dataclass(frozen=True, slots=True)
class GoLivePolicy:
    go_live_on: dt.date | None
    mode: str  # a BacklogMode value
    ceiling_offset: int | None
    first_run_confirmed_at: dt.datetime | None
    first_run_confirmed_by_id: int | None


@dataclass(frozen=True, slots=True)
class SettingsView:
    identity: CompanyIdentity
    terms: CompanyTerms
    cash: CashSettings | None  # None: not the viewer's to see
    dunning: DunningKnobs | None
    go_live: GoLivePolicy | None


def _fields(obj: object, names: tuple[str, ...]) -> dict[str, object]:
    return {name: getattr(obj, name) for name in names}


def settings_visible_to(user: User) -> SettingsView:
    company = Company.current()
    identity = CompanyIdentity(**_fields(company, CompanyIdentity.__slots__))  # type: ignore[arg-type]
    terms = CompanyTerms(**_fields(company, CompanyTerms.__slots__))  # type: ignore[arg-type]
    if not user.sees_whole_ledger:
        return SettingsView(identity, terms, None, None, None)
    policy = DunningSettings.current()
    knobs = _fields(policy, tuple(n for n in DunningKnobs.__slots__ if n != "min_contact_gap_days"))
    return SettingsView(
        identity,
        terms,
        CashSettings(**_fields(company, CashSettings.__slots__)),  # type: ignore[arg-type]
        DunningKnobs(**knobs, min_contact_gap_days=company.min_contact_gap_days),  # type: ignore[arg-type]
        GoLivePolicy(
            policy.go_live_on,
            policy.backlog_mode,
            policy.backlog_ceiling_offset,
            policy.first_run_confirmed_at,
            policy.first_run_confirmed_by_id,
        ),
    )
