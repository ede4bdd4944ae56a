"""Named people, so that authorization tests read like sentences (CONVENTIONS §8).

- ada: administrator
- alice: finance
- bob: sales rep in team North (led by dave)
- carol: sales rep in team South
- dave: manager, leads team North (sees bob's portfolio, not carol's)
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from encaisse.accounts.models import Role, Team, User
from encaisse.ledger.models import Customer, Invoice
from encaisse.ledger.services import customer_create, invoice_create
from tests.smtp import smtp_inbox  # noqa: F401  (a real SMTP server, shared fixture)

PASSWORD = "correct-horse-battery"


def _user(username: str, role: str, team: Team | None = None) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@encaisse.test",
        first_name=username.capitalize(),
        role=role,
        team=team,
    )
    return user


@pytest.fixture
def ada(db: None) -> User:
    return _user("ada", Role.ADMIN)


@pytest.fixture
def alice(db: None) -> User:
    return _user("alice", Role.FINANCE)


@pytest.fixture
def dave(db: None) -> User:
    return _user("dave", Role.MANAGER)


@pytest.fixture
def north(dave: User) -> Team:
    team = Team.objects.create(name="North", lead=dave)
    dave.team = team
    dave.save(update_fields=["team"])
    return team


@pytest.fixture
def south(db: None) -> Team:
    return Team.objects.create(name="South")


@pytest.fixture
def bob(north: Team) -> User:
    return _user("bob", Role.SALES, north)


@pytest.fixture
def carol(south: Team) -> User:
    return _user("carol", Role.SALES, south)


@pytest.fixture
def everyone(ada: User, alice: User, bob: User, carol: User, dave: User) -> dict[str, User]:
    return {"ada": ada, "alice": alice, "bob": bob, "carol": carol, "dave": dave}


_counter = itertools.count(1)


def make_customer(owner: User | None, name: str | None = None, **fields: object) -> Customer:
    n = next(_counter)
    return customer_create(
        actor=None,
        external_key=f"C{n:05d}",
        name=name or f"Client {n}",
        account_manager=owner,
        **fields,
    )


def make_invoice(
    customer: Customer,
    amount: str | Decimal = "100.00",
    *,
    issue: dt.date = dt.date(2026, 1, 10),
    due: dt.date | None = dt.date(2026, 2, 9),
    number: str | None = None,
) -> Invoice:
    n = next(_counter)
    return invoice_create(
        actor=None,
        customer=customer,
        number=number or f"F{n:06d}",
        issue_date=issue,
        due_date=due,
        amount=Decimal(amount),
    )


@pytest.fixture
def bobs_customer(bob: User) -> Customer:
    return make_customer(bob, "Boulangerie Bob")


@pytest.fixture
def carols_customer(carol: User) -> Customer:
    return make_customer(carol, "Carrosserie Carol")
