"""Uploads never applied are deleted after ENCAISSE_UPLOAD_RETENTION_DAYS (issue 7): by
`encaisse imports purge`, and once a day by the scheduler, so nobody has to remember."""

from __future__ import annotations

import datetime as dt
import os
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from encaisse.accounts.models import User
from encaisse.dunning.scheduling import Scheduler
from encaisse.ledger.imports.uploads import upload_folder, upload_store, uploads_purge
from encaisse.ledger.models import Customer
from tests.dunning.test_scheduling import work

pytestmark = pytest.mark.django_db

GOOD = b"external_key;name\nC1;Dupont\n"
BAD = b"external_key;name\nC1;Dupont\nC1;Twice\n"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def days(n: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=n)


def upload_and_review(client: Client, content: bytes) -> dict[str, str]:
    response = client.post(
        reverse("import_new"),
        {"kind": "customers", "file": SimpleUploadedFile("c.csv", content)},
        follow=True,
    )
    form = response.context["form"]
    return {name: form.cleaned_data[name] for name in ("kind", "sha256", "name")}


def test_an_upload_never_applied_is_purged_after_the_retention(
    client: Client, alice: User, settings: Any
) -> None:
    client.force_login(alice)
    rejected = upload_and_review(client, BAD)
    client.post(reverse("import_apply"), rejected)  # rejected: the file stays for a retry
    abandoned = upload_and_review(client, GOOD)  # reviewed, never applied
    kept = [upload_folder() / data["sha256"] for data in (rejected, abandoned)]
    assert all(path.is_file() for path in kept)
    assert settings.ENCAISSE_UPLOAD_RETENTION_DAYS == 7
    with time_machine.travel(days(6.9)):
        assert uploads_purge() == []
    with time_machine.travel(days(7.1)):
        assert sorted(uploads_purge()) == sorted(kept)
        assert not any(path.exists() for path in kept)
        # The review and the apply then ask for the file again, without a 500.
        response = client.post(reverse("import_apply"), abandoned, follow=True)
        assert response.status_code == 200
        assert "Le fichier envoyé a expiré" in response.content.decode()
    assert Customer.objects.count() == 0


def test_an_applied_upload_is_deleted_at_once(client: Client, alice: User) -> None:
    client.force_login(alice)
    data = upload_and_review(client, GOOD)
    client.post(reverse("import_apply"), data)
    assert not (upload_folder() / data["sha256"]).exists()


def test_uploading_the_same_file_again_starts_its_retention_again() -> None:
    with time_machine.travel(days(-6)):
        upload_store([GOOD])
    upload_store([GOOD])
    with time_machine.travel(days(3)):
        assert uploads_purge() == []


def test_the_retention_is_a_setting(settings: Any) -> None:
    path = upload_folder() / upload_store([GOOD])
    settings.ENCAISSE_UPLOAD_RETENTION_DAYS = 30
    with time_machine.travel(days(8)):
        assert uploads_purge() == []
    with time_machine.travel(days(31)):
        assert uploads_purge() == [path]


def test_the_purge_command(settings: Any) -> None:
    path = upload_folder() / upload_store([GOOD])
    with time_machine.travel(days(8)):
        out = StringIO()
        call_command("imports", "purge", "--dry-run", stdout=out)
        assert "Would delete 1 upload(s) older than 7 days" in out.getvalue()
        assert path.is_file()
        out = StringIO()
        call_command("imports", "purge", "--days", "10", stdout=out)
        assert "Deleted 0 upload(s) older than 10 days" in out.getvalue()
        call_command("imports", "purge", stdout=StringIO())
        assert not path.exists()
    with pytest.raises(CommandError, match="at least 1"):
        call_command("imports", "purge", "--days", "0", stdout=StringIO())


def test_the_scheduler_purges_expired_uploads_once_a_day() -> None:
    path = upload_folder() / upload_store([GOOD])
    fresh = upload_folder() / upload_store([BAD])
    scheduler = Scheduler()
    # (The daily dunning run may be enqueued too, depending on the hour: not this test's.)
    with time_machine.travel(days(3), tick=False):
        assert scheduler.tick().purge is False  # nothing expired yet: nothing enqueued
    written = days(5).timestamp()  # uploaded again on day 5: not expired on day 7.5
    os.utime(fresh, (written, written))
    with time_machine.travel(days(7.5), tick=False):
        assert scheduler.tick().purge is True
        assert scheduler.tick().purge is False  # looked at once a day
        assert DBTaskResult.objects.filter(task_path__endswith="purge_expired_uploads").count() == 1
        work()
        assert not path.exists() and fresh.is_file()
    with time_machine.travel(days(30), tick=False):
        assert Scheduler().tick().purge is True  # the next days, what has expired since


def test_scheduler_once_says_it_enqueued_the_purge() -> None:
    upload_store([GOOD])
    out = StringIO()
    with time_machine.travel(days(8), tick=False):
        call_command("scheduler", "--once", stdout=out)
    assert "Purge of expired import uploads enqueued." in out.getvalue()
