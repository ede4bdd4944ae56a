"""One real webhook worker process: `python -m tests.webhooks.worker_process`.

Started by tests/webhooks/test_worker_killed.py with the environment of
tests/dunning/workers.SharedDatabase; prints "ready", waits for a line on
stdin, sweeps the due deliveries as the `deliver_due_webhooks` task does, and
prints the outcome counts as one JSON line.
"""

from __future__ import annotations

import json
import os
import sys

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "encaisse.settings")
    django.setup()
    from django.db import connection

    from encaisse.webhooks.tasks import webhooks_process

    connection.ensure_connection()
    print("ready", flush=True)
    sys.stdin.readline()
    print(json.dumps(webhooks_process()), flush=True)


if __name__ == "__main__":
    main()
