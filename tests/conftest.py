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
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.test import Client
from django.utils import translation

from encaisse.accounts.models import Role, Team, User
from encaisse.dunning.defaults import install_defaults
from encaisse.dunning.models import DunningSettings, MessageTemplate
from encaisse.ledger.models import Company, Customer, Invoice
from encaisse.ledger.services import customer_create, invoice_create
from tests.smtp import smtp_inbox, smtp_server  # noqa: F401  (a real SMTP server, shared fixtures)

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the project's default language.

    The active language is thread-local: a request through LocaleMiddleware
    (an English user's page) leaves it activated for the next test on the same
    xdist worker, so a message checked in French would depend on test order.
    """
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _migrated_defaults(request: pytest.FixtureRequest) -> None:
    """Every database test starts with the rows the data migrations install
    (default dunning plan, templates, rate table).

    A transactional test (live server, worker processes) ends with a flush
    that empties every table, migrated data included; the next test on the
    same xdist worker would then find no default plan.
    """
    marker = request.node.get_closest_marker("django_db")
    uses_db = marker is not None or {"db", "transactional_db"} & set(request.fixturenames)
    if not uses_db:
        return
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction", False)
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    if not MessageTemplate.objects.exists():  # a flush empties all tables at once
        install_defaults(django_apps)
    # A company past its first run, as the demo company is: the tests of the
    # go-live gate (tests/dunning/test_go_live.py) take the confirmation back.
    DunningSettings.objects.update_or_create(
        pk=1, defaults={"first_run_confirmed_at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC)}
    )
    Company.current()  # the singletons exist in any database past its first page


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
def superuser_client(client: Client, ada: User) -> Client:
    """The test client signed in as ada with the Django admin's rights."""
    ada.is_staff = ada.is_superuser = True
    ada.save()
    client.force_login(ada)
    return client


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
