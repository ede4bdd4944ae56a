"""My account: who I am, and my personal API tokens (issued here, shown once)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from encaisse.accounts.models import Role, User
from encaisse.accounts.tokens import api_token_create, api_token_revoke, tokens_of
from encaisse.web.forms.account import ApiTokenForm


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ApiTokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        issued = api_token_create(
            actor=user,
            user=user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            expires_days=form.expiry(),
        )
        form = ApiTokenForm()
    return render(
        request,
        "web/account/account.html",
        {
            "form": form,
            "issued": issued,
            "tokens": tokens_of(user),
            "read_only_role": user.role == Role.MANAGER and not user.is_superuser,
        },
    )


@login_required
@require_POST
def account_token_revoke(request: HttpRequest, prefix: str) -> HttpResponse:
    user = _user(request)
    token = get_object_or_404(tokens_of(user), prefix=prefix)
    if api_token_revoke(actor=user, token=token):
        messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect("account")
