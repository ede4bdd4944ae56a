"""The demo's history lives through instalment plans: completed, in progress, in default."""

from __future__ import annotations

import datetime as dt

import pytest

from encaisse.demo.history import load_with_history
from encaisse.dunning.models import DunningMessage
from encaisse.resolution.models import PaymentPlan

pytestmark = pytest.mark.django_db


def test_sixty_days_of_history_give_plans_in_every_state() -> None:
    load_with_history(invoices=300, seed=7, today=dt.date(2026, 3, 31), history_days=60)
    states = sorted(PaymentPlan.objects.values_list("status", flat=True))
    assert "completed" in states and "active" in states and "defaulted" in states
    assert "proposed" in states  # one waits for finance's approval
    assert DunningMessage.objects.filter(key__startswith="instalment:").exists()
