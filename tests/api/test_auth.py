"""Tokens: who may call, what a read token and a manager may do, limits, language."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.http import HttpRequest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from encaisse.accounts.models import ApiToken, User
from encaisse.accounts.tokens import api_token_authenticate, api_token_create, api_token_revoke
from encaisse.ledger.models import Customer
from tests.api.conftest import ApiAs
from tests.conftest import PASSWORD
from tests.web.conftest import Portfolio

pytestmark = pytest.mark.django_db

CONTACT = {"name": "Jeanne Compta", "email": "jeanne@example.test"}


def contacts_url(customer: Customer) -> str:
    return f"/api/v1/customers/{customer.pk}/contacts"


def test_no_token_is_401_problem_with_www_authenticate() -> None:
    response = Client().get("/api/v1/customers")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["status"] == 401


@pytest.mark.parametrize(
    "url", ["/api/v1/customers/null,null", "/api/v1/nothing-here", "/api/v2/customers", "/api/"]
)
def test_a_url_no_operation_serves_is_a_problem_404_not_an_html_page(
    api_as: ApiAs, alice: User, url: str
) -> None:
    # Found by the fuzz test: a path parameter that is not a number fell
    # through to the web app's HTML 404 page.
    response = api_as(alice).get(url, headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404
    # A write with a session cookie and no CSRF token: the same 404, not the
    # web app's CSRF page.
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    response = browser.patch(url, data="{}", content_type="application/json")
    assert (response.status_code, response["Content-Type"]) == (404, "application/problem+json")


@pytest.mark.parametrize("bad", ["nonsense", "enc_abc_def", "Bearer", "enc__"])
def test_malformed_or_unknown_token_is_401(bad: str) -> None:
    response = Client(headers={"Authorization": f"Bearer {bad}"}).get("/api/v1/customers")
    assert response.status_code == 401


def test_token_is_stored_hashed_and_shown_once(alice: User) -> None:
    issued = api_token_create(actor=alice, user=alice, name="ERP", scope="write")
    row = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.plain.startswith(f"enc_{row.prefix}_")
    secret = issued.plain.split("_", 2)[2]
    assert secret not in row.digest and len(row.digest) == 64
    assert api_token_authenticate(issued.plain) == row


def test_a_wrong_secret_with_a_real_prefix_is_refused(alice: User) -> None:
    issued = api_token_create(actor=alice, user=alice, name="ERP")
    forged = issued.plain[:-4] + "AAAA"
    assert api_token_authenticate(forged) is None


def test_revoked_expired_and_inactive_users_tokens_are_refused(alice: User, bob: User) -> None:
    revoked = api_token_create(actor=alice, user=alice, name="old")
    assert api_token_revoke(actor=alice, token=revoked.token)
    assert not api_token_revoke(actor=alice, token=revoked.token)
    expiring = api_token_create(actor=alice, user=alice, name="short", expires_days=1)
    bobs = api_token_create(actor=bob, user=bob, name="bob")
    bob.is_active = False
    bob.save()
    for plain in (revoked.plain, bobs.plain):
        assert (
            Client(headers={"Authorization": f"Bearer {plain}"})
            .get("/api/v1/customers")
            .status_code
            == 401
        )
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, seconds=1)):
        assert api_token_authenticate(expiring.plain) is None


def test_last_use_is_recorded_at_most_once_a_minute(alice: User) -> None:
    issued = api_token_create(actor=alice, user=alice, name="ERP")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        api_token_authenticate(issued.plain)
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        api_token_authenticate(issued.plain)
    issued.token.refresh_from_db()
    assert issued.token.last_used_at == start


def test_read_token_cannot_write_even_as_finance(
    api_as: ApiAs, alice: User, bobs: Portfolio
) -> None:
    response = api_as(alice, scope="read").post(
        contacts_url(bobs.customer), CONTACT, content_type="application/json"
    )
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert not bobs.customer.contacts.filter(name="Jeanne Compta").exists()


def test_manager_is_read_only_with_a_write_token(
    api_as: ApiAs, dave: User, bobs: Portfolio
) -> None:
    client = api_as(dave)
    assert client.get(f"/api/v1/customers/{bobs.customer.pk}").status_code == 200
    response = client.post(contacts_url(bobs.customer), CONTACT, content_type="application/json")
    assert response.status_code == 403


def test_write_token_of_finance_writes(api_as: ApiAs, alice: User, bobs: Portfolio) -> None:
    response = api_as(alice).post(
        contacts_url(bobs.customer), CONTACT, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert bobs.customer.contacts.filter(name="Jeanne Compta").exists()


def test_rate_limit_answers_429_with_retry_after(api_as: ApiAs, alice: User, settings: Any) -> None:
    settings.ENCAISSE_API_RATE_LIMIT = 3
    client = api_as(alice)
    statuses = [client.get("/api/v1/customers").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    last = client.get("/api/v1/customers")
    assert 1 <= int(last["Retry-After"]) <= 60
    assert last.json()["type"].endswith("/rate-limited")
    # Another token of the same user has its own count.
    assert api_as(alice).get("/api/v1/customers").status_code == 200


def test_messages_speak_the_users_language_then_accept_language(alice: User, bob: User) -> None:
    alice.language = "en"
    alice.save()
    english = api_token_create(actor=alice, user=alice, name="t").plain
    response = Client(headers={"Authorization": f"Bearer {english}", "Accept-Language": "fr"}).get(
        "/api/v1/customers/999999"
    )
    assert response.json()["title"] == "Not found"
    bobs_token = api_token_create(actor=bob, user=bob, name="t").plain
    response = Client(
        headers={"Authorization": f"Bearer {bobs_token}", "Accept-Language": "en-GB"}
    ).get("/api/v1/customers/999999")
    assert response.json()["title"] == "Not found"
    response = Client(headers={"Authorization": f"Bearer {bobs_token}"}).get(
        "/api/v1/customers/999999"
    )
    assert response.json()["title"] == "Introuvable"


def test_session_writes_need_the_csrf_token(bob: User, alice: User, bobs: Portfolio) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(request=HttpRequest(), username="alice", password=PASSWORD)
    assert client.get("/api/v1/customers").status_code == 200
    refused = client.post(contacts_url(bobs.customer), CONTACT, content_type="application/json")
    assert refused.status_code == 403
    token = _get_new_csrf_string()  # what the CSRF cookie of a page would hold
    client.cookies["csrftoken"] = token
    accepted = client.post(
        contacts_url(bobs.customer),
        CONTACT,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert accepted.status_code == 201, accepted.content
