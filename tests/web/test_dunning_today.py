"""The dunning home: today's messages, review queue, failures, tasks, runs, freshness, preview."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from encaisse.accounts.models import User
from encaisse.collab.models import Activity, Task, TaskKind
from encaisse.dunning.models import DunningMessage, DunningRun, MessageState
from encaisse.ledger.models import ImportBatch, ImportKind, ImportStatus
from encaisse.lib import clock
from tests.web.conftest import TODAY, Portfolio
from tests.web.dunning_samples import Messages, message_for, messages_for

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def carol_messages(carols: Portfolio) -> Messages:
    return messages_for(carols.customer, carols.invoice)


def page_of(client: Client, user: User) -> str:
    client.force_login(user)
    response = client.get("/dunning/")
    assert response.status_code == 200
    return response.content.decode()


def test_each_rep_sees_the_day_of_his_portfolio_only(
    client: Client, bob: User, alice: User, bob_messages: Messages, carol_messages: Messages
) -> None:
    page = page_of(client, bob)
    assert "Boulangerie Bob" in page and f"/dunning/messages/{bob_messages.to_review.pk}/" in page
    assert "Carrosserie Carol" not in page and "CAROL-OVERDUE" not in page
    assert 'data-action="approve"' not in page  # reps read, finance acts
    everything = page_of(client, alice)
    assert "Boulangerie Bob" in everything and "Carrosserie Carol" in everything
    assert everything.count('data-action="approve"') == 2
    assert everything.count('data-action="retry"') == 2


def test_todays_messages_are_grouped_per_customer_with_invoices_total_and_state(
    client: Client, alice: User, bobs: Portfolio, bob_messages: Messages
) -> None:
    extra = message_for(bobs.customer, [bobs.invoice], state=MessageState.PENDING, tag=":x")
    page = page_of(client, alice)
    group = page[page.index('<tbody class="group">') :]
    assert group.count("Boulangerie Bob") == 1  # one heading for the customer
    assert f"/dunning/messages/{extra.pk}/" in group
    assert "badge-message-pending" in group and "badge-message-to_review" in group
    assert "BOB-OVERDUE" in group and "950,00" in group
    # The formal notice sent 20 days ago is not today's.
    assert f"/dunning/messages/{bob_messages.sent.pk}/" not in group


def test_finance_approves_in_place_and_the_message_goes_out(
    client: Client, alice: User, bob_messages: Messages
) -> None:
    client.force_login(alice)
    message = bob_messages.to_review
    response = client.post(f"/dunning/messages/{message.pk}/approve/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="message-{message.pk}"' in response.content.decode()
    assert "badge-message-pending" in response.content.decode()
    message.refresh_from_db()
    assert message.state == MessageState.PENDING and message.reviewed_by == alice
    assert Activity.objects.filter(verb="dunning.message.approved", actor=alice).exists()
    again = client.post(f"/dunning/messages/{message.pk}/skip/", {"next": "/dunning/"})
    assert again.status_code == 302 and again["Location"] == "/dunning/"
    message.refresh_from_db()
    assert message.state == MessageState.PENDING  # already approved: the skip changes nothing


def test_finance_skips_a_message_and_it_leaves_the_queue(
    client: Client, alice: User, bob_messages: Messages
) -> None:
    client.force_login(alice)
    message = bob_messages.to_review
    response = client.post(f"/dunning/messages/{message.pk}/skip/", {"next": "/dunning/"})
    assert response["Location"] == "/dunning/"
    message.refresh_from_db()
    assert message.state == MessageState.CANCELLED
    assert f"/dunning/messages/{message.pk}/approve/" not in page_of(client, alice)


def test_a_redirect_after_an_action_stays_on_this_site(
    client: Client, alice: User, bob_messages: Messages
) -> None:
    client.force_login(alice)
    message = bob_messages.to_review
    response = client.post(
        f"/dunning/messages/{message.pk}/skip/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == f"/dunning/messages/{message.pk}/"


def test_finance_retries_a_failure(client: Client, alice: User, bob_messages: Messages) -> None:
    client.force_login(alice)
    page = page_of(client, alice)
    assert "550 no such user" in page  # the error, in the failures list
    failed = bob_messages.failed
    client.post(f"/dunning/messages/{failed.pk}/retry/", HTTP_HX_REQUEST="true")
    failed.refresh_from_db()
    assert failed.state == MessageState.PENDING and failed.last_error == ""


@pytest.mark.parametrize("name", ["dave", "bob"])
def test_managers_and_reps_cannot_act_on_the_outbox(
    client: Client, everyone: dict[str, User], bob_messages: Messages, name: str
) -> None:
    client.force_login(everyone[name])
    for action, message in [
        ("approve", bob_messages.to_review),
        ("skip", bob_messages.to_review),
        ("retry", bob_messages.failed),
    ]:
        assert client.post(f"/dunning/messages/{message.pk}/{action}/").status_code == 403
    assert DunningMessage.objects.get(pk=bob_messages.to_review.pk).state == "to_review"


def test_a_rep_cannot_act_on_another_reps_message_nor_learn_it_exists(
    client: Client, carol: User, bob_messages: Messages
) -> None:
    client.force_login(carol)
    response = client.post(f"/dunning/messages/{bob_messages.to_review.pk}/approve/")
    assert response.status_code == 404


def test_tasks_created_today_are_listed_for_their_customers_viewers(
    client: Client, alice: User, bob: User, carol: User, bobs: Portfolio, carols: Portfolio
) -> None:
    for customer, title in [(bobs.customer, "Appeler Bob"), (carols.customer, "Appeler Carol")]:
        Task.objects.create(
            kind=TaskKind.CALL_CORDIAL, title=title, customer=customer, due_on=TODAY
        )
    Task.objects.create(
        kind=TaskKind.CALL_FORMAL,
        title="Appel d'hier",
        customer=bobs.customer,
        due_on=TODAY,
        created_at=clock.now() - dt.timedelta(days=1),
    )
    page = page_of(client, bob)
    assert "Appeler Bob" in page and "Appeler Carol" not in page and "Appel d'hier" not in page
    assert "Appeler Carol" in page_of(client, alice)


def test_the_last_runs_are_shown_with_their_figures(client: Client, dave: User) -> None:
    DunningRun.objects.create(
        run_on=TODAY,
        finished_at=clock.now(),
        counts={"examined": 1234, "performed": 56, "messages": 78, "to_review": 9, "tasks": 10},
    )
    page = page_of(client, dave)
    for figure in ("1234", "56", "78", "10"):
        assert f'<td class="num">{figure}' in page


def test_a_banner_says_when_the_freshness_guard_holds_automatic_sends(
    client: Client, alice: User
) -> None:
    batch = ImportBatch.objects.create(
        kind=ImportKind.PAYMENTS,
        filename="paiements.csv",
        sha256="1" * 64,
        status=ImportStatus.APPLIED,
        finished_at=timezone.now() - dt.timedelta(hours=100),
    )
    assert 'id="freshness-banner"' in page_of(client, alice)
    ImportBatch.objects.filter(pk=batch.pk).update(finished_at=timezone.now())
    assert 'id="freshness-banner"' not in page_of(client, alice)


def test_one_page_reads_the_freshness_and_the_viewers_team_once(
    client: Client, dave: User, bob_messages: Messages
) -> None:
    client.force_login(dave)  # dave leads team North: his scope needs its members
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/dunning/").status_code == 200
    sqls = [query["sql"] for query in captured.captured_queries]
    assert sum('FROM "ledger_payment"' in sql for sql in sqls) == 1
    assert sum('FROM "ledger_importbatch"' in sql for sql in sqls) == 1
    assert sum('"accounts_team"."lead_id"' in sql for sql in sqls) == 1
    assert len(sqls) <= 22


def test_the_preview_shows_a_future_day_scoped_to_the_viewer(
    client: Client, alice: User, bob: User, bobs: Portfolio, carols: Portfolio
) -> None:
    # The portfolios' invoices fell due on 9 February: J+45 (handover) is 26 March.
    on = (TODAY + dt.timedelta(days=11)).isoformat()
    client.force_login(alice)
    page = client.get("/dunning/preview/", {"on": on}, HTTP_HX_REQUEST="true").content.decode()
    assert f'id="preview-{on}"' in page
    assert "Boulangerie Bob" in page and "Carrosserie Carol" in page
    assert "row-target" in page  # the per-day totals, ending with the target date
    client.force_login(bob)
    mine = client.get("/dunning/preview/", {"on": on}, HTTP_HX_REQUEST="true").content.decode()
    assert "Boulangerie Bob" in mine and "Carrosserie Carol" not in mine
    assert "row-target" not in mine  # the whole ledger's totals are finance's
    assert not DunningMessage.objects.exists()  # a preview writes nothing


def test_the_preview_refuses_a_past_date(client: Client, alice: User) -> None:
    client.force_login(alice)
    past = (TODAY - dt.timedelta(days=1)).isoformat()
    page = client.get("/dunning/preview/", {"on": past}).content.decode()
    assert 'class="error"' in page and "preview-" + past not in page
