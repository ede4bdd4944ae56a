"""Settings, plans and webhook endpoints through the API: the same services as the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from encaisse.accounts.models import User
from encaisse.dunning.models import DunningPlan, DunningSettings
from encaisse.ledger.models import Company
from tests.api.conftest import ApiAs

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_a_rep_reads_the_identity_but_not_the_dunning_knobs(
    api_as: ApiAs, bob: User, alice: User
) -> None:
    mine = api_as(bob).get("/api/v1/settings").json()
    assert mine["identity"]["legal_name"] == Company.current().legal_name
    assert mine["dunning"] is None and mine["go_live"] is None
    assert api_as(alice).get("/api/v1/settings").json()["dunning"] is not None


def test_terms_are_changed_by_the_service_and_checked(api_as: ApiAs, alice: User) -> None:
    client = api_as(alice)
    changed = client.patch("/api/v1/settings/terms", {"default_terms_days": 45}, content_type=JSON)
    assert changed.status_code == 200 and changed.json()["terms"]["default_terms_days"] == 45
    refused = client.patch("/api/v1/settings/terms", {"default_terms_days": 999}, content_type=JSON)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["pointer"] == "/default_terms_days"
    assert Company.current().default_terms_days == 45


def test_the_run_time_is_a_wall_clock_time_without_offset(api_as: ApiAs, alice: User) -> None:
    client = api_as(alice)
    url = "/api/v1/settings/dunning"
    changed = client.patch(url, {"run_at": "06:30"}, content_type=JSON)
    assert changed.status_code == 200
    assert changed.json()["dunning"]["run_at"] == "06:30:00"
    assert DunningSettings.current().run_at == dt.time(6, 30)
    # Pydantic reads 0 as midnight UTC and keeps offsets: the database cannot
    # store an aware time (a 500 found by the fuzz test).
    for bad in (0, "06:30+02:00", "06:30:00Z", "06:30:00-01:00"):
        refused = client.patch(url, {"run_at": bad}, content_type=JSON)
        assert refused.status_code == 422, bad
        assert [e["pointer"] for e in refused.json()["errors"]] == ["/run_at"]
    assert DunningSettings.current().run_at == dt.time(6, 30)


def test_several_bad_identity_fields_are_all_listed(api_as: ApiAs, alice: User) -> None:
    response = api_as(alice).patch(
        "/api/v1/settings/identity", {"siren": "123", "iban": "FR00"}, content_type=JSON
    )
    assert response.status_code == 422
    assert {e["pointer"] for e in response.json()["errors"]} == {"/siren", "/iban"}


def test_a_plan_is_created_with_its_steps_and_its_errors_point_into_them(
    api_as: ApiAs, alice: User
) -> None:
    client = api_as(alice)
    step = {"name": "Rappel", "offset_days": 5, "action": "email"}
    bad = client.post(
        "/api/v1/plans",
        {"name": "Grands comptes", "steps": [step, {**step, "name": "Bis", "action": "fax"}]},
        content_type=JSON,
    )
    assert bad.status_code == 422
    assert any(e["pointer"].startswith("/steps/1/") for e in bad.json()["errors"])
    created = client.post(
        "/api/v1/plans", {"name": "Grands comptes", "steps": [step]}, content_type=JSON
    )
    assert created.status_code == 201, created.content
    assert [s["name"] for s in created.json()["steps"]] == ["Rappel"]
    plan_id = created.json()["id"]
    assert client.delete(f"/api/v1/plans/{plan_id}").status_code == 204


def test_the_default_plan_cannot_be_deleted(api_as: ApiAs, alice: User) -> None:
    default = DunningPlan.objects.get(is_default=True)
    response = api_as(alice).delete(f"/api/v1/plans/{default.pk}")
    assert response.status_code == 409
    assert DunningPlan.objects.filter(pk=default.pk).exists()


def test_plans_are_finance_reading(api_as: ApiAs, bob: User) -> None:
    assert api_as(bob).get("/api/v1/plans").status_code == 403


def test_a_webhook_endpoint_to_a_private_address_is_refused(api_as: ApiAs, alice: User) -> None:
    response = api_as(alice).post(
        "/api/v1/webhooks/endpoints", {"url": "https://127.0.0.1/hook"}, content_type=JSON
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/url"


@override_settings(ENCAISSE_WEBHOOKS_ALLOW_HTTP=True, ENCAISSE_WEBHOOKS_ALLOW_PRIVATE=True)
def test_a_webhook_endpoint_is_created_with_its_secret_once_listed_without(
    api_as: ApiAs, alice: User
) -> None:
    client = api_as(alice)
    created = client.post(
        "/api/v1/webhooks/endpoints",
        {"url": "http://127.0.0.1:9/hook", "event_types": ["payment.recorded"]},
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    assert created.json()["secret"].startswith("whsec_")
    listed = client.get("/api/v1/webhooks/endpoints").json()
    assert "secret" not in listed[0]
    unknown = client.patch(
        f"/api/v1/webhooks/endpoints/{created.json()['id']}",
        {"event_types": ["no.such.event"]},
        content_type=JSON,
    )
    assert unknown.status_code == 422
    names = {t["name"] for t in client.get("/api/v1/webhooks/event-types").json()}
    assert {"invoice.overdue", "payment.recorded", "task.completed"} <= names
