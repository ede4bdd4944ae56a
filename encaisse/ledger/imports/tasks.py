"""Background work of the imports (django-tasks): the daily purge of expired uploads."""

from __future__ import annotations

from django_tasks import task

from encaisse.ledger.imports.uploads import uploads_purge


@task()
def purge_expired_uploads() -> int:
    """Delete the uploads never applied and older than the retention; return how many."""
    return len(uploads_purge())
