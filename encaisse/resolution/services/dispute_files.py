"""Attachments of a dispute: only documents, only up to a size, checked by content.

The extension says what the file claims to be; its first bytes must agree
(a PDF starts with "%PDF", a .docx is a ZIP…), so a script renamed .pdf is
refused. Files are stored under a random name and served by a scoped view.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from encaisse.accounts.models import User, stored_actor
from encaisse.collab.services import activity_record
from encaisse.lib.errors import ValidationFailed
from encaisse.resolution.models import Dispute, DisputeAttachment
from encaisse.webhooks.emit import event_emit

ZIP = (b"PK\x03\x04",)
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
# extension → (content type, accepted first bytes)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", (b"RIFF",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ZIP,
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ZIP,
    ),
    "odt": ("application/vnd.oasis.opendocument.text", ZIP),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", ZIP),
    "doc": ("application/msword", OLE),
    "xls": ("application/vnd.ms-excel", OLE),
}
ATTACHMENTS_PER_DISPUTE = 20


def max_bytes() -> int:
    return int(settings.ENCAISSE_DISPUTE_ATTACHMENT_MAX_MB) * 1024 * 1024


def attachment_check(upload: UploadedFile) -> tuple[str, str]:
    """(extension, content type) of an acceptable upload; ValidationFailed otherwise."""
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    size = upload.size or 0
    if size > max_bytes():
        raise ValidationFailed.single(
            "file",
            _("The file is too large: at most %(mb)d MB.") % {"mb": max_bytes() // (1024 * 1024)},
        )
    if size == 0:
        raise ValidationFailed.single("file", _("The file is empty."))
    allowed = ALLOWED.get(extension)
    if allowed is None:
        raise ValidationFailed.single(
            "file", _("Attach a PDF, an image (PNG, JPEG, GIF, WebP) or an office document.")
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type, signatures = allowed
    if not head.startswith(signatures) or (extension == "webp" and head[8:12] != b"WEBP"):
        raise ValidationFailed.single(
            "file", _("The file's content is not a %(kind)s.") % {"kind": extension.upper()}
        )
    return extension, content_type


@transaction.atomic
def dispute_attachment_add(
    *, actor: User | None, dispute: Dispute, upload: UploadedFile
) -> DisputeAttachment:
    """Keep a document with the dispute (open or closed: a proof may come late)."""
    _extension, content_type = attachment_check(upload)
    if dispute.attachments.count() >= ATTACHMENTS_PER_DISPUTE:
        raise ValidationFailed.single(
            "file",
            _("At most %(count)d attachments per dispute.") % {"count": ATTACHMENTS_PER_DISPUTE},
        )
    name = (upload.name or "file").replace("/", "_").replace("\\", "_")[-200:]
    attachment = DisputeAttachment(
        dispute=dispute,
        name=name,
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by=stored_actor(actor),
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    activity_record(
        verb="resolution.dispute.attachment_added",
        actor=actor,
        customer_id=dispute.customer_id,
        payload={"dispute": str(dispute.public_id), "name": name},
    )
    event_emit(type="dispute.updated", obj=dispute)
    return attachment
