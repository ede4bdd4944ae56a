"""The promise, extension and hold actions of the web pages, by role.

A rep acts on his own customers only (another's is a 404), cannot cancel,
release or decide (403); the manager reads (403 on every action); finance does
everything. Bad input re-renders the panel with a clear message and writes nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from encaisse.accounts.models import User
from encaisse.dunning.models import Hold, HoldReason
from encaisse.dunning.services.holds import hold_place
from encaisse.resolution.models import Extension, ExtensionStatus, Promise, PromiseStatus
from encaisse.resolution.services.extensions import extension_request
from encaisse.resolution.services.promises import promise_make
from tests.web.conftest import TODAY, Portfolio

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
LATER = (TODAY + dt.timedelta(days=10)).isoformat()


@pytest.fixture(autouse=True)
def _today() -> object:
    with time_machine.travel(TODAY, tick=False):
        yield


def as_(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def promise_post(client: Client, portfolio: Portfolio, **data: str) -> object:
    url = reverse("customer_promise_new", args=[portfolio.customer.pk])
    return client.post(url, {"amount": "100.00", "promised_on": LATER, **data}, headers=HTMX)


@pytest.mark.parametrize(
    ("who", "owner", "status"),
    [
        ("alice", "bob", 200),
        ("ada", "carol", 200),
        ("bob", "bob", 200),
        ("bob", "carol", 404),
        ("carol", "bob", 404),
        ("dave", "bob", 403),
        ("dave", "carol", 404),
    ],
)
def test_who_records_a_promise(
    client: Client,
    everyone: dict[str, User],
    bobs: Portfolio,
    carols: Portfolio,
    who: str,
    owner: str,
    status: int,
) -> None:
    portfolio = {"bob": bobs, "carol": carols}[owner]
    response = promise_post(as_(client, everyone[who]), portfolio)
    assert response.status_code == status  # type: ignore[attr-defined]
    assert Promise.objects.filter(customer=portfolio.customer).exists() == (status == 200)


def test_the_panel_shows_the_new_promise(client: Client, bob: User, bobs: Portfolio) -> None:
    response = promise_post(as_(client, bob), bobs)
    text = response.content.decode()  # type: ignore[attr-defined]
    assert 'id="promises-panel"' in text and "Promesse enregistrée" in text
    promise = Promise.objects.get(customer=bobs.customer)
    assert promise.status == PromiseStatus.OPEN and promise.created_by == bob


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"promised_on": (TODAY - dt.timedelta(days=1)).isoformat()}, "dans le passé"),
        ({"amount": "99999.00"}, "au-dessus de ce qui est dû"),
        ({"amount": "0"}, "supérieur à zéro"),
        ({"promised_on": "31/02/2026"}, "date valide"),
    ],
)
def test_bad_promises_show_the_error_and_write_nothing(
    client: Client, bob: User, bobs: Portfolio, data: dict[str, str], field_message: str
) -> None:
    response = promise_post(as_(client, bob), bobs, **data)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert field_message in response.content.decode()  # type: ignore[attr-defined]
    assert not Promise.objects.exists() and not Hold.objects.exists()


def test_a_second_open_promise_is_refused_on_the_page(
    client: Client, bob: User, bobs: Portfolio
) -> None:
    promise_make(actor=bob, customer=bobs.customer, amount=100, promised_on=TODAY)  # type: ignore[arg-type]
    response = promise_post(as_(client, bob), bobs)
    # The panel shows the open promise; the form is gone, the error is said.
    assert "déjà une promesse" in response.content.decode()  # type: ignore[attr-defined]
    assert Promise.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "status"), [("bob", 403), ("dave", 403), ("carol", 404), ("alice", 200)]
)
def test_only_finance_cancels_a_promise(
    client: Client, everyone: dict[str, User], bobs: Portfolio, who: str, status: int
) -> None:
    promise = promise_make(actor=None, customer=bobs.customer, amount=100, promised_on=TODAY)  # type: ignore[arg-type]
    response = as_(client, everyone[who]).post(
        reverse("promise_cancel", args=[promise.pk]), headers=HTMX
    )
    assert response.status_code == status
    promise.refresh_from_db()
    assert (promise.status == PromiseStatus.CANCELLED) == (status == 200)


@pytest.mark.parametrize(
    ("who", "owner", "status"),
    [("bob", "bob", 200), ("bob", "carol", 404), ("dave", "bob", 403), ("alice", "carol", 200)],
)
def test_who_requests_an_extension(
    client: Client,
    everyone: dict[str, User],
    bobs: Portfolio,
    carols: Portfolio,
    who: str,
    owner: str,
    status: int,
) -> None:
    invoice = {"bob": bobs, "carol": carols}[owner].invoice
    url = reverse("invoice_extension_new", args=[invoice.pk])
    response = as_(client, everyone[who]).post(
        url, {"due_on": "2026-04-30", "reason": "Client en attente"}, headers=HTMX
    )
    assert response.status_code == status
    assert Extension.objects.filter(invoice=invoice).exists() == (status == 200)


def test_an_extension_not_after_the_due_date_is_refused_on_the_page(
    client: Client, bob: User, bobs: Portfolio
) -> None:
    url = reverse("invoice_extension_new", args=[bobs.invoice.pk])
    response = as_(client, bob).post(url, {"due_on": "2026-01-01", "reason": "x"}, headers=HTMX)
    assert "doit être après" in response.content.decode()
    assert not Extension.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"), [("bob", 403), ("dave", 403), ("carol", 404), ("alice", 200), ("ada", 200)]
)
def test_only_finance_decides_an_extension(
    client: Client, everyone: dict[str, User], bobs: Portfolio, who: str, status: int
) -> None:
    extension = extension_request(
        actor=None, invoice=bobs.invoice, due_on=dt.date(2026, 4, 30), reason="x"
    )
    client = as_(client, everyone[who])
    response = client.post(reverse("extension_approve", args=[extension.pk]), {"comment": "ok"})
    assert response.status_code in ({302} if status == 200 else {status})
    extension.refresh_from_db()
    assert (extension.status == ExtensionStatus.APPROVED) == (status == 200)


def test_refusing_without_a_comment_says_so_and_changes_nothing(
    client: Client, alice: User, bobs: Portfolio
) -> None:
    extension = extension_request(
        actor=None, invoice=bobs.invoice, due_on=dt.date(2026, 4, 30), reason="x"
    )
    url = reverse("extension_refuse", args=[extension.pk])
    response = as_(client, alice).post(url, {"comment": ""}, headers=HTMX)
    assert "Dites pourquoi" in response.content.decode()
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.PENDING


def test_the_approvals_queue_lists_pending_requests_scoped(
    client: Client, everyone: dict[str, User], bobs: Portfolio, carols: Portfolio
) -> None:
    for portfolio in (bobs, carols):
        extension_request(
            actor=None, invoice=portfolio.invoice, due_on=dt.date(2026, 4, 30), reason="x"
        )
    url = reverse("resolution_approvals")
    finance = as_(client, everyone["alice"]).get(url).content.decode()
    assert "BOB-OVERDUE" in finance and "CAROL-OVERDUE" in finance and "Valider" in finance
    rep = as_(client, everyone["bob"]).get(url).content.decode()
    assert "BOB-OVERDUE" in rep and "CAROL-OVERDUE" not in rep and "Valider" not in rep


@pytest.mark.parametrize(
    ("who", "owner", "status"),
    [("bob", "bob", 200), ("bob", "carol", 404), ("dave", "bob", 403), ("alice", "bob", 200)],
)
def test_who_places_a_hold(
    client: Client,
    everyone: dict[str, User],
    bobs: Portfolio,
    carols: Portfolio,
    who: str,
    owner: str,
    status: int,
) -> None:
    customer = {"bob": bobs, "carol": carols}[owner].customer
    url = reverse("customer_hold_new", args=[customer.pk])
    data = {"reason": HoldReason.CUSTOMER_HOLD, "note": "Rachat en cours", "ends_on": LATER}
    response = as_(client, everyone[who]).post(url, data, headers=HTMX)
    assert response.status_code == status
    assert Hold.objects.filter(customer=customer).exists() == (status == 200)


def test_a_hold_ending_before_today_is_refused(client: Client, bob: User, bobs: Portfolio) -> None:
    url = reverse("invoice_hold_new", args=[bobs.invoice.pk])
    data = {"reason": HoldReason.OTHER, "ends_on": "2026-01-01"}
    response = as_(client, bob).post(url, data, headers=HTMX)
    assert response.status_code == 200 and not Hold.objects.exists()
    assert "ne peut pas finir avant" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"), [("bob", 403), ("dave", 403), ("carol", 404), ("alice", 200)]
)
def test_only_finance_releases_a_hold(
    client: Client, everyone: dict[str, User], bobs: Portfolio, who: str, status: int
) -> None:
    hold = hold_place(actor=None, customer=bobs.customer, reason=HoldReason.OTHER)
    response = as_(client, everyone[who]).post(
        reverse("hold_release", args=[hold.pk]), headers=HTMX
    )
    assert response.status_code == status
    hold.refresh_from_db()
    assert (hold.released_on is not None) == (status == 200)


def test_the_lists_show_only_the_viewers_portfolio(
    client: Client, everyone: dict[str, User], bobs: Portfolio, carols: Portfolio
) -> None:
    for portfolio in (bobs, carols):
        promise_make(actor=None, customer=portfolio.customer, amount=10, promised_on=TODAY)  # type: ignore[arg-type]
    client = as_(client, everyone["bob"])
    for name in ("resolution_promises", "resolution_holds"):
        text = client.get(reverse(name), {"show": "week" if "promise" in name else "active"})
        assert "Boulangerie Bob" in text.content.decode()
        assert "Carrosserie Carol" not in text.content.decode()
