"""`encaisse serve` starts the web server, the worker and the scheduler; Ctrl-C stops all three."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import closing
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _status(url: str) -> int:
    try:
        return int(urllib.request.urlopen(url, timeout=2).status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _wait_for_a_dunning_run(database: Path) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with closing(sqlite3.connect(database)) as db:
            if db.execute("SELECT count(*) FROM dunning_dunningrun").fetchone()[0]:
                return True
        time.sleep(0.3)
    return False


def test_serve_runs_web_worker_and_scheduler_and_ctrl_c_stops_all_three(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "ENCAISSE_VAR_DIR": str(tmp_path),
    }
    cli = [sys.executable, "-m", "encaisse.cli"]
    subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT, timeout=180)
    # A daily run time of midnight has always passed: the scheduler starts today's run at once.
    midnight = (
        "from encaisse.dunning.models import DunningSettings as S; "
        "from django.utils import timezone; "
        "S.objects.update_or_create(pk=1, defaults={'run_at': '00:00',"
        " 'first_run_confirmed_at': timezone.now()})"
    )
    subprocess.run([*cli, "shell", "-c", midnight], env=env, check=True, cwd=ROOT, timeout=60)
    port = _free_port()
    # The output goes to a file, not a pipe nobody reads: three processes logging
    # into a full pipe would block, and with them the shutdown this test checks.
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        status = 0
        while time.monotonic() < deadline:
            try:
                status = _status(f"http://127.0.0.1:{port}/login/")
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200
        # DEBUG is off: the product's own 404 page, not Django's debug page; static
        # files (ours, the admin's, htmx) are still served from the app folders.
        status, page = _get(f"http://127.0.0.1:{port}/no-such-page/")
        assert status == 404 and "ne fait pas partie de votre portefeuille" in page, page[:300]
        assert "URLconf" not in page
        for asset in ("web/app.css", "web/htmx.min.js", "admin/css/base.css"):
            assert _status(f"http://127.0.0.1:{port}/static/{asset}") == 200, asset
        children = psutil.Process(server.pid).children(recursive=True)
        commands = " ".join(" ".join(child.cmdline()) for child in children)
        assert "gunicorn" in commands and "db_worker" in commands
        assert any(child.cmdline()[-1:] == ["scheduler"] for child in children), commands
        # The scheduler enqueued today's dunning run and the worker ran it.
        assert _wait_for_a_dunning_run(tmp_path / "serve.sqlite3"), "no dunning run within 30 s"

        server.send_signal(signal.SIGINT)
        try:
            assert server.wait(timeout=30) == 0
        except subprocess.TimeoutExpired:
            pytest.fail("serve did not stop: " + (tmp_path / "serve.log").read_text()[-3000:])
        _gone, alive = psutil.wait_procs(children, timeout=15)
        assert not alive, [p.cmdline() for p in alive]
    finally:
        if server.poll() is None:
            # A failed assertion must not leave the server, worker or scheduler running.
            for child in psutil.Process(server.pid).children(recursive=True):
                child.kill()
            server.kill()
        log.close()
