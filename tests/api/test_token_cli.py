"""`encaisse api-token`: the token on its own last line, usable at once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from encaisse.accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("api-token", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_create_prints_the_token_alone_on_the_last_line_and_it_works(alice: User) -> None:
    output = run("create", "--user", "alice", "--scope", "write", "--expires-days", "30")
    token = output.strip().splitlines()[-1]
    assert token.startswith("enc_") and " " not in token
    response = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/customers")
    assert response.status_code == 200
    row = ApiToken.objects.get(user=alice)
    assert row.scope == "write" and row.expires_at is not None


def test_list_and_revoke(alice: User) -> None:
    token = run("create", "--user", "alice").strip().splitlines()[-1]
    prefix = token.split("_")[1]
    assert prefix in run("list", "--user", "alice")
    assert run("revoke", prefix).strip() in {"Revoked.", "Révoqué."}
    response = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/customers")
    assert response.status_code == 401


@pytest.mark.parametrize(
    "args",
    [
        ("create", "--user", "nobody"),
        ("create", "--user", "alice", "--expires-days", "0"),
        ("revoke", "nope"),
    ],
)
def test_bad_arguments_are_clear_errors(alice: User, args: tuple[str, ...]) -> None:
    with pytest.raises(CommandError):
        run(*args)
