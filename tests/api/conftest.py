"""Calling the API as the named users, with real tokens."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from encaisse.accounts.models import User
from encaisse.accounts.tokens import api_token_create
from tests.web.conftest import (  # noqa: F401  (fixtures)
    bob_messages,
    bobs,
    carols,
    frozen_today,
    login,
)

ApiAs = Callable[..., Client]


def token_client(user: User, scope: str = "write", **headers: str) -> Client:
    issued = api_token_create(actor=user, user=user, name="tests", scope=scope)
    return Client(headers={"Authorization": f"Bearer {issued.plain}", **headers})


@pytest.fixture
def api_as(db: None) -> ApiAs:
    """`api_as(bob)` → a client sending a write token of bob's; `scope="read"` for a read one."""
    return token_client
