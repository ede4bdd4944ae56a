"""Idempotency-Key: a retried POST is done once; failures leave nothing behind."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from encaisse.accounts.models import User
from encaisse.api.idempotency import idempotency_purge
from encaisse.api.models import IdempotentRequest
from encaisse.ledger.models import Contact
from tests.api.conftest import ApiAs
from tests.web.conftest import Portfolio

pytestmark = pytest.mark.django_db


def post(client: Client, url: str, body: dict[str, Any], key: str | None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(url, body, content_type="application/json", headers=headers)


def test_a_retried_post_returns_the_first_response_and_creates_one_object(
    api_as: ApiAs, alice: User, bobs: Portfolio
) -> None:
    client, url = api_as(alice), f"/api/v1/customers/{bobs.customer.pk}/contacts"
    first = post(client, url, {"name": "Once"}, "k-1")
    again = post(client, url, {"name": "Once"}, "k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Contact.objects.filter(name="Once").count() == 1


def test_without_a_key_each_post_acts(api_as: ApiAs, alice: User, bobs: Portfolio) -> None:
    client, url = api_as(alice), f"/api/v1/customers/{bobs.customer.pk}/contacts"
    post(client, url, {"name": "Twice"}, None)
    post(client, url, {"name": "Twice"}, None)
    assert Contact.objects.filter(name="Twice").count() == 2


def test_a_key_reused_for_another_request_is_refused(
    api_as: ApiAs, alice: User, bobs: Portfolio
) -> None:
    client, url = api_as(alice), f"/api/v1/customers/{bobs.customer.pk}/contacts"
    post(client, url, {"name": "First"}, "k-2")
    refused = post(client, url, {"name": "Second"}, "k-2")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["parameter"] == "Idempotency-Key"
    assert not Contact.objects.filter(name="Second").exists()


def test_keys_are_private_to_each_credential(
    api_as: ApiAs, alice: User, ada: User, bobs: Portfolio
) -> None:
    url = f"/api/v1/customers/{bobs.customer.pk}/contacts"
    post(api_as(alice), url, {"name": "Alice's"}, "shared-key")
    other = post(api_as(ada), url, {"name": "Ada's"}, "shared-key")
    assert other.status_code == 201 and "Idempotent-Replayed" not in other
    assert Contact.objects.filter(name__in=["Alice's", "Ada's"]).count() == 2


def test_a_refused_request_is_replayed_as_refused_and_wrote_nothing(
    api_as: ApiAs, alice: User, bobs: Portfolio
) -> None:
    client, url = api_as(alice), f"/api/v1/customers/{bobs.customer.pk}/contacts"
    first = post(client, url, {"name": ""}, "k-3")
    assert first.status_code == 422
    assert post(client, url, {"name": ""}, "k-3")["Idempotent-Replayed"] == "true"


def test_a_server_error_writes_nothing_and_frees_the_key(
    settings: Any, api_as: ApiAs, alice: User, bobs: Portfolio
) -> None:
    settings.ROOT_URLCONF = "tests.api.urls_boom"
    client = api_as(alice)
    client.raise_request_exception = False
    url = f"/api/boom/?customer={bobs.customer.external_key}"
    assert post(client, url, {}, "k-4").status_code == 500
    assert not Contact.objects.filter(name="Half-done").exists()
    assert not IdempotentRequest.objects.filter(key="k-4").exists()


def test_every_write_is_atomic_even_without_a_key(
    settings: Any, api_as: ApiAs, alice: User, bobs: Portfolio
) -> None:
    settings.ROOT_URLCONF = "tests.api.urls_boom"
    client = api_as(alice)
    client.raise_request_exception = False
    url = f"/api/boom/?customer={bobs.customer.external_key}"
    assert post(client, url, {}, None).status_code == 500
    assert not Contact.objects.filter(name="Half-done").exists()


def test_old_keys_are_purged(api_as: ApiAs, alice: User, bobs: Portfolio) -> None:
    client, url = api_as(alice), f"/api/v1/customers/{bobs.customer.pk}/contacts"
    post(client, url, {"name": "Old"}, "k-5")
    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        assert idempotency_purge() == 1
        again = post(client, url, {"name": "Old"}, "k-5")
    assert "Idempotent-Replayed" not in again


def test_an_overlong_key_is_refused(api_as: ApiAs, alice: User, bobs: Portfolio) -> None:
    url = f"/api/v1/customers/{bobs.customer.pk}/contacts"
    assert post(api_as(alice), url, {"name": "X"}, "k" * 256).status_code == 422
