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

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
import time_machine
from django.apps import apps as django_apps
from django.test import Client, override_settings

from encaisse.accounts.models import User
from encaisse.api.app import api
from encaisse.collab.models import TaskKind
from encaisse.collab.services import task_create
from encaisse.dunning.models import DunningPlan
from encaisse.dunning.services.holds import hold_place
from encaisse.ledger.models import Allocation, CreditNote
from encaisse.ledger.services import payment_record
from encaisse.resolution.dispute_reasons import reasons_install
from encaisse.resolution.models import DisputeReason
from encaisse.resolution.services.disputes import Disputed, dispute_open
from encaisse.resolution.services.extensions import extension_request
from encaisse.resolution.services.payment_plans import plan_propose
from encaisse.resolution.services.promises import promise_make
from encaisse.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from tests.api.conftest import token_client
from tests.conftest import make_invoice
from tests.resolution.samples import resolution_samples
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
class Owned:
    """One sales rep's objects, one of each kind the API has."""

    customer: Any
    invoice: Any
    payment: Any
    credit_note: Any
    allocation: Any
    spare_payment: Any  # cash on account, for the allocation samples
    hold: Any
    task: Any  # a call task assigned to the account manager
    dispute: Any  # open, on the overdue invoice
    spare_invoice: Any  # open and not disputed, for the "open a dispute" bodies
    promise: Any = None  # made on first use: a customer has one open promise at a time
    extension: Any = None  # made on first use: one pending request per invoice
    resolution: Any = None  # handover, write-off (tests/resolution/samples.py)
    payment_plan: Any = None  # a proposed instalment plan over the overdue invoice
    plan_invoice: Any = None  # an open invoice in no plan (for proposals)


@dataclass
class World:
    portfolios: dict[str, Owned]
    contacts: dict[str, int]
    plan: Any = None  # a plan no invoice uses (deletable)
    endpoint: Any = None
    delivery: Any = None


Sample = Callable[[World, str], dict[str, Any]]
_serial = count(1)


def _customer(o: str) -> Callable[[World, str], dict[str, Any]]:
    return lambda w, _o: {"customer_id": w.portfolios[o].customer.pk}


def _pk(attribute: str) -> Sample:
    return lambda w, o: {"pk": getattr(w.portfolios[o], attribute).pk}


def _key(attribute: str) -> Sample:
    return lambda w, o: {"key": getattr(w.portfolios[o], attribute).external_key}


def _promise(w: World, o: str) -> Any:
    owned = w.portfolios[o]
    if owned.promise is None:
        owned.promise = promise_make(
            actor=None,
            customer=owned.customer,
            amount=Decimal("10.00"),
            promised_on=dt.date(2026, 3, 25),
        )
    return owned.promise


def _extension(w: World, o: str) -> Any:
    owned = w.portfolios[o]
    if owned.extension is None:
        owned.extension = extension_request(
            actor=None, invoice=owned.invoice, due_on=dt.date(2026, 4, 30), reason="walker"
        )
    return owned.extension


def _public(attribute: str) -> Sample:
    return lambda w, o: {"public_id": getattr(w.portfolios[o].resolution, attribute).public_id}


