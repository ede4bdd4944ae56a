"""What the simulator knows of the company it replays: who pays how, who is invoiced how often.

Loaded once per simulation from the database, with the seed:
- each customer's behaviour: re-derived from its demo key (`C000123` is the
  generator's customer 122, whose behaviour is the first draw of its own
  random stream); a customer from elsewhere falls back on its risk class;
- its typical invoice (median amount excl. tax of its invoices) and its share
  of new invoices (its invoices of the last year);
- the daily invoicing rate: invoices issued in the 13 weeks before;
- the next document numbers, continuing the generator's series.

"Before" is the last day of the generated history when the loader recorded
it, so that the simulator's own invoices never feed back into the rates:
replaying 30 days at once or 10 days three times gives the same history.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import statistics
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max
from django.db.models.functions import Substr

from encaisse.accounts.models import Role, User
from encaisse.collab.models import Activity
from encaisse.demo.behaviours import Behaviour
from encaisse.demo.generator import DEFAULT_SEED, customer_behaviour
from encaisse.ledger.models import CreditNote, Customer, Invoice, Payment
from encaisse.ledger.models.customer import CustomerStatus

_DEMO_KEY = re.compile(r"C(\d{6})")
_BY_RISK_CLASS = {
    "A": Behaviour.PROMPT,
    "B": Behaviour.SLOW,
    "C": Behaviour.CHRONIC_LATE,
    "D": Behaviour.DEFAULTER,
}
RATE_WINDOW_DAYS = 91
_TYPICAL_EXCL_CENTS = 110_000.0
_VAT_FACTOR = Decimal("1.2")  # the generator's median invoice, for a customer without any


@dataclass(slots=True)
class Account:
    """One customer as the simulator sees it."""

    customer: Customer
    behaviour: Behaviour
    typical_excl_cents: float
    weight: int  # invoices issued in the year before the start: its share of new ones

    @property
    def key(self) -> str:
        return self.customer.external_key


@dataclass(slots=True)
class World:
    seed: int
    accounts: dict[int, Account]  # by customer id
    daily_rate: float
    invoice_numbers: Iterator[int]
    credit_note_numbers: Iterator[int]
    payment_numbers: Iterator[int]
    finance: User | None  # who reviews messages and does finance's tasks
    invoiced: list[Account] = field(default_factory=list)  # active accounts, by key

    @classmethod
    def load(cls, seed: int, start: dt.date) -> World:
        generated = loaded_demo().today
        until = generated + dt.timedelta(days=1) if generated else start
        accounts = _accounts(seed, until)
        recent = Invoice.objects.filter(
            issue_date__gte=until - dt.timedelta(days=RATE_WINDOW_DAYS), issue_date__lt=until
        ).count()
        world = cls(
            seed=seed,
            accounts=accounts,
            daily_rate=recent / RATE_WINDOW_DAYS,
            invoice_numbers=itertools.count(_next(Invoice, "number", r"^FA[0-9]{4}-[0-9]{7}$", 8)),
            credit_note_numbers=itertools.count(
                _next(CreditNote, "number", r"^AV[0-9]{4}-[0-9]{6}$", 8)
            ),
            payment_numbers=itertools.count(_next(Payment, "external_key", r"^PAY[0-9]{8}$", 4)),
            finance=User.objects.filter(role=Role.FINANCE, is_active=True).order_by("pk").first(),
        )
        world.invoiced = sorted(
            (
                a
                for a in accounts.values()
                if a.weight and a.customer.status == CustomerStatus.ACTIVE
            ),
            key=lambda a: a.key,
        )
        return world


def behaviour_of(seed: int, customer: Customer) -> Behaviour:
    match = _DEMO_KEY.fullmatch(customer.external_key)
    if match:
        return customer_behaviour(seed, int(match.group(1)) - 1)
    return _BY_RISK_CLASS.get(customer.risk_class, Behaviour.SLOW)


def _accounts(seed: int, until: dt.date) -> dict[int, Account]:
    """Every customer: behaviour, typical invoice and share, from the invoices before `until`."""
    sizes: dict[int, list[int]] = defaultdict(list)
    weights: dict[int, int] = defaultdict(int)
    year_ago = until - dt.timedelta(days=365)
    rows = Invoice.objects.filter(issue_date__lt=until).values_list(
        "customer_id", "amount", "amount_excl_tax", "issue_date"
    )
    for customer_id, amount, excl, issued in rows.iterator(chunk_size=5000):
        sizes[customer_id].append(int((excl if excl is not None else amount / _VAT_FACTOR) * 100))
        if issued >= year_ago:
            weights[customer_id] += 1
    return {
        customer.pk: Account(
            customer=customer,
            behaviour=behaviour_of(seed, customer),
            typical_excl_cents=float(statistics.median(sizes[customer.pk]))
            if sizes[customer.pk]
            else _TYPICAL_EXCL_CENTS,
            weight=weights[customer.pk],
        )
        for customer in Customer.objects.select_related("account_manager").order_by("external_key")
    }


def _next(model: type[Invoice | CreditNote | Payment], column: str, shape: str, at: int) -> int:
    """The next number of a zero-padded series (the padding makes text order numeric)."""
    found = (
        model.objects.filter(**{f"{column}__regex": shape})
        .aggregate(top=Max(Substr(column, at)))
        .get("top")
    )
    return int(found) + 1 if found else 1


@dataclass(frozen=True, slots=True)
class LoadedDemo:
    """The generator's inputs, as the loader recorded them in its `demo.loaded` entry."""

    seed: int = DEFAULT_SEED
    today: dt.date | None = None  # the last day of the generated history


def loaded_demo() -> LoadedDemo:
    payload = (
        Activity.objects.filter(verb="demo.loaded")
        .order_by("-created_at", "-id")
        .values_list("payload", flat=True)
        .first()
    )
    if not isinstance(payload, dict):
        return LoadedDemo()
    seed, today = payload.get("seed"), payload.get("today")
    return LoadedDemo(
        seed=seed if isinstance(seed, int) else DEFAULT_SEED,
        today=dt.date.fromisoformat(today) if isinstance(today, str) else None,
    )
