"""Import pages (finance and admins): upload → dry-run report → apply; past imports;
a CSV template per kind.

The uploaded file is kept between the two steps under MEDIA_ROOT/imports/<sha256>
(`ledger.imports.uploads`) and referenced by its digest only, so a form can never
point at another path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_POST

from encaisse.ledger.imports import import_file
from encaisse.ledger.imports.samples import csv_template
from encaisse.ledger.imports.uploads import SHA256, upload_discard, upload_path, upload_store
from encaisse.ledger.models import ImportBatch, ImportKind
from encaisse.web.views.listing import csv_response

PAGE = 50
# The kinds with a CSV template, and the name of its file in the user's language.
TEMPLATE_FILES = {
    ImportKind.CUSTOMERS: pgettext_lazy("CSV template file name", "customers"),
    ImportKind.INVOICES: pgettext_lazy("CSV template file name", "invoices"),
    ImportKind.PAYMENTS: pgettext_lazy("CSV template file name", "payments"),
    ImportKind.CREDIT_NOTES: pgettext_lazy("CSV template file name", "credit_notes"),
}


def finance_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Imports change the whole ledger: finance and admins only (403 for everyone else)."""

    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
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
        if "sha256" in data and not upload_path(data["sha256"]).is_file():
            raise forms.ValidationError(_("The uploaded file has expired; please upload it again."))
        return data


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
        sha256 = upload_store(upload.chunks())
        query = urlencode(
            {"kind": form.cleaned_data["kind"], "sha256": sha256, "name": upload.name[:255]}
        )
        return redirect(f"{reverse('import_review')}?{query}")
    templates = [(kind, ImportKind(kind).label) for kind in TEMPLATE_FILES]
    return render(request, "web/imports/new.html", {"form": form, "templates": templates})


@finance_required
def import_template(request: HttpRequest, kind: str) -> StreamingHttpResponse:
    """The CSV template of a kind: its header and one example row, in the user's language
    and CSV conventions (French: `;`, decimal comma, dd/mm/yyyy)."""
    if kind not in TEMPLATE_FILES:
        raise Http404
    header, example = csv_template(kind)
    return csv_response(str(TEMPLATE_FILES[ImportKind(kind)]), header, [example])


@finance_required
def import_review(request: HttpRequest) -> HttpResponse:
    """Dry run of the stored file: counts and every error, then the choice to apply."""
    form = StoredFileForm(request.GET or None)
    if not form.is_valid():
        if request.GET:
            messages.error(request, _("The uploaded file has expired; please upload it again."))
        return redirect("import_new")
    data = form.cleaned_data
    with upload_path(data["sha256"]).open("rb") as handle:
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
    with upload_path(data["sha256"]).open("rb") as handle:
        report = import_file(
            kind=data["kind"],
            file=handle,
            filename=data["name"],
            actor=request.user,  # type: ignore[arg-type]
            valid_rows_only=request.POST.get("valid_rows_only") == "1",
        )
    if report.status == "applied":
        upload_discard(data["sha256"])
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