# Path parameters per operation path, for the object owned by `owner`.
SAMPLES: dict[str, Sample] = {
    "/api/v1/customers/by-key/{key}": _key("customer"),
    "/api/v1/customers/{pk}": _pk("customer"),
    "/api/v1/customers/{customer_id}/contacts": lambda w, o: {
        "customer_id": w.portfolios[o].customer.pk
    },
    "/api/v1/customers/{customer_id}/contacts/{contact_id}": lambda w, o: {
        "customer_id": w.portfolios[o].customer.pk,
        "contact_id": w.contacts[o],
    },
    "/api/v1/invoices/by-key/{key}": _key("invoice"),
    "/api/v1/invoices/{pk}": _pk("invoice"),
    "/api/v1/payments/by-key/{key}": _key("payment"),
    "/api/v1/payments/{pk}": _pk("payment"),
    "/api/v1/credit-notes/by-key/{key}": _key("credit_note"),
    "/api/v1/credit-notes/{pk}": _pk("credit_note"),
    "/api/v1/allocations/{pk}": _pk("allocation"),
    "/api/v1/allocations/{pk}/reverse": _pk("allocation"),
    "/api/v1/invoices/{pk}/dunning": _pk("invoice"),
    "/api/v1/invoices/{pk}/timeline": _pk("invoice"),
    "/api/v1/customers/{pk}/timeline": _pk("customer"),
    "/api/v1/customers/{pk}/messages": _pk("customer"),
    "/api/v1/holds/{pk}": _pk("hold"),
    "/api/v1/holds/{pk}/release": _pk("hold"),
    "/api/v1/promises/{pk}": lambda w, o: {"pk": _promise(w, o).pk},
    "/api/v1/promises/{pk}/cancel": lambda w, o: {"pk": _promise(w, o).pk},
    "/api/v1/extensions/{pk}": lambda w, o: {"pk": _extension(w, o).pk},
    "/api/v1/extensions/{pk}/approve": lambda w, o: {"pk": _extension(w, o).pk},
    "/api/v1/extensions/{pk}/refuse": lambda w, o: {"pk": _extension(w, o).pk},
    "/api/v1/tasks/{pk}": _pk("task"),
    "/api/v1/tasks/{pk}/complete": _pk("task"),
    "/api/v1/disputes/{dispute_id}": lambda w, o: {"dispute_id": w.portfolios[o].dispute.public_id},
    "/api/v1/disputes/{dispute_id}/resolve": lambda w, o: {
        "dispute_id": w.portfolios[o].dispute.public_id
    },
    "/api/v1/disputes/{dispute_id}/reject": lambda w, o: {
        "dispute_id": w.portfolios[o].dispute.public_id
    },
    "/api/v1/dispute-reasons/{pk}": lambda w, o: {"pk": DisputeReason.objects.get(code="other").pk},
    "/api/v1/plans/{pk}": lambda w, o: {"pk": w.plan.pk},
    "/api/v1/payment-plans/{plan_id}": lambda w, o: {
        "plan_id": w.portfolios[o].payment_plan.public_id
    },
    "/api/v1/payment-plans/{plan_id}/approve": lambda w, o: {
        "plan_id": w.portfolios[o].payment_plan.public_id
    },
    "/api/v1/payment-plans/{plan_id}/refuse": lambda w, o: {
        "plan_id": w.portfolios[o].payment_plan.public_id
    },
    "/api/v1/payment-plans/{plan_id}/cancel": lambda w, o: {
        "plan_id": w.portfolios[o].payment_plan.public_id
    },
    "/api/v1/webhooks/endpoints/{pk}": lambda w, o: {"pk": w.endpoint.pk},
    "/api/v1/webhooks/endpoints/{pk}/rotate-secret": lambda w, o: {"pk": w.endpoint.pk},
    "/api/v1/webhooks/endpoints/{pk}/test": lambda w, o: {"pk": w.endpoint.pk},
    "/api/v1/webhooks/endpoints/{pk}/deliveries": lambda w, o: {"pk": w.endpoint.pk},
    "/api/v1/webhooks/deliveries/{pk}/redeliver": lambda w, o: {"pk": w.delivery.pk},
    "/api/v1/handovers/{public_id}": _public("handover"),
    "/api/v1/handovers/{public_id}/recall": _public("handover"),
    "/api/v1/handovers/{public_id}/close": _public("handover"),
    "/api/v1/handovers/{public_id}/case-file": _public("handover"),
    "/api/v1/write-offs/{public_id}": _public("write_off"),
    "/api/v1/write-offs/{public_id}/approve": _public("write_off"),
    "/api/v1/write-offs/{public_id}/reject": _public("write_off"),
}
# Paths about no portfolio: the same object whoever the owner.
SHARED_PATHS = {
    path
    for path in SAMPLES
    if path.startswith(("/api/v1/plans", "/api/v1/webhooks", "/api/v1/dispute-reasons"))
}
# Reads reserved to finance and admins (the plan editor and webhook settings are theirs).
FINANCE_READS = ("/api/v1/plans", "/api/v1/webhooks")


def _invoice_record(w: World, o: str) -> dict[str, Any]:
    n = next(_serial)
    customer = w.portfolios[o].customer.external_key
    return {"number": f"W-{n}", "customer_key": customer, "issue_date": "2026-03-01", "amount": "1"}


