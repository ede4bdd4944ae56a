"""The case file ZIP holds exactly what its manifest lists, and its sums are the ledger's."""

from __future__ import annotations

import csv
import email
import io
import zipfile
from decimal import Decimal
from email import policy
from pathlib import Path
from typing import Any

import pytest
import time_machine

from encaisse.accounts.models import User
from encaisse.dunning.delivery.tasks import deliveries_process
from encaisse.dunning.models import DunningMessage, MessageState
from encaisse.dunning.services.messages import message_approve
from encaisse.ledger.models import Invoice
from encaisse.ledger.services.records import payment_record
from encaisse.resolution.services.case_file import case_file_build, manifest_files
from encaisse.resolution.services.handover import handover_create
from tests.resolution.handover_helpers import agency, at, dunned_customer

pytestmark = pytest.mark.django_db


def rows(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    text = archive.read(name).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_the_zip_holds_exactly_what_the_manifest_says(alice: User, bob: User, media: None) -> None:
    customer, invoices = dunned_customer(bob, days=(3, 10, 30))
    with time_machine.travel(at(30)):  # the formal notice waits for finance's review
        notice = DunningMessage.objects.get(customer=customer, state=MessageState.TO_REVIEW)
        assert message_approve(actor=alice, message=notice)
        deliveries_process()
    with time_machine.travel(at(32)):
        payment_record(
            actor=alice, customer=customer, amount=Decimal("120.00"), date=at(32), external_key="P"
        )
        handover = handover_create(actor=alice, customer=customer, agency=agency(alice))
        archive = zipfile.ZipFile(case_file_build(handover=handover, user=alice))
    names = set(archive.namelist())
    readme = archive.read("README.txt").decode("utf-8")
    assert names - {"README.txt"} == set(manifest_files(readme))
    assert {"statement.pdf", "invoices.csv", "reminders.csv", "timeline.csv", "holds.csv"} <= names
    assert archive.read("statement.pdf").startswith(b"%PDF")

    # Every message sent about these invoices, an email as .eml and a document as PDF.
    sent = DunningMessage.objects.filter(customer=customer, state=MessageState.SENT)
    assert sent.count() >= 3
    listed = rows(archive, "reminders.csv")
    assert len(listed) == sent.count()
    for message in sent:
        assert message.sent_at is not None
        day = message.sent_at.date().isoformat()
        stem = f"messages/{day}-{message.channel}-{message.public_id}"
        if message.channel in {"email", "formal_notice"}:
            parsed = email.message_from_bytes(archive.read(f"{stem}.eml"), policy=policy.default)
            assert parsed["Subject"] == message.subject
        if message.pdf:
            assert archive.read(f"{stem}.pdf").startswith(b"%PDF")
    assert any(row["channel"] == "formal_notice" for row in listed)

    # The sums are the ledger's.
    lines = rows(archive, "invoices.csv")
    ledger = Invoice.objects.filter(pk__in=[i.pk for i in invoices])
    assert {row["number"] for row in lines} == {i.number for i in ledger}
    assert sum(Decimal(row["balance"]) for row in lines) == sum(i.balance for i in ledger)
    assert sum(Decimal(row["balance"]) for row in lines) == Decimal("1130.00")
    assert sum(Decimal(row["amount"]) for row in lines) == Decimal("1250.00")
    assert all(int(row["days_late"]) == 32 for row in lines)

    timeline = rows(archive, "timeline.csv")
    assert [row["at"] for row in timeline] == sorted(row["at"] for row in timeline)
    assert "resolution.handover.created" in {row["event"] for row in timeline}
    holds = rows(archive, "holds.csv")
    assert [row["reason"] for row in holds] == ["agency"]


def test_a_partial_handover_files_only_its_invoices(alice: User, bob: User, media: None) -> None:
    customer, (_big, small) = dunned_customer(bob, days=(3,))
    handover = handover_create(actor=alice, customer=customer, invoices=[small], kind="litigation")
    archive = zipfile.ZipFile(case_file_build(handover=handover, user=alice))
    assert [row["number"] for row in rows(archive, "invoices.csv")] == [small.number]
    readme = archive.read("README.txt").decode("utf-8")
    assert set(archive.namelist()) - {"README.txt"} == set(manifest_files(readme))


def test_the_case_file_lists_the_customers_disputes_and_promises(
    alice: User, bob: User, media: None
) -> None:
    from django.apps import apps as django_apps

    from encaisse.resolution.dispute_reasons import reasons_install
    from encaisse.resolution.models import DisputeReason
    from encaisse.resolution.services.disputes import Disputed, dispute_open, dispute_reject
    from encaisse.resolution.services.promises import promise_make

    customer, invoices = dunned_customer(bob, days=(3,))
    reasons_install(django_apps)
    with time_machine.travel(at(5)):
        dispute = dispute_open(
            actor=bob,
            customer=customer,
            reason=DisputeReason.objects.get(code="pricing"),
            lines=[Disputed(invoices[0], Decimal("50.00"))],
        )
        dispute_reject(actor=alice, dispute=dispute, explanation="Tarif du contrat signé")
        promise_make(actor=bob, customer=customer, amount=Decimal("200.00"), promised_on=at(12))
    with time_machine.travel(at(30)):
        handover = handover_create(actor=alice, customer=customer, agency=agency(alice))
        archive = zipfile.ZipFile(case_file_build(handover=handover, user=alice))
    readme = archive.read("README.txt").decode("utf-8")
    assert {"disputes.csv", "promises.csv"} <= set(manifest_files(readme))
    (disputed,) = rows(archive, "disputes.csv")
    assert (disputed["invoice"], disputed["amount"], disputed["reason"], disputed["status"]) == (
        invoices[0].number,
        "50.00",
        "pricing",
        "rejected",
    )
    assert disputed["note"] == "Tarif du contrat signé"
    (promised,) = rows(archive, "promises.csv")
    assert (promised["amount"], promised["promised_on"], promised["status"]) == (
        "200.00",
        at(12).isoformat(),
        "open",  # no daily check ran in this test: the case file says what the books say
    )
