"""Each real FEC of the shared corpus, imported, then run through dunning: no
customer whose net position is zero or less gets a message, a call task or an
escalation, and no message asks for more than the customer owes (issue 7).

The books are run with the full catch-up policy (the harshest: every old invoice
goes straight to its latest step), a long time after their fiscal year.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine

from encaisse.collab.models import Task, TaskKind
from encaisse.dunning.delivery.tasks import deliveries_process
from encaisse.dunning.models import ActionStatus, DunningAction, DunningMessage, MessageState
from encaisse.dunning.services.run import dunning_run
from encaisse.ledger.models import Contact, Customer
from tests.imports.helpers import net_balances, run

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "fec"
FILES = sorted(path.name for path in CORPUS.glob("*")) if CORPUS.is_dir() else []
RUN_ON = dt.date(2026, 12, 4)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="shared FEC corpus not available"),
]


def chased(message: DunningMessage) -> Decimal:
    if message.total is not None:
        return message.total
    actions = DunningAction.objects.filter(
        message=message, status__in=[ActionStatus.PLANNED, ActionStatus.TO_REVIEW]
    )
    return sum((a.balance for a in actions), Decimal("0.00"))


@pytest.mark.parametrize("name", [n for n in FILES if n.endswith(".txt")])
def test_no_customer_who_owes_nothing_is_chased(name: str, tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    report = run("fec", (CORPUS / name).read_bytes(), filename=name)
    assert report.status == "applied", (report.file_error, report.errors[:3])
    # FEC carries no contact: give every customer one, so that nothing fails for want of it.
    Contact.objects.bulk_create(
        Contact(
            customer=c, name="Compta", email=f"c{c.pk}@client.test", preferred_for_reminders=True
        )
        for c in Customer.objects.all()
    )
    with time_machine.travel(RUN_ON):
        dunning_run(run_on=RUN_ON)
        deliveries_process()
    nets = net_balances()
    keys = dict(Customer.objects.values_list("pk", "external_key"))
    for message in DunningMessage.objects.exclude(state=MessageState.CANCELLED):
        net = nets.get(keys[message.customer_id], Decimal("0.00"))
        assert net > 0, (keys[message.customer_id], message.channel, net)
        assert chased(message) <= net, (keys[message.customer_id], message.channel)
    for task in Task.objects.exclude(kind=TaskKind.APPLY_CASH):
        if task.customer_id is not None:
            assert nets.get(keys[task.customer_id], Decimal("0.00")) > 0, (task.kind, task.title)


def test_quadra_tout_en_gros_is_not_handed_over(tmp_path: Path, settings: Any) -> None:
    """2 511,65 € open and a payment of 2 511,65 € on account: its invoice was
    decided "Transmission au recouvrement"; now finance is asked to apply the cash."""
    settings.MEDIA_ROOT = tmp_path
    name = "ekylibre__quadra__123456789FEC20190731.txt"
    run("fec", (CORPUS / name).read_bytes(), filename=name)
    customer = Customer.objects.get(name="TOUT EN GROS")
    assert customer.open_balance == Decimal("2511.65")
    with time_machine.travel(RUN_ON):
        dunning_run(run_on=RUN_ON)
    assert not DunningMessage.objects.filter(customer=customer).exists()
    kinds = set(Task.objects.filter(customer=customer).values_list("kind", flat=True))
    assert kinds == {TaskKind.APPLY_CASH}
