"""My account: issuing a token (shown once), listing and revoking one's own tokens."""

from __future__ import annotations

import pytest
from django.test import Client

from encaisse.accounts.models import ApiToken, User
from encaisse.accounts.tokens import api_token_create

pytestmark = pytest.mark.django_db


def test_a_token_is_shown_once_and_works(login, alice: User) -> None:  # type: ignore[no-untyped-def]
    client = login(alice)
    page = client.post(
        "/account/", {"name": "ERP sync", "scope": "write", "expires_days": "90"}
    ).content.decode()
    token = ApiToken.objects.get(user=alice)
    start = page.index(f"enc_{token.prefix}_")
    plain = page[start : page.index("<", start)]
    assert (
        Client(headers={"Authorization": f"Bearer {plain}"}).get("/api/v1/customers").status_code
        == 200
    )
    again = client.get("/account/").content.decode()
    assert plain not in again and f"enc_{token.prefix}_…" in again
    assert token.scope == "write" and token.expires_at is not None


def test_an_invalid_form_issues_nothing(login, alice: User) -> None:  # type: ignore[no-untyped-def]
    response = login(alice).post("/account/", {"name": "", "scope": "admin"})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()


def test_revoke_own_token_only(login, alice: User, bob: User) -> None:  # type: ignore[no-untyped-def]
    alices = api_token_create(actor=alice, user=alice, name="a").token
    bobs = api_token_create(actor=bob, user=bob, name="b").token
    client = login(alice)
    assert client.post(f"/account/tokens/{bobs.prefix}/revoke/").status_code == 404
    assert client.post(f"/account/tokens/{alices.prefix}/revoke/").status_code == 302
    alices.refresh_from_db()
    bobs.refresh_from_db()
    assert alices.revoked_at is not None and bobs.revoked_at is None
    assert client.get(f"/account/tokens/{alices.prefix}/revoke/").status_code == 405


def test_every_role_has_an_account_page_and_only_editors_reach_the_api_from_the_settings(
    login,  # type: ignore[no-untyped-def]
    everyone: dict[str, User],
) -> None:
    for name, user in everyone.items():
        page = login(user).get("/account/").content.decode()
        assert "/api/v1/docs" in page  # the documentation, for everyone with a token
        nav = page.split('class="mainnav"')[1].split("</nav>")[0]
        assert ("/settings/" in nav) == (name in {"ada", "alice"}), name
    settings_page = login(everyone["alice"]).get("/settings/").content.decode()
    subnav = settings_page.split('class="subnav"')[1].split("</nav>")[0]
    assert "/api/v1/docs" in subnav and "/settings/webhooks/" in subnav


def test_signed_out_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get("/account/")
    assert response.status_code == 302 and "/login/" in response["Location"]