def _same_invoice(w: World, o: str) -> dict[str, Any]:
    invoice = w.portfolios[o].invoice
    return {
        "number": invoice.number,
        "customer_key": w.portfolios[o].customer.external_key,
        "issue_date": invoice.issue_date.isoformat(),
        "amount": str(invoice.amount),
    }


# Request bodies of the write operations (valid ones: the authorised callers succeed).
BODIES: dict[str, Sample] = {
    "POST /api/v1/customers/{customer_id}/contacts": lambda w, o: {"name": "Walker"},
    "PATCH /api/v1/customers/{customer_id}/contacts/{contact_id}": lambda w, o: {"phone": "01"},
    "POST /api/v1/customers": lambda w, o: {"external_key": f"WK-{next(_serial)}", "name": "W"},
    "PUT /api/v1/customers/by-key/{key}": lambda w, o: {"name": w.portfolios[o].customer.name},
    "PATCH /api/v1/customers/{pk}": lambda w, o: {"city": "Lyon"},
    "POST /api/v1/customers/bulk": lambda w, o: {
        "records": [{"external_key": f"WK-{next(_serial)}", "name": "W"}]
    },
    "POST /api/v1/invoices": _invoice_record,
    "PUT /api/v1/invoices/by-key/{key}": lambda w, o: {**_same_invoice(w, o), "po_reference": "P"},
    "PATCH /api/v1/invoices/{pk}": lambda w, o: {"po_reference": "PO-2"},
    "POST /api/v1/invoices/bulk": lambda w, o: {"records": [_invoice_record(w, o)]},
    "POST /api/v1/payments": lambda w, o: {
        "external_key": f"WP-{next(_serial)}",
        "customer_key": w.portfolios[o].customer.external_key,
        "date": "2026-03-02",
        "amount": "5.00",
    },
    "PUT /api/v1/payments/by-key/{key}": lambda w, o: {
        "customer_key": w.portfolios[o].customer.external_key,
        "date": w.portfolios[o].payment.date.isoformat(),
        "amount": str(w.portfolios[o].payment.amount),
        "bank_reference": "REF",
    },
    "PATCH /api/v1/payments/{pk}": lambda w, o: {"bank_reference": "REF2"},
    "POST /api/v1/payments/bulk": lambda w, o: {"records": []},
    "POST /api/v1/credit-notes": lambda w, o: {
        "number": f"WA-{next(_serial)}",
        "customer_key": w.portfolios[o].customer.external_key,
        "issue_date": "2026-03-02",
        "amount": "5.00",
    },
    "PUT /api/v1/credit-notes/by-key/{key}": lambda w, o: {
        "number": w.portfolios[o].credit_note.number,
        "customer_key": w.portfolios[o].customer.external_key,
        "issue_date": w.portfolios[o].credit_note.issue_date.isoformat(),
        "amount": str(w.portfolios[o].credit_note.amount),
        "reason": "geste",
    },
    "PATCH /api/v1/credit-notes/{pk}": lambda w, o: {"reason": "geste 2"},
    "POST /api/v1/credit-notes/bulk": lambda w, o: {"records": []},
    "POST /api/v1/allocations": lambda w, o: {
        "invoice_id": w.portfolios[o].invoice.pk,
        "payment_id": w.portfolios[o].spare_payment.pk,
        "amount": "0.01",
    },
    "POST /api/v1/allocations/{pk}/reverse": lambda w, o: {"reason": "walker"},
    "POST /api/v1/holds": lambda w, o: {
        "customer_id": w.portfolios[o].customer.pk,
        "invoice_id": w.portfolios[o].invoice.pk,
        "reason": "dispute",
    },
    "POST /api/v1/holds/{pk}/release": lambda w, o: {},
    "POST /api/v1/tasks/{pk}/complete": lambda w, o: {"result": "reached", "outcome": "ok"},
    "POST /api/v1/promises": lambda w, o: {
        "customer_id": w.portfolios[o].customer.pk,
        "amount": "10.00",
        "promised_on": "2026-03-25",
    },
    "POST /api/v1/promises/{pk}/cancel": lambda w, o: {"reason": "walker"},
    "POST /api/v1/extensions": lambda w, o: {
        "invoice_id": w.portfolios[o].invoice.pk,
        "due_on": "2026-04-30",
        "reason": "walker",
    },
    "POST /api/v1/extensions/{pk}/approve": lambda w, o: {"comment": "ok"},
    "POST /api/v1/extensions/{pk}/refuse": lambda w, o: {"comment": "non"},
    "PATCH /api/v1/settings/identity": lambda w, o: {"phone": "01 23 45 67 89"},
    "PATCH /api/v1/settings/terms": lambda w, o: {"default_terms_days": 45},
    "PATCH /api/v1/settings/cash": lambda w, o: {"cash_auto_apply": True},
    "PATCH /api/v1/settings/dunning": lambda w, o: {"min_contact_gap_days": 4},
    "PUT /api/v1/settings/go-live": lambda w, o: {
        "go_live_on": None,
        "mode": "full",
        "ceiling_offset": None,
    },
    "POST /api/v1/plans": lambda w, o: {
        "name": f"Walker {next(_serial)}",
        "steps": [{"name": "Rappel", "offset_days": 5, "action": "email", "template_code": ""}],
    },
    "PATCH /api/v1/plans/{pk}": lambda w, o: {"description": "walked"},
    "POST /api/v1/webhooks/endpoints": lambda w, o: {"url": "http://127.0.0.1:9/hook"},
    "POST /api/v1/payment-plans": lambda w, o: {
        "customer_id": w.portfolios[o].customer.pk,
        "invoice_ids": [w.portfolios[o].plan_invoice.pk],
        "instalment_count": 3,
        "frequency": "monthly",
        "first_due_on": "2026-04-01",
    },
    "POST /api/v1/payment-plans/{plan_id}/approve": lambda w, o: {"comment": "ok"},
    "POST /api/v1/payment-plans/{plan_id}/refuse": lambda w, o: {"comment": "non"},
    "POST /api/v1/payment-plans/{plan_id}/cancel": lambda w, o: {},
    "PATCH /api/v1/webhooks/endpoints/{pk}": lambda w, o: {"description": "walked"},
    "POST /api/v1/webhooks/endpoints/{pk}/rotate-secret": lambda w, o: {},
    "POST /api/v1/webhooks/endpoints/{pk}/test": lambda w, o: {},
    "POST /api/v1/webhooks/deliveries/{pk}/redeliver": lambda w, o: {},
    "POST /api/v1/disputes": lambda w, o: {
        "customer_id": w.portfolios[o].customer.pk,
        "reason": "pricing",
        "invoices": [{"invoice_id": w.portfolios[o].spare_invoice.pk, "amount": "10.00"}],
        "description": "walker",
    },
    "PATCH /api/v1/disputes/{dispute_id}": lambda w, o: {"assign": True, "owner_id": None},
    "POST /api/v1/disputes/{dispute_id}/resolve": lambda w, o: {"resolution": "corrected_invoice"},
    "POST /api/v1/disputes/{dispute_id}/reject": lambda w, o: {"explanation": "walker"},
    "POST /api/v1/dispute-reasons": lambda w, o: {
        "code": f"walker_{next(_serial)}",
        "label_fr": "Marcheur",
        "sla_days": 9,
    },
    "PATCH /api/v1/dispute-reasons/{pk}": lambda w, o: {"sla_days": 25},
    "POST /api/v1/handovers": lambda w, o: {
        "customer_id": w.portfolios[o].resolution.spare_customer.pk,
        "agency_id": w.portfolios[o].resolution.agency.pk,
    },
    "POST /api/v1/handovers/{public_id}/recall": lambda w, o: {"comment": "walker"},
    "POST /api/v1/handovers/{public_id}/close": lambda w, o: {},
    "POST /api/v1/write-offs": lambda w, o: {
        "customer_id": w.portfolios[o].resolution.spare_customer.pk,
        "invoice_ids": [w.portfolios[o].resolution.spare_invoice.pk],
        "reason": "too_small",
    },
    "POST /api/v1/write-offs/{public_id}/approve": lambda w, o: {},
    "POST /api/v1/write-offs/{public_id}/reject": lambda w, o: {"comment": "walker"},
}
# Writes open to a sales rep on his own objects; every other write is for finance and admins.
REP_WRITES = {
    "POST /api/v1/tasks/{pk}/complete",  # his own tasks
    "POST /api/v1/disputes",  # on his own customers (named in the body)
    "POST /api/v1/promises",
    "POST /api/v1/extensions",
    "POST /api/v1/payment-plans",  # a proposal for his own customer (finance decides)
}
# Writes whose object is named in the body (bob's): another rep gets a 404.
BODY_OWNED = {
    "POST /api/v1/disputes",
    "POST /api/v1/promises",
    "POST /api/v1/extensions",
    "POST /api/v1/payment-plans",
}
# What the bodies above may legitimately be refused with once an authorised caller
# has acted (an allocation reversed twice, the cent of a payment already applied).
AFTER_FIRST: dict[str, set[int]] = {
    "POST /api/v1/allocations/{pk}/reverse": {422},
    "POST /api/v1/allocations": {422},
    "POST /api/v1/holds/{pk}/release": {409},
    "POST /api/v1/tasks/{pk}/complete": {409},
    "POST /api/v1/webhooks/deliveries/{pk}/redeliver": {409},
    "POST /api/v1/plans": {201},
    "POST /api/v1/disputes": {422},  # its invoice is in an open dispute now
    "POST /api/v1/disputes/{dispute_id}/resolve": {409},
    "POST /api/v1/disputes/{dispute_id}/reject": {409},
    "POST /api/v1/promises": {422},  # one open promise per customer
    "POST /api/v1/promises/{pk}/cancel": {409},
    "POST /api/v1/extensions": {422},  # one pending request per invoice
    "POST /api/v1/extensions/{pk}/approve": {409},
    "POST /api/v1/extensions/{pk}/refuse": {409},
    "POST /api/v1/handovers": {409},
    "POST /api/v1/handovers/{public_id}/recall": {409},
    "POST /api/v1/handovers/{public_id}/close": {409},
    "POST /api/v1/write-offs": {422},
    "POST /api/v1/write-offs/{public_id}/approve": {409},
    "POST /api/v1/write-offs/{public_id}/reject": {409},
    "POST /api/v1/payment-plans": {422},  # the invoice is in the first caller's plan
    "POST /api/v1/payment-plans/{plan_id}/approve": {409},
    "POST /api/v1/payment-plans/{plan_id}/refuse": {409},
    "POST /api/v1/payment-plans/{plan_id}/cancel": {409},
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
    # Refused before any lookup, so that the answer says nothing about the object.
    if op.method not in SAFE and (caller.endswith("-read") or role == "dave"):
        return {403}
    if op.method not in SAFE and str(op) not in REP_WRITES and role not in FINANCE:
        return {403}
    if op.path.startswith(FINANCE_READS) and role not in FINANCE:
        return {403}
    if owner is not None and owner not in SEES[role] and op.path not in SHARED_PATHS:
        return {404}
    # A write without path parameters names bob's objects in its body.
    if owner is None and str(op) in BODY_OWNED and "bob" not in SEES[role]:
        return {404}
    if op.method in SAFE:
        return {200}
    return {200, 201, 202, 204}


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
@override_settings(ENCAISSE_WEBHOOKS_ALLOW_HTTP=True, ENCAISSE_WEBHOOKS_ALLOW_PRIVATE=True)
def test_every_operation_for_every_caller(
    op: Operation, everyone: dict[str, User], bobs: Portfolio, carols: Portfolio
) -> None:
    portfolios = {name: owned(p) for name, p in {"bob": bobs, "carol": carols}.items()}
    contacts = {name: p.customer.contacts.get().pk for name, p in portfolios.items()}
    world = World(portfolios=portfolios, contacts=contacts, **shared_objects())
    deleted: set[str] = set()
    acted: set[str] = set()
    problems = []
    # Writes by callers who may not act come first: they must leave the objects in place.
    for caller in sorted(CALLERS, key=lambda c: expected(op, c, "bob") <= {200, 201, 204}):
        client = client_for(caller, everyone)
        owners = ("bob", "carol") if op.parameters and op.path not in SHARED_PATHS else (None,)
        for owner in owners:
            response = call(client, op, world, owner or "bob")
            wanted = expected(op, caller, owner)
            success = {200, 201, 202, 204}
            if op.method == "delete" and (owner or "") in deleted and wanted <= success:
                wanted = {404}  # an authorised caller already deleted it
            if op.method == "delete" and response.status_code == 204:
                deleted.add(owner or "")
            if (owner or "") in acted and str(op) in AFTER_FIRST and wanted <= success:
                wanted = wanted | AFTER_FIRST[str(op)]
            if response.status_code in success:
                acted.add(owner or "")
            if response.status_code not in wanted:
                got = response.status_code
                problems.append(f"{caller} {op} on {owner}'s: {got}, want {wanted}")
            if response.status_code == 200 and caller != "anonymous":
                text = content_text(response)
                for hidden in {"bob", "carol"} - SEES[caller.removesuffix("-read")]:
                    problems += [
                        f"{caller} {op}: shows {marker!r} of {hidden}'s portfolio"
                        for marker in MARKERS[hidden]
                        if marker in text
                    ]
            if response.status_code >= 400 and caller != "anonymous":
                assert response["Content-Type"] == "application/problem+json", (caller, str(op))
        if op.method == "get" and not op.parameters and expected(op, caller, None) == {200}:
            problems += filtered_leaks(client, op, world, caller)
    assert not problems, "\n".join(problems)


def content_text(response: Any) -> str:
    """The body as text (a ZIP download is streamed, and binary)."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return str(response.content.decode("utf-8", "replace"))


def filtered_leaks(client: Client, op: Operation, world: World, caller: str) -> list[str]:
    """A list filtered on another portfolio's customer shows nothing of it."""
    found = []
    for hidden in {"bob", "carol"} - SEES[caller.removesuffix("-read")]:
        customer = world.portfolios[hidden].customer
        query = {"customer_id": customer.pk, "customer_key": customer.external_key}
        response = client.get(op.path, query)
        text = response.content.decode()
        if response.status_code != 200 or any(marker in text for marker in MARKERS[hidden]):
            found.append(
                f"{caller} {op}?customer_id={hidden}'s: {response.status_code} {text[:80]}"
            )
    return found


def shared_objects() -> dict[str, Any]:
    """A plan no invoice follows, and a webhook endpoint with one delivery (written
    directly: the walker must not depend on DNS or on the worker)."""
    plan = DunningPlan.objects.create(name="Walker plan")
    endpoint = WebhookEndpoint.objects.create(url="http://127.0.0.1:9/hook")
    event = WebhookEvent.objects.create(type="webhook.test", payload={"type": "webhook.test"})
    delivery = WebhookDelivery.objects.create(
        event=event, endpoint=endpoint, state="failed", attempts=8, last_status_code=500
    )
    return {"plan": plan, "endpoint": endpoint, "delivery": delivery}


def owned(portfolio: Portfolio) -> Owned:
    customer = portfolio.customer
    plan_invoice = make_invoice(customer, "500.00", number=f"{portfolio.invoice.number}-P")
    payment_plan = plan_propose(
        actor=customer.account_manager,
        customer=customer,
        invoices=[portfolio.invoice],
        instalment_count=2,
        frequency="monthly",
        first_due_on=dt.date(2026, 4, 1),
    )
    return Owned(
        payment_plan=payment_plan,
        plan_invoice=plan_invoice,
        customer=customer,
        invoice=portfolio.invoice,
        payment=portfolio.payment,
        credit_note=CreditNote.objects.filter(customer=customer).first(),
        allocation=Allocation.objects.filter(invoice__customer=customer).first(),
        spare_payment=payment_record(
            actor=None,
            customer=customer,
            amount=Decimal("1.00"),
            date=dt.date(2026, 3, 2),
            external_key=f"{customer.external_key}-SPARE",
            strategy=None,
        ),
        hold=hold_place(actor=None, customer=customer, reason="customer_hold"),
        task=task_create(
            actor=None,
            kind=TaskKind.CALL_CORDIAL,
            title=f"Call {customer.name}",
            due_on=dt.date(2026, 3, 20),
            customer_id=customer.pk,
            assignee=customer.account_manager,
            invoice_ids=[portfolio.invoice.pk],
        ),
        dispute=dispute_open(
            actor=None,
            customer=customer,
            reason=_reason("pricing"),
            lines=[Disputed(portfolio.invoice)],
        ),
        spare_invoice=make_invoice(customer, "80.00", number=f"{customer.external_key}-SPARE"),
        # Its own invoice: the overdue one is in the plan above, and an invoice
        # in a live plan is not handed over.
        resolution=resolution_samples(
            customer, make_invoice(customer, "90.00", number=f"{customer.external_key}-AGY")
        ),
    )


def _reason(code: str) -> DisputeReason:
    reasons_install(django_apps)
    return DisputeReason.objects.get(code=code)
