"""Real worker processes against the test's own database (fault and concurrency tests).

The test prepares its data with the ORM as usual (in a transactional test, so
that it is committed); `SharedDatabase` makes that database reachable from
other processes. On PostgreSQL the children connect to the test database
itself. On SQLite the test database lives in memory, which no other process
can open: `handover()` copies it to a file (SQLite's online backup, a few
milliseconds) that the children open with the production settings (WAL,
IMMEDIATE transactions), and `takeback()` copies the file back so that the
test reads what the children wrote.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent
_numbers = itertools.count(1)
# A child never takes this long; past it the test fails rather than hang CI.
CHILD_TIMEOUT = 60


class SharedDatabase:
    def __init__(self, tmp_path: Path, *, smtp_port: int | None = None) -> None:
        self.vendor = connection.vendor
        self.tmp_path = tmp_path
        self.file = tmp_path / "shared.sqlite3"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "encaisse.settings",
            "DATABASE_URL": self._url(),
            "DB_CONN_MAX_AGE": "0",
            "ENCAISSE_VAR_DIR": str(tmp_path),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "LOG_LEVEL": "WARNING",
        }
        if smtp_port is not None:
            self.env.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp_port))

    def _url(self) -> str:
        if self.vendor == "sqlite":
            return f"sqlite:///{self.file}"
        db = connection.settings_dict  # NAME is the test database's by now
        password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
        return (
            f"postgres://{quote(db['USER'] or '')}{password}@{db['HOST'] or 'localhost'}"
            f":{db['PORT'] or 5432}/{db['NAME']}"
        )

    def handover(self) -> None:
        """Make what the test committed visible to the children."""
        if self.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(self.file)
            try:
                connection.connection.backup(target)
            finally:
                target.close()

    def takeback(self) -> None:
        """Make what the children wrote visible to the test."""
        if self.vendor == "sqlite":
            source = sqlite3.connect(self.file)
            try:
                source.backup(connection.connection)
            finally:
                source.close()


class Child:
    """A worker process, started and waiting for `go()`."""

    def __init__(self, db: SharedDatabase, job: str, *, at: dt.datetime, date: dt.date | None):
        command = [sys.executable, "-m", "tests.dunning.worker_process", job]
        command += ["--at", at.isoformat()]
        if date is not None:
            command += ["--date", date.isoformat()]
        # stderr to a file: a pipe nobody reads could fill up and block the worker.
        self.log = db.tmp_path / f"worker-{next(_numbers)}.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=db.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        assert self.process.stdout is not None
        ready = self.process.stdout.readline().strip()
        assert ready == "ready", f"worker did not start: {ready!r}\n{self.errors()}"

    def errors(self) -> str:
        return self.log.read_text()[-3000:]

    def go(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("go\n")
        self.process.stdin.flush()

    def result(self) -> dict[str, object]:
        out, _err = self.process.communicate(timeout=CHILD_TIMEOUT)
        assert self.process.returncode == 0, f"worker failed:\n{self.errors()}"
        return dict(json.loads(out.strip().splitlines()[-1]))

    def kill(self) -> None:
        """SIGKILL: no cleanup, no rollback handler, no goodbye to the SMTP server."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=CHILD_TIMEOUT)


def together(
    db: SharedDatabase, job: str, count: int, *, at: dt.datetime, date: dt.date | None = None
) -> list[dict[str, object]]:
    """Start `count` workers, release them at the same instant, return their results."""
    db.handover()
    children = [Child(db, job, at=at, date=date) for _ in range(count)]
    for child in children:
        child.go()
    results = [child.result() for child in children]
    db.takeback()
    return results


def alone(
    db: SharedDatabase, job: str, *, at: dt.datetime, date: dt.date | None = None
) -> dict[str, object]:
    return together(db, job, 1, at=at, date=date)[0]
