"""Shell views that are not about one domain: the FR/EN switch."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language.

    Signed-in users keep the choice on their account so it follows them across
    devices (the middleware activates it); Django's own view also sets the
    cookie, which is what anonymous visitors of the sign-in page rely on.
    """
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES):
        user.language = language
        user.save(update_fields=["language"])
    return django_set_language(request)
