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
    # The company's language by default (French here), every figure naming what it counts.
    assert "Relances du 2026-03-05\u00a0: 1 facture examinée (dont 1 nouvelle)" in first
    assert "1 étape exécutée, 1 étape passée" in first
    assert "1 message (0 à valider), 0 tâche." in first
    assert "  Relance 1\u00a0: 1 facture" in first
    assert "déjà été exécutées" in second
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
        english = command("preview", "--date", "2026-03-05", "--language", "en")
    assert (
        "2026-02-25\u00a0: 1 message, 0 tâche — factures par étape\u00a0: "
        "Rappel préventif\u00a0: 1 facture"
    ) in output
    assert "2026-02-24\u00a0: 0 message, 0 tâche\n" in output
    assert (
        f"  {customer.name} ({customer.external_key})\u00a0: Relance 1 (E-mail), 1 facture, "
        in output
    )
    assert (
        "2026-02-25: 1 message, 0 tasks — invoices per step: Rappel préventif: 1 invoice" in english
    )
    assert f"{customer.name} ({customer.external_key}): Relance 1 (Email), 1 invoice, €" in english
    assert not DunningAction.objects.exists() and not DunningRun.objects.exists()


def test_a_bad_date_or_a_run_back_in_time_is_a_clear_error(bob: User) -> None:
    with pytest.raises(CommandError, match="--date attend une date au format AAAA-MM-JJ"):
        command("run", "--date", "05/03/2026")
    with time_machine.travel(dt.date(2026, 3, 5)):
        command("run", "--date", "2026-03-05")
        with pytest.raises(CommandError, match="date ultérieure"):
            command("run", "--date", "2026-03-04")


def test_the_run_report_speaks_english_on_request_with_english_plurals(bob: User) -> None:
    for due in (dt.date(2026, 3, 1), dt.date(2026, 3, 2)):
        invoice_due(remindable_customer(bob), due)
    with time_machine.travel(dt.date(2026, 3, 5)):
        output = command("run", "--date", "2026-03-05", "--language", "en")
    assert "Dunning run of 2026-03-05: 2 invoices examined (2 new), 2 steps performed" in output
    assert "0 invoices postponed (minimum gap), 0 invoices blocked" in output
    assert "2 messages (0 to review), 0 tasks." in output
