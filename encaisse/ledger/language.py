"""Which language Encaisse speaks to someone: their own choice, else the company's.

1. A user's own language (`User.language`, set by the FR/EN switch).
2. The company's language (`Company.language`): what a visitor of the sign-in
   page, a user who never chose, and the command line get by default.
3. `LANGUAGE_CODE`, when neither is a language the interface has.

The web adds the visitor's explicit choice on the sign-in page (a cookie)
between 1 and 2 (`web/middleware.py`); the command line an explicit
`--language` before 1 (`lib/cli.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_supported_language_variant

from encaisse.accounts.models import User
from encaisse.ledger.models import Company


def supported(code: str | None) -> str | None:
    """`code` as one of settings.LANGUAGES ("fr-CA" → "fr"), or None."""
    if not code:
        return None
    try:
        return get_supported_language_variant(code)
    except LookupError:
        return None


def company_language() -> str | None:
    """The company's language if the interface has it (no company row yet: None).

    One primary-key read, paid only by those who have not chosen a language;
    never cached, so that a change in the admin applies to the next page.
    """
    return supported(Company.objects.filter(pk=1).values_list("language", flat=True).first())


def language_for(user: User | None = None) -> str:
    """The language to use for `user` (None: no one in particular)."""
    own = supported(user.language) if user is not None else None
    return own or company_language() or settings.LANGUAGE_CODE
