"""One real worker process: `python -m tests.dunning.worker_process JOB [--date D] [--at T]`.

Run by tests/dunning/workers.py, never by pytest itself. It configures Django
from its environment (DATABASE_URL, EMAIL_HOST, …), connects, prints "ready",
then waits for a line on stdin so that several workers start at the same
instant; it does its job with the clock at `--at` (ticking) and prints the
result as one JSON line.

Jobs: `deliver` (sweep the outbox, as the `deliver_due_messages` task does),
`run` (the daily run for `--date`, as the `run_dunning_for` task does).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from contextlib import AbstractContextManager, nullcontext

import django
import time_machine


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("job", choices=["deliver", "run"])
    parser.add_argument("--date", type=dt.date.fromisoformat)
    parser.add_argument("--at", type=dt.datetime.fromisoformat)
    options = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "encaisse.settings")
    django.setup()
    from django.db import connection, transaction

    from encaisse.dunning.delivery.tasks import deliveries_process
    from encaisse.dunning.services.run import dunning_run

    clock: AbstractContextManager[object] = (
        time_machine.travel(options.at, tick=True) if options.at else nullcontext()
    )
    connection.ensure_connection()
    print("ready", flush=True)
    sys.stdin.readline()
    with clock:
        if options.job == "deliver":
            result: dict[str, object] = dict(deliveries_process())
        else:
            with transaction.atomic():
                report = dunning_run(run_on=options.date)
            result = {**report.as_dict(), "created": report.created, "messages": report.messages}
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
