"""/customers: scoped lists with a stable cursor, lookups, contacts, problem details."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from encaisse.accounts.models import User
from encaisse.ledger.models import Customer
from tests.api.conftest import ApiAs
from tests.conftest import make_customer
from tests.web.conftest import Portfolio

pytestmark = pytest.mark.django_db


def walk(client, url: str, **params: object) -> list[dict]:  # type: ignore[no-untyped-def]
    rows, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = client.get(url, query).json()
        rows += page["results"]
        cursor = page["next_cursor"]
        if cursor is None:
            return rows


def test_a_rep_lists_only_his_portfolio(api_as: ApiAs, bob: User, carol: User) -> None:
    mine = [make_customer(bob, f"Bob {i}") for i in range(3)]
    make_customer(carol, "Carol's")
    keys = {row["external_key"] for row in walk(api_as(bob), "/api/v1/customers", limit=2)}
    assert keys == {c.external_key for c in mine}


def test_the_cursor_walks_every_row_once_while_rows_are_added(
    api_as: ApiAs, alice: User, bob: User
) -> None:
    for i in range(7):
        make_customer(bob, f"C{i}")
    client = api_as(alice)
    first = client.get("/api/v1/customers", {"limit": 3}).json()
    make_customer(bob, "Late arrival")
    rest = walk(client, "/api/v1/customers", limit=3, cursor=first["next_cursor"])
    names = [row["name"] for row in first["results"] + rest]
    assert len(names) == len(set(names)) == 8
    assert first["next"].startswith("http://testserver/api/v1/customers?")


def test_updated_since_lists_changes_in_order_of_change(
    api_as: ApiAs, alice: User, bob: User
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old = make_customer(bob, "Old")
    with time_machine.travel(start + dt.timedelta(hours=1), tick=False):
        make_customer(bob, "New")
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        old.name = "Old, renamed"
        old.save()
    since = (start + dt.timedelta(minutes=30)).isoformat()
    rows = walk(api_as(alice), "/api/v1/customers", updated_since=since, limit=1)
    assert [row["name"] for row in rows] == ["New", "Old, renamed"]


def test_updated_since_takes_any_iso_offset_and_compares_in_utc(
    api_as: ApiAs, alice: User, bob: User
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        make_customer(bob, "Changed")
    client = api_as(alice)
    # +16:49 is valid ISO 8601 but beyond what PostgreSQL accepts (±15:59):
    # it was a 500 there (found by the fuzz test).
    before = (start - dt.timedelta(minutes=1)).astimezone(
        dt.timezone(dt.timedelta(hours=16, minutes=49))
    )
    after = (start + dt.timedelta(minutes=1)).astimezone(dt.timezone(dt.timedelta(hours=-16)))
    assert [
        row["name"] for row in walk(client, "/api/v1/customers", updated_since=before.isoformat())
    ] == ["Changed"]
    assert walk(client, "/api/v1/customers", updated_since=after.isoformat()) == []


def test_an_updated_since_beyond_the_calendar_in_utc_is_a_422_not_a_500(
    api_as: ApiAs, alice: User
) -> None:
    response = api_as(alice).get("/api/v1/invoices", {"updated_since": "9999-12-31T23:00:00-05:00"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "updated_since"


def test_a_cursor_from_another_ordering_is_a_422_on_the_parameter(
    api_as: ApiAs, alice: User, bob: User
) -> None:
    for i in range(3):
        make_customer(bob, f"C{i}")
    client = api_as(alice)
    cursor = client.get("/api/v1/customers", {"limit": 1}).json()["next_cursor"]
    response = client.get(
        "/api/v1/customers", {"cursor": cursor, "updated_since": "2020-01-01T00:00:00Z"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"parameter": "cursor", "detail": response.json()["errors"][0]["detail"]}
    ]
    assert client.get("/api/v1/customers", {"cursor": "%%%"}).status_code == 422


def test_money_is_a_decimal_string_and_dates_are_iso(
    api_as: ApiAs, alice: User, bobs: Portfolio
) -> None:
    row = api_as(alice).get(f"/api/v1/customers/{bobs.customer.pk}").json()
    customer = Customer.objects.get(pk=bobs.customer.pk)
    assert row["open_balance"] == f"{customer.open_balance:.2f}"
    assert row["account_manager"] == "bob"
    assert dt.datetime.fromisoformat(row["updated_at"])


def test_by_key_finds_only_visible_customers(
    api_as: ApiAs, bob: User, bobs: Portfolio, carols: Portfolio
) -> None:
    client = api_as(bob)
    assert client.get(f"/api/v1/customers/by-key/{bobs.customer.external_key}").status_code == 200
    hidden = client.get(f"/api/v1/customers/by-key/{carols.customer.external_key}")
    assert hidden.status_code == 404
    assert hidden.json() == client.get("/api/v1/customers/by-key/NO-SUCH").json()


def test_filters(api_as: ApiAs, alice: User, bob: User, carol: User) -> None:
    make_customer(bob, "Atelier Dupont", status="closed")
    make_customer(carol, "Brasserie")
    client = api_as(alice)
    closed = client.get("/api/v1/customers", {"status": "closed"}).json()["results"]
    assert [row["name"] for row in closed] == ["Atelier Dupont"]
    carols = client.get("/api/v1/customers", {"account_manager": "carol"}).json()["results"]
    assert [row["name"] for row in carols] == ["Brasserie"]
    found = client.get("/api/v1/customers", {"q": "dupont"}).json()["results"]
    assert [row["name"] for row in found] == ["Atelier Dupont"]


def test_contact_errors_point_at_each_field(api_as: ApiAs, alice: User, bobs: Portfolio) -> None:
    url = f"/api/v1/customers/{bobs.customer.pk}/contacts"
    response = api_as(alice).post(
        url, {"name": "X", "email": "not-an-email", "role": "boss"}, content_type="application/json"
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("/invalid-request")
    assert {error["pointer"] for error in problem["errors"]} == {"/email", "/role"}


def test_a_duplicate_contact_email_is_a_422_not_a_500(
    api_as: ApiAs, alice: User, bobs: Portfolio
) -> None:
    url = f"/api/v1/customers/{bobs.customer.pk}/contacts"
    client = api_as(alice)
    assert (
        client.post(
            url, {"name": "A", "email": "a@x.test"}, content_type="application/json"
        ).status_code
        == 201
    )
    again = client.post(url, {"name": "B", "email": "a@x.test"}, content_type="application/json")
    assert again.status_code == 422


def test_contact_change_and_removal(api_as: ApiAs, alice: User, bobs: Portfolio) -> None:
    client = api_as(alice)
    url = f"/api/v1/customers/{bobs.customer.pk}/contacts"
    created = client.post(url, {"name": "Temp"}, content_type="application/json").json()
    changed = client.patch(
        f"{url}/{created['id']}", {"phone": "+33 1 23 45 67 89"}, content_type="application/json"
    )
    assert changed.json()["phone"] == "+33 1 23 45 67 89"
    assert client.delete(f"{url}/{created['id']}").status_code == 204
    assert client.get(f"{url}/{created['id']}").status_code in {404, 405}
    assert not bobs.customer.contacts.filter(pk=created["id"]).exists()


def test_a_malformed_body_is_a_problem(api_as: ApiAs, alice: User, bobs: Portfolio) -> None:
    url = f"/api/v1/customers/{bobs.customer.pk}/contacts"
    response = api_as(alice).post(url, "{not json", content_type="application/json")
    assert response.status_code in {400, 422}
    assert response["Content-Type"] == "application/problem+json"
