"""Every operation of the OpenAPI schema × every caller (SPEC §1.5, issue 8).

The walker reads the API's own schema, so an operation added anywhere is
tested without anyone remembering to: an operation with path parameters must
have an entry in SAMPLES (and a write one in BODIES), or this test fails.

Callers: anonymous, a read token and a write token of finance, each sales rep
(bob, carol), the manager (dave, who leads bob's team) and the admin (ada).
Rules: anonymous → 401; an object outside the caller's portfolio → 404, as if
it did not exist; a write with a read token or by the manager → 403; a write
reserved to finance (EDITOR_ONLY) by a rep → 403 on his own objects; lists
never show another portfolio's objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.test import Client

from encaisse.accounts.models import User
from encaisse.api.app import api
from tests.api.conftest import token_client
from tests.web.conftest import TODAY, Portfolio

SAFE = {"get", "head", "options"}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # the template, e.g. /api/v1/customers/{customer_id}

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def parameters(self) -> bool:
        return "{" in self.path


def operations() -> list[Operation]:
    schema = api.get_openapi_schema()
    return [
        Operation(method, path)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]


@dataclass
class World:
    portfolios: dict[str, Portfolio]
    contacts: dict[str, int]


Sample = Callable[[World, str], dict[str, Any]]

# Path parameters per operation path, for the object owned by `owner`.
SAMPLES: dict[str, Sample] = {
    "/api/v1/customers/by-key/{key}": lambda w, o: {"key": w.portfolios[o].customer.external_key},
    "/api/v1/customers/{customer_id}": lambda w, o: {"customer_id": w.portfolios[o].customer.pk},
    "/api/v1/customers/{customer_id}/contacts": lambda w, o: {
        "customer_id": w.portfolios[o].customer.pk
    },
    "/api/v1/customers/{customer_id}/contacts/{contact_id}": lambda w, o: {
        "customer_id": w.portfolios[o].customer.pk,
        "contact_id": w.contacts[o],
    },
}
# Request bodies of the write operations (valid ones: the authorised callers succeed).
BODIES: dict[str, Sample] = {
    "POST /api/v1/customers/{customer_id}/contacts": lambda w, o: {"name": "Walker"},
    "PATCH /api/v1/customers/{customer_id}/contacts/{contact_id}": lambda w, o: {"phone": "01"},
}
# Writes reserved to finance and admins; other writes are open to a rep on his objects.
EDITOR_ONLY = {
    "POST /api/v1/customers/{customer_id}/contacts",
    "PATCH /api/v1/customers/{customer_id}/contacts/{contact_id}",
    "DELETE /api/v1/customers/{customer_id}/contacts/{contact_id}",
}

FINANCE = {"ada", "alice"}
SEES = {"ada": {"bob", "carol"}, "alice": {"bob", "carol"}, "bob": {"bob"}, "carol": {"carol"},
        "dave": {"bob"}}  # fmt: skip
MARKERS = {
    "bob": ("Boulangerie Bob", "BOB-OVERDUE"),
    "carol": ("Carrosserie Carol", "CAROL-OVERDUE"),
}
CALLERS = ["anonymous", "alice-read", "alice", "ada", "bob", "carol", "dave"]


def expected(op: Operation, caller: str, owner: str | None) -> set[int]:
    """The statuses `caller` may get for `op` on `owner`'s object (None: no object)."""
    if caller == "anonymous":
        return {401}
    role = caller.removesuffix("-read")
    if op.method not in SAFE and (caller.endswith("-read") or role == "dave"):
        return {403}  # refused before any lookup: says nothing about the object
    if owner is not None and owner not in SEES[role]:
        return {404}
    if op.method in SAFE:
        return {200}
    if str(op) in EDITOR_ONLY and role not in FINANCE:
        return {403}
    return {200, 201, 204}


def call(client: Client, op: Operation, world: World, owner: str) -> Any:
    kwargs = SAMPLES[op.path](world, owner) if op.parameters else {}
    url = op.path.format(**kwargs)
    body = BODIES.get(str(op), lambda w, o: {})(world, owner)
    if op.method in SAFE:
        return client.get(url)
    return getattr(client, op.method)(url, body, content_type="application/json")


def client_for(caller: str, everyone: dict[str, User]) -> Client:
    if caller == "anonymous":
        return Client()
    name, _, read = caller.partition("-")
    return token_client(everyone[name], "read" if read else "write")


def test_every_operation_has_its_samples_and_bodies() -> None:
    missing = []
    for op in operations():
        if op.parameters and op.path not in SAMPLES:
            missing.append(f"{op}: add path parameters to SAMPLES")
        if op.method not in SAFE and op.method != "delete" and str(op) not in BODIES:
            missing.append(f"{op}: add a request body to BODIES")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("op", operations(), ids=str)
@time_machine.travel(TODAY, tick=False)
def test_every_operation_for_every_caller(
    op: Operation, everyone: dict[str, User], bobs: Portfolio, carols: Portfolio
) -> None:
    portfolios = {"bob": bobs, "carol": carols}
    contacts = {name: p.customer.contacts.get().pk for name, p in portfolios.items()}
    world = World(portfolios=portfolios, contacts=contacts)
    deleted: set[str] = set()
    problems = []
    # Writes by callers who may not act come first: they must leave the objects in place.
    for caller in sorted(CALLERS, key=lambda c: expected(op, c, "bob") <= {200, 201, 204}):
        client = client_for(caller, everyone)
        for owner in ("bob", "carol") if op.parameters else (None,):
            response = call(client, op, world, owner or "bob")
            wanted = expected(op, caller, owner)
            if op.method == "delete" and owner in deleted:
                wanted = {404}  # an authorised caller already deleted it
            if op.method == "delete" and response.status_code == 204:
                deleted.add(owner or "")
            if response.status_code not in wanted:
                got = response.status_code
                problems.append(f"{caller} {op} on {owner}'s: {got}, want {wanted}")
            if response.status_code == 200 and caller != "anonymous":
                text = response.content.decode()
                for hidden in {"bob", "carol"} - SEES[caller.removesuffix("-read")]:
                    problems += [
                        f"{caller} {op}: shows {marker!r} of {hidden}'s portfolio"
                        for marker in MARKERS[hidden]
                        if marker in text
                    ]
            if response.status_code >= 400 and caller != "anonymous":
                assert response["Content-Type"] == "application/problem+json", (caller, str(op))
    assert not problems, "\n".join(problems)
