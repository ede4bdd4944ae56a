"""Uploaded files waiting between the review and the apply: MEDIA_ROOT/imports/<sha256>.

A file is referred to by its digest only, so a form can never point at another
path. It is deleted once applied; one that is never applied (rejected, or the
user walked away) is deleted by `uploads_purge` once older than
ENCAISSE_UPLOAD_RETENTION_DAYS: imported ledgers are customer data, and the
folder must not grow forever. The scheduler runs the purge once a day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.utils import timezone

SHA256 = re.compile(r"^[0-9a-f]{64}$")

logger = logging.getLogger(__name__)


def upload_folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def upload_path(sha256: str) -> Path:
    if not SHA256.match(sha256):
        raise ValueError("not a SHA-256 digest")
    return upload_folder() / sha256


def upload_store(chunks: Iterable[bytes]) -> str:
    """Write the chunks to MEDIA_ROOT/imports/<sha256>, streaming; return the digest.

    The same content uploaded again replaces the file, which starts its retention again.
    """
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(dir=folder, delete=False) as handle:
        for chunk in chunks:
            digest.update(chunk)
            handle.write(chunk)
    os.replace(handle.name, folder / digest.hexdigest())
    return digest.hexdigest()


def upload_discard(sha256: str) -> None:
    upload_path(sha256).unlink(missing_ok=True)


def uploads_expired(*, retention_days: int | None = None) -> list[Path]:
    """Files of the folder (uploads never applied, and leftovers of interrupted
    uploads) last written more than the retention ago, by the wall clock."""
    days = settings.ENCAISSE_UPLOAD_RETENTION_DAYS if retention_days is None else retention_days
    limit = (timezone.now() - dt.timedelta(days=days)).timestamp()
    folder = upload_folder()
    if not folder.is_dir():
        return []
    expired = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < limit:
                expired.append(Path(entry.path))
    return sorted(expired)


def uploads_purge(*, retention_days: int | None = None, dry_run: bool = False) -> list[Path]:
    """Delete the expired uploads (see `uploads_expired`); return what was (or would be)
    deleted. Files only: no database row refers to an upload."""
    expired = uploads_expired(retention_days=retention_days)
    if not dry_run:
        for path in expired:
            path.unlink(missing_ok=True)
        if expired:
            logger.info("Deleted %s expired upload(s) from %s", len(expired), upload_folder())
    return expired
