"""Webhook fan-out: 10 000 events to a loopback receiver with 2 workers (issue 8).

Usage:

    .venv/bin/python bench/webhook_bench.py                     # SQLite, in a temporary folder
    DATABASE_URL=postgres://…/scratch .venv/bin/python bench/webhook_bench.py   # a disposable DB

1. Migrates the database, starts a threaded HTTP receiver on 127.0.0.1 that
   answers 200 and counts every webhook-id it receives, creates one endpoint.
2. Emits EVENTS events in one transaction with `events_emit_many` (timed; also
   the same call with no endpoint, which must cost nothing), which enqueues
   the delivery sweeps on commit.
3. Starts WORKERS real `manage.py db_worker --batch` processes, waits until
   every delivery is delivered, and reports events per second, duplicates
   (a webhook-id received twice) and lost events (never received).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EVENTS = int(os.environ.get("BENCH_EVENTS", "10000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
SCRATCH = Path(tempfile.mkdtemp(prefix="webhook-bench-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{SCRATCH / 'bench.sqlite3'}")
os.environ.update(
    DJANGO_SETTINGS_MODULE="encaisse.settings",
    ENCAISSE_VAR_DIR=str(SCRATCH),
    ENCAISSE_WEBHOOKS_ALLOW_HTTP="1",
    ENCAISSE_WEBHOOKS_ALLOW_PRIVATE="1",
    ENCAISSE_WEBHOOKS_SWEEPS=str(WORKERS),
    LOG_LEVEL="WARNING",
    DEBUG="0",
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from encaisse.webhooks.emit import events_emit_many  # noqa: E402
from encaisse.webhooks.models import (  # noqa: E402
    DeliveryState,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from encaisse.webhooks.services import endpoint_create  # noqa: E402

received: Counter[str] = Counter()
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        with lock:
            received[self.headers["webhook-id"]] += 1
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


def datas(count: int) -> list[dict[str, object]]:
    return [
        {"id": n, "external_key": f"C{n:06d}", "name": f"Client {n}", "open_balance": "0.00"}
        for n in range(count)
    ]


def main() -> None:
    call_command("migrate", verbosity=0)
    WebhookEvent.objects.all().delete()
    WebhookEndpoint.objects.all().delete()
    DBTaskResult.objects.all().delete()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    print(f"{connection.vendor}: {EVENTS} events, {WORKERS} workers → {url}")

    started = time.perf_counter()
    with transaction.atomic():
        assert events_emit_many(type="customer.created", datas=datas(EVENTS)) == 0
    print(f"emit with no endpoint: {(time.perf_counter() - started) * 1000:.1f} ms")

    endpoint_create(actor=None, url=url)
    started = time.perf_counter()
    with transaction.atomic():
        written = events_emit_many(type="customer.created", datas=datas(EVENTS))
    emitted = time.perf_counter() - started
    print(f"emit {written} events and deliveries in one transaction: {emitted:.2f} s")

    command = [sys.executable, "manage.py", "db_worker", "--batch", "--queue-name", "*"]
    command += ["--no-reload", "--no-startup-delay", "-v", "0"]
    started = time.perf_counter()
    workers = [subprocess.Popen(command, cwd=ROOT, env=os.environ.copy()) for _ in range(WORKERS)]
    pending = WebhookDelivery.objects.exclude(state=DeliveryState.DELIVERED)
    while pending.exists() and all(w.poll() is None for w in workers):
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    for worker in workers:
        worker.wait(timeout=120)
    server.shutdown()

    ids = {str(pk) for pk in WebhookEvent.objects.values_list("public_id", flat=True)}
    duplicates = sum(count - 1 for count in received.values())
    lost = len(ids - set(received))
    states = Counter(WebhookDelivery.objects.values_list("state", flat=True))
    print(
        f"delivered {len(received)} events in {elapsed:.2f} s: {len(received) / elapsed:.0f} "
        f"events/s; duplicates {duplicates}, lost {lost}; deliveries {dict(states)}"
    )


if __name__ == "__main__":
    main()
