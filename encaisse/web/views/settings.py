"""The settings page (finance and admins): the company's identity, its payment
terms, and the dunning knobs, each saved by its service. The go-live policy
has its own page (the first-run screen), which previews a change before it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from encaisse.dunning.services.settings import dunning_settings_update
from encaisse.dunning.settings_selectors import settings_visible_to
from encaisse.ledger.services.company import company_identity_update, company_terms_update
from encaisse.lib.errors import ValidationFailed
from encaisse.resolution.models import PortalSettings
from encaisse.resolution.services.portal import portal_settings_update
from encaisse.web.forms.errors import form_errors_add
from encaisse.web.forms.settings import (
    DunningSettingsForm,
    IdentityForm,
    PortalSettingsForm,
    TermsForm,
)
from encaisse.web.views.access import finance_required
from encaisse.web.views.listing import viewer

GROUPS: dict[str, tuple[type[forms.Form], Callable[..., object]]] = {
    "identity": (IdentityForm, company_identity_update),
    "terms": (TermsForm, company_terms_update),
    "dunning": (DunningSettingsForm, dunning_settings_update),
    "portal": (PortalSettingsForm, portal_settings_update),
}


@finance_required
def settings_page(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    view = settings_visible_to(user)
    initial: dict[str, dict[str, Any]] = {
        "identity": dataclasses.asdict(view.identity),
        "terms": dataclasses.asdict(view.terms),
        "dunning": dataclasses.asdict(view.dunning) if view.dunning else {},
        "portal": {"link_days": PortalSettings.current().link_days},
    }
    bound = request.POST.get("group") if request.method == "POST" else None
    forms_by_group = {
        group: form_class(
            request.POST if group == bound else None, prefix=group, initial=initial[group]
        )
        for group, (form_class, _service) in GROUPS.items()
    }
    if bound in GROUPS:
        form = forms_by_group[bound]
        if form.is_valid():
            try:
                GROUPS[bound][1](actor=user, **form.cleaned_data)
            except ValidationFailed as failed:
                form_errors_add(form, failed)
            else:
                messages.success(request, _("Settings saved."))
                return redirect("settings")
    context = {"forms": forms_by_group, "go_live": view.go_live}
    return render(request, "web/settings/page.html", context)
