"""Plans editor: the list, a plan's fields, its steps edited in place."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from encaisse.accounts.models import User
from encaisse.dunning.models import CustomerDunning, DunningPlan, DunningStep
from tests.web.conftest import Portfolio

pytestmark = pytest.mark.usefixtures("frozen_today")


def standard() -> DunningPlan:
    return DunningPlan.objects.get(is_default=True)


def step_named(name: str) -> DunningStep:
    return standard().steps.get(name=name)


def step_data(step: DunningStep, **changes: Any) -> dict[str, Any]:
    data = {
        "offset_days": step.offset_days,
        "name": step.name,
        "action": step.action,
        "template_code": step.template_code,
        "mode": step.mode,
        "min_balance": step.min_balance,
        "sender": step.sender,
        "sender_user": step.sender_user_id or "",
        "assignee": step.assignee,
    }
    if step.registered_mail:
        data["registered_mail"] = "on"
    return data | changes


def offsets_in(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-offset="(-?\d+)"', html)]


def test_the_list_shows_the_default_plan_its_steps_and_its_overrides(
    client: Client, alice: User, bobs: Portfolio
) -> None:
    own = DunningPlan.objects.create(name="Grands comptes", risk_classes="A")
    CustomerDunning.objects.create(customer=bobs.customer, plan=own)
    client.force_login(alice)
    page = client.get("/dunning/plans/").content.decode()
    rows = page[page.index('id="plans"') :]
    assert rows.index("Plan standard") < rows.index("Grands comptes")  # the default first
    assert '<td class="num">7</td>' in rows  # the standard plan's steps
    assert '<td class="num">1</td>' in rows  # one customer with its own plan


def test_a_step_is_edited_in_place_and_the_table_comes_back_sorted(
    client: Client, alice: User
) -> None:
    client.force_login(alice)
    step = step_named("Relance 1")
    form = client.get(f"/dunning/steps/{step.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert form.startswith('<tr class="step-form-row"') and 'name="offset_days"' in form
    response = client.post(
        f"/dunning/steps/{step.pk}/", step_data(step, offset_days=12), HTTP_HX_REQUEST="true"
    )
    assert response["HX-Retarget"] == "#steps"
    assert offsets_in(response.content.decode()) == [-5, 10, 12, 15, 25, 30, 45]
    assert step_named("Relance 1").offset_days == 12


def test_an_offset_already_used_is_a_form_error_naming_the_other_step(
    client: Client, alice: User
) -> None:
    client.force_login(alice)
    step = step_named("Relance 2")
    response = client.post(
        f"/dunning/steps/{step.pk}/", step_data(step, offset_days=3), HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert response.status_code == 200 and "HX-Retarget" not in response
    assert f'id="id_step-{step.pk}_offset_days-error"' in page and "Relance 1" in page
    assert step_named("Relance 2").offset_days == 10


def test_a_finance_sender_must_be_named(client: Client, alice: User) -> None:
    client.force_login(alice)
    step = step_named("Relance 2")
    response = client.post(f"/dunning/steps/{step.pk}/", step_data(step, sender="finance_user"))
    assert f'id="id_step-{step.pk}_sender_user-error"' in response.content.decode()
    client.post(
        f"/dunning/steps/{step.pk}/", step_data(step, sender="finance_user", sender_user=alice.pk)
    )
    assert step_named("Relance 2").sender_user == alice


def test_steps_are_added_and_deleted(client: Client, alice: User) -> None:
    client.force_login(alice)
    plan = standard()
    blank = client.get(f"/dunning/plans/{plan.pk}/steps/new/", HTTP_HX_REQUEST="true")
    assert 'id="step-form-new"' in blank.content.decode()
    added = client.post(
        f"/dunning/plans/{plan.pk}/steps/new/",
        {
            "offset_days": 60,
            "name": "Dernier avis",
            "action": "letter",
            "template_code": "letter",
            "mode": "review",
            "min_balance": "500",
            "sender": "company",
            "assignee": "finance",
            "registered_mail": "on",
        },
    )
    assert added["Location"] == f"/dunning/plans/{plan.pk}/"
    letter = plan.steps.get(name="Dernier avis")
    assert letter.registered_mail and letter.mode == "review" and letter.min_balance == 500
    removed = client.post(f"/dunning/steps/{letter.pk}/delete/", HTTP_HX_REQUEST="true")
    assert 60 not in offsets_in(removed.content.decode())
    assert not plan.steps.filter(name="Dernier avis").exists()


def test_a_plan_is_created_then_renamed_and_given_risk_classes(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.post("/dunning/plans/new/", {"name": "Clients à risque"})
    plan = DunningPlan.objects.get(name="Clients à risque")
    assert response["Location"] == f"/dunning/plans/{plan.pk}/"
    client.post(f"/dunning/plans/{plan.pk}/", {"name": "Risque élevé", "risk_classes": "c, d"})
    plan.refresh_from_db()
    assert (plan.name, plan.risk_classes, plan.is_default) == ("Risque élevé", "C,D", False)
    duplicate = client.post("/dunning/plans/new/", {"name": "risque élevé"})
    assert duplicate.status_code == 200
    assert DunningPlan.objects.filter(name__iexact="risque élevé").count() == 1


def test_the_default_plan_cannot_just_stop_being_the_default(client: Client, alice: User) -> None:
    client.force_login(alice)
    plan = standard()
    response = client.post(f"/dunning/plans/{plan.pk}/", {"name": plan.name})
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert standard() == plan


@pytest.mark.parametrize("name", ["bob", "dave"])
def test_sales_reps_and_managers_cannot_change_plans(
    client: Client, everyone: dict[str, User], name: str
) -> None:
    client.force_login(everyone[name])
    step = step_named("Relance 1")
    assert client.get("/dunning/plans/").status_code == 403
    assert (
        client.post(f"/dunning/steps/{step.pk}/", step_data(step, offset_days=9)).status_code == 403
    )
    assert client.post(f"/dunning/steps/{step.pk}/delete/").status_code == 403
    assert step_named("Relance 1").offset_days == 3


def test_a_plan_nobody_follows_is_deleted_from_its_page(client: Client, alice: User) -> None:
    client.force_login(alice)
    client.post("/dunning/plans/new/", {"name": "Plan éphémère"})
    plan = DunningPlan.objects.get(name="Plan éphémère")
    assert "plan-delete-form" in client.get(f"/dunning/plans/{plan.pk}/").content.decode()
    response = client.post(f"/dunning/plans/{plan.pk}/delete/")
    assert response["Location"] == "/dunning/plans/"
    assert not DunningPlan.objects.filter(pk=plan.pk).exists()


def test_the_default_plan_is_not_deleted_and_the_page_says_why(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.post(f"/dunning/plans/{standard().pk}/delete/", follow=True)
    assert "default" in response.content.decode() or "défaut" in response.content.decode()
    assert standard().steps.exists()


def test_bad_risk_classes_are_a_form_error(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.post("/dunning/plans/new/", {"name": "Plan X", "risk_classes": "C1"})
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert not DunningPlan.objects.filter(name="Plan X").exists()
