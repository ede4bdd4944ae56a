"""`encaisse serve`: the web server, the background worker and the dunning scheduler,
started and stopped together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Serve Encaisse on HOST:PORT with the background task worker and the dunning "
        "scheduler; Ctrl-C stops all three."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="web worker processes")
        parser.add_argument("--no-worker", action="store_true", help="do not start the task worker")
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="do not start the scheduler (daily dunning run, delivery retries)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        commands = [
            [
                python,
                "-m",
                "gunicorn",
                "encaisse.wsgi:application",
                "--bind",
                f"{options['host']}:{options['port']}",
                "--workers",
                str(options["workers"]),
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "5",
            ]
        ]
        if not options["no_worker"]:
            commands.append(
                [python, "-m", "encaisse.cli", "db_worker", "--queue-name", "*", "--no-reload"]
            )
        if not options["no_scheduler"]:
            commands.append([python, "-m", "encaisse.cli", "scheduler"])
        env = dict(os.environ)
        # A served Encaisse shows its own 404 and 500 pages, never Django's debug
        # pages (which print settings and code): DEBUG is off unless asked for.
        if not env.get("DEBUG"):
            env["DEBUG"] = "0"
        processes = [subprocess.Popen(command, env=env) for command in commands]
        self.stdout.write(
            self.style.SUCCESS(f"Encaisse on http://{options['host']}:{options['port']}/ ")
            + f"(database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
            f"DEBUG={env['DEBUG']}); Ctrl-C stops the server, the worker and the scheduler."
        )

        def stop(*_: Any) -> None:
            for process in processes:
                if process.poll() is None:
                    process.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(process.poll() is None for process in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            deadline = time.monotonic() + 10
            for process in processes:
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
