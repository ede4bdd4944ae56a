"""`encaisse dunning run` and `encaisse dunning preview`."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from encaisse.accounts.models import User
from encaisse.dunning.models import DunningAction, DunningMessage, DunningRun
from tests.dunning.conftest import invoice_due, remindable_customer

pytestmark = pytest.mark.django_db


def command(*args: str) -> str:
    out = StringIO()
    call_command("dunning", *args, stdout=out)
    return out.getvalue()


def test_run_for_a_date_reports_what_it_decided_and_twice_does_nothing(bob: User) -> None:
    invoice_due(remindable_customer(bob), dt.date(2026, 3, 2))
    with time_machine.travel(dt.date(2026, 3, 5)):
        first = command("run", "--date", "2026-03-05")
        second = command("run", "--date", "2026-03-05")
    assert "1 invoices examined" in first and "Relance 1: 1" in first
    assert "already run" in second
    assert DunningRun.objects.count() == 1 and DunningMessage.objects.count() == 1


def test_run_without_a_date_runs_today(bob: User) -> None:
    invoice_due(remindable_customer(bob), dt.date(2026, 3, 2))
    with time_machine.travel(dt.datetime(2026, 3, 5, 9, tzinfo=dt.UTC)):
        command("run")
    assert DunningRun.objects.get().run_on == dt.date(2026, 3, 5)


def test_preview_lists_the_days_and_the_target_groups_and_writes_nothing(bob: User) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, dt.date(2026, 3, 2))
    with time_machine.travel(dt.date(2026, 2, 20)):
        output = command("preview", "--date", "2026-03-05")
    assert "2026-02-25: 1 messages, 0 tasks (Rappel préventif 1)" in output
    assert f"customer {customer.pk}: Relance 1 (email), 1 invoice(s)" in output
    assert not DunningAction.objects.exists() and not DunningRun.objects.exists()


def test_a_bad_date_or_a_run_back_in_time_is_a_clear_error(bob: User) -> None:
    with pytest.raises(CommandError, match="--date attend une date au format AAAA-MM-JJ"):
        command("run", "--date", "05/03/2026")
    with time_machine.travel(dt.date(2026, 3, 5)):
        command("run", "--date", "2026-03-05")
        with pytest.raises(CommandError, match="date ultérieure"):
            command("run", "--date", "2026-03-04")
