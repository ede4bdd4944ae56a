"""Dunning settings and go-live policy services: all bad fields at once, old → new."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.dunning.models import BacklogMode, DunningSettings
from encaisse.dunning.services.go_live import go_live_policy_update
from encaisse.dunning.services.settings import dunning_settings_update
from encaisse.dunning.settings_selectors import settings_visible_to
from encaisse.ledger.models import Company
from encaisse.lib.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_every_bad_field_is_listed_and_nothing_is_written(alice: User) -> None:
    with pytest.raises(ValidationFailed) as failed:
        dunning_settings_update(
            actor=alice,
            notice_deadline_days=0,
            max_delivery_attempts=0,
            min_contact_gap_days=400,
            recovery_indemnity=Decimal("-1"),
        )
    assert set(failed.value.errors) == {
        "notice_deadline_days", "max_delivery_attempts", "min_contact_gap_days",
        "recovery_indemnity",
    }  # fmt: skip
    assert DunningSettings.current().notice_deadline_days == 8
    assert Company.current().min_contact_gap_days == 3


def test_a_contractual_rate_is_never_below_three_times_the_legal_rate(alice: User) -> None:
    with pytest.raises(ValidationFailed) as failed:
        dunning_settings_update(actor=alice, contractual_penalty_rate=Decimal("5"))
    assert "8.280" in failed.value.errors["contractual_penalty_rate"][0]
    # Lowering the legal rate at the same time makes it valid.
    dunning_settings_update(
        actor=alice, contractual_penalty_rate=Decimal("5"), legal_interest_rate=Decimal("1")
    )
    assert DunningSettings.current().contractual_penalty_rate == Decimal("5")
    dunning_settings_update(actor=alice, contractual_penalty_rate=None)  # the legal rate again
    assert DunningSettings.current().contractual_penalty_rate is None


def test_the_gap_lives_on_the_company_and_the_timeline_lists_each_change(alice: User) -> None:
    dunning_settings_update(
        actor=alice, min_contact_gap_days=5, promise_grace_days=3, run_at=dt.time(6, 30)
    )
    assert Company.current().min_contact_gap_days == 5
    entry = Activity.objects.get(verb="dunning.settings.updated")
    assert entry.actor == alice
    assert entry.payload["changes"] == {
        "run_at": {"from": "07:00:00", "to": "06:30:00"},
        "min_contact_gap_days": {"from": 3, "to": 5},
    }  # the grace days were 3 already: not a change


@time_machine.travel(dt.date(2026, 3, 15), tick=False)
def test_go_live_policy_lists_its_bad_fields(alice: User) -> None:
    with pytest.raises(ValidationFailed) as failed:
        go_live_policy_update(
            actor=alice, go_live_on=None, mode=BacklogMode.UP_TO, ceiling_offset=None
        )
    assert set(failed.value.errors) == {"go_live_on", "ceiling_offset"}
    with pytest.raises(ValidationFailed) as failed:
        go_live_policy_update(
            actor=alice, go_live_on=dt.date(2028, 1, 1), mode="sometimes", ceiling_offset=None
        )
    assert set(failed.value.errors) == {"go_live_on", "mode"}


@time_machine.travel(dt.date(2026, 3, 15), tick=False)
def test_go_live_policy_records_only_what_changed(alice: User) -> None:
    on = dt.date(2026, 3, 1)
    go_live_policy_update(actor=alice, go_live_on=on, mode=BacklogMode.UP_TO, ceiling_offset=10)
    first = Activity.objects.get(verb="dunning.go_live.changed")
    assert first.payload["changes"]["backlog_mode"] == {"from": "full", "to": "up_to"}
    go_live_policy_update(actor=alice, go_live_on=on, mode=BacklogMode.UP_TO, ceiling_offset=10)
    assert Activity.objects.filter(verb="dunning.go_live.changed").count() == 1


@pytest.mark.parametrize(("viewer", "sees_all"), [("ada", True), ("alice", True),
                                                  ("bob", False), ("dave", False)])  # fmt: skip
def test_reps_and_managers_read_identity_and_terms_only(
    everyone: dict[str, User], viewer: str, sees_all: bool
) -> None:
    dunning_settings_update(actor=None, min_contact_gap_days=4)
    view = settings_visible_to(everyone[viewer])
    assert view.identity.legal_name == "Ma Société" and view.terms.default_terms_days == 30
    if sees_all:
        assert view.dunning is not None and view.dunning.min_contact_gap_days == 4
        assert view.go_live is not None and view.go_live.first_run_confirmed_at is not None
        assert view.cash is not None
    else:
        assert (view.dunning, view.go_live, view.cash) == (None, None, None)
