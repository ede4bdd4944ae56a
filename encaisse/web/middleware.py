"""The language of a page (`ledger.language` says whose choice wins).

A signed-in user's own language, else the choice a visitor made with the FR/EN
switch of the sign-in page (Django's language cookie), else the company's
language. The browser's Accept-Language is not consulted: a French company's
staff sign in on French pages whatever their browser says, until they choose.
Runs after AuthenticationMiddleware (it reads `request.user`), and after
Django's LocaleMiddleware, whose choice it replaces (that one still sets the
Content-Language header from the language active when the response leaves).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from encaisse.accounts.models import User
from encaisse.ledger.language import language_for, supported


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user if request.user.is_authenticated else None
        assert user is None or isinstance(user, User)
        own = supported(user.language) if user is not None else None
        chosen = supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        language = own or chosen or language_for(None)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        return self.get_response(request)
