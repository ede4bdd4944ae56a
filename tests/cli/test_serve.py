"""`encaisse serve` starts the web server and the worker, and Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

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


def test_serve_runs_web_and_worker_and_ctrl_c_stops_both(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "ENCAISSE_VAR_DIR": str(tmp_path),
    }
    cli = [sys.executable, "-m", "encaisse.cli"]
    subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT, timeout=180)
    port = _free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
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
        children = psutil.Process(server.pid).children(recursive=True)
        commands = " ".join(" ".join(child.cmdline()) for child in children)
        assert "gunicorn" in commands and "db_worker" in commands

        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0
        _gone, alive = psutil.wait_procs(children, timeout=15)
        assert not alive, [p.cmdline() for p in alive]
    finally:
        if server.poll() is None:
            server.kill()
