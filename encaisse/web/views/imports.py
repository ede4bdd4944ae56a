"""Import pages (finance and admins): upload → dry-run report → apply; past imports.

The uploaded file is kept between the two steps under MEDIA_ROOT/imports/<sha256>
and referenced by its digest only, so a form can never point at another path.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from encaisse.ledger.imports import import_file
from encaisse.ledger.models import ImportBatch, ImportKind

SHA256 = re.compile(r"^[0-9a-f]{64}$")
PAGE = 50


def finance_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Imports change the whole ledger: finance and admins only (403 for everyone else)."""

    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.can_edit_ledger:  # type: ignore[union-attr]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of file"), choices=ImportKind.choices)
    file = forms.FileField(label=gettext_lazy("File"))


class StoredFileForm(forms.Form):
    """Points at an uploaded file by digest; never by path."""

    kind = forms.ChoiceField(choices=ImportKind.choices)
    sha256 = forms.RegexField(regex=SHA256)
    name = forms.CharField(max_length=255)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "sha256" in data and not _stored(data["sha256"]).is_file():
            raise forms.ValidationError(_("The uploaded file has expired; please upload it again."))
        return data


def _storage() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _stored(sha256: str) -> Path:
    return _storage() / sha256


def _store(upload: UploadedFile) -> str:
    """Copy the upload to MEDIA_ROOT/imports/<sha256>, streaming; return the digest."""
    folder = _storage()
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(dir=folder, delete=False) as handle:
        for chunk in upload.chunks():
            digest.update(chunk)
            handle.write(chunk)
    target = _stored(digest.hexdigest())
    os.replace(handle.name, target)
    return digest.hexdigest()


@finance_required
def import_list(request: HttpRequest) -> HttpResponse:
    batches = ImportBatch.objects.select_related("actor").order_by("-started_at", "-id")[:PAGE]
    return render(request, "web/imports/list.html", {"batches": batches})


@finance_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk)
    return render(request, "web/imports/detail.html", {"batch": batch})


@finance_required
def import_new(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        sha256 = _store(upload)
        query = urlencode(
            {"kind": form.cleaned_data["kind"], "sha256": sha256, "name": upload.name[:255]}
        )
        return redirect(f"{reverse('import_review')}?{query}")
    return render(request, "web/imports/new.html", {"form": form})


@finance_required
def import_review(request: HttpRequest) -> HttpResponse:
    """Dry run of the stored file: counts and every error, then the choice to apply."""
    form = StoredFileForm(request.GET or None)
    if not form.is_valid():
        if request.GET:
            messages.error(request, _("The uploaded file has expired; please upload it again."))
        return redirect("import_new")
    data = form.cleaned_data
    with _stored(data["sha256"]).open("rb") as handle:
        report = import_file(
            kind=data["kind"], file=handle, filename=data["name"], actor=None, dry_run=True
        )
    return render(
        request,
        "web/imports/review.html",
        {"report": report, "form": form, "kind_label": ImportKind(data["kind"]).label},
    )


@finance_required
@require_POST
def import_apply(request: HttpRequest) -> HttpResponse:
    form = StoredFileForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The uploaded file has expired; please upload it again."))
        return redirect("import_new")
    data = form.cleaned_data
    path = _stored(data["sha256"])
    with path.open("rb") as handle:
        report = import_file(
            kind=data["kind"],
            file=handle,
            filename=data["name"],
            actor=request.user,  # type: ignore[arg-type]
            valid_rows_only=request.POST.get("valid_rows_only") == "1",
        )
    if report.status == "applied":
        path.unlink(missing_ok=True)
        messages.success(
            request,
            _("Imported %(name)s: %(created)s created, %(updated)s updated, %(unchanged)s "
              "unchanged.") % {"name": data["name"], "created": report.created,
                               "updated": report.updated, "unchanged": report.unchanged},
        )  # fmt: skip
        if report.auto_applied:
            messages.success(
                request,
                ngettext(
                    "%(count)s payment or credit note was applied automatically (cash "
                    "application).",
                    "%(count)s payments and credit notes were applied automatically (cash "
                    "application).",
                    report.auto_applied,
                )
                % {"count": report.auto_applied},
            )
    else:
        messages.error(
            request, _("%(name)s was rejected: nothing was imported.") % {"name": data["name"]}
        )
    if report.batch_id is None:
        return redirect("imports")
    return redirect("import_detail", pk=report.batch_id)
