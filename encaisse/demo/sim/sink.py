"""Where simulated deliveries go: a local sink, never a real mail server.

Inside `delivery_sink(...)`:
- `EMAIL_BACKEND` is Django's file backend writing one `.log` file per email
  into the directory given (`encaisse simulate` uses `var/sink/`), or the
  in-memory backend (`django.core.mail.outbox`) when no directory is given
  (the demo's history, the tests);
- the task queue is the dummy backend: the simulator delivers in-process with
  `deliveries_process()` instead of leaving thousands of queued sweeps for the
  worker (the sweeps would find nothing left to do);
- WeasyPrint's and fontTools' logs are kept to errors while formal notices
  are rendered (INFO lines per PDF, and a warning per font when HarfBuzz's
  subsetter is not installed).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.test.utils import override_settings

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
MEMORY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
NO_QUEUE = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
_NOISY_LOGGERS = ("weasyprint", "fontTools")


@contextmanager
def delivery_sink(directory: Path | None) -> Iterator[None]:
    overrides: dict[str, object] = {"TASKS": NO_QUEUE}
    if directory is None:
        overrides["EMAIL_BACKEND"] = MEMORY_BACKEND
    else:
        directory.mkdir(parents=True, exist_ok=True)
        overrides.update(EMAIL_BACKEND=FILE_BACKEND, EMAIL_FILE_PATH=str(directory))
    loggers = [logging.getLogger(name) for name in _NOISY_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with override_settings(**overrides):
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
