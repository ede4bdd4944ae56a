"""Errors as RFC 9457 problem details, in the caller's language.

Every error the API returns has the media type `application/problem+json` and
the members `type`, `title`, `status`, `detail`, and for a request that does
not validate, `errors`: one entry per field with a JSON pointer into the body
(`/items/3/amount`) or the name of the query parameter, and its message. The
handlers registered here cover every exception an operation can raise, so an
unexpected one is a logged 500 problem, never Django's HTML page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from encaisse.lib.errors import Conflict, ValidationFailed

log = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://encaisse.org/problems/"
MEDIA_TYPE = "application/problem+json"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One field's error: `pointer` for the body (RFC 6901), `parameter` for the query/path."""

    detail: str
    pointer: str | None = None
    parameter: str | None = None
    code: str | None = None  # the import's: invalid, conflict, not_found, error

    def as_dict(self) -> dict[str, str]:
        where = {"pointer": self.pointer} if self.pointer is not None else {}
        if self.parameter is not None:
            where["parameter"] = self.parameter
        if self.code is not None:
            where["code"] = self.code
        return {**where, "detail": self.detail}


@dataclass
class Problem(Exception):
    """An error an operation raises to answer with a problem document."""

    status: int
    slug: str
    title: str
    detail: str = ""
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail or self.title,
        }
        if self.errors:
            body["errors"] = [error.as_dict() for error in self.errors]
        return body

    def response(self) -> HttpResponse:
        response = JsonResponse(self.document(), status=self.status, content_type=MEDIA_TYPE)
        for name, value in self.headers.items():
            response[name] = value
        return response


def pointer(*parts: str | int) -> str:
    """A JSON pointer to a member of the request body (RFC 6901 escaping)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def not_found(detail: str = "") -> Problem:
    return Problem(404, "not-found", _("Not found"), detail or _("No such object, or not yours."))


def forbidden(detail: str = "") -> Problem:
    return Problem(403, "forbidden", _("Forbidden"), detail or _("You may not do this."))


def conflict(detail: str) -> Problem:
    return Problem(409, "conflict", _("Conflict"), detail)


def invalid(errors: list[FieldError], detail: str = "") -> Problem:
    return Problem(
        422,
        "invalid-request",
        _("The request is not valid"),
        detail or _("Correct the fields listed in errors and send it again."),
        errors,
    )


def from_validation_failed(exc: ValidationFailed, *, prefix: tuple[str | int, ...] = ()) -> Problem:
    """A service's per-field errors, with dotted field names turned into pointers."""
    errors = [
        FieldError(message, pointer=pointer(*prefix, *(name.split(".") if name else ())))
        for name, messages in exc.errors.items()
        for message in messages
    ]
    return invalid(errors)


# Pydantic's messages are English; these are the ones a caller meets in practice.
def _pydantic_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    messages = {
        "missing": _("This field is required."),
        "string_too_long": _("At most %(n)s characters.") % {"n": context.get("max_length")},
        "string_too_short": _("At least %(n)s characters.") % {"n": context.get("min_length")},
        "int_parsing": _("Enter a whole number."),
        "decimal_parsing": _("Enter an amount such as 1234.56."),
        "decimal_max_places": _("At most %(n)s decimal places.")
        % {"n": context.get("decimal_places")},
        "date_from_datetime_parsing": _("Enter a date as YYYY-MM-DD."),
        "date_parsing": _("Enter a date as YYYY-MM-DD."),
        "datetime_parsing": _("Enter a date and time in ISO 8601."),
        "datetime_from_date_parsing": _("Enter a date and time in ISO 8601."),
        "datetime_out_of_range": _("This date and time is out of range."),
        "local_time": _("Enter a time of day such as 07:00, without an offset."),
        "bool_parsing": _("Enter true or false."),
        "enum": _("Choose one of: %(choices)s.") % {"choices": context.get("expected")},
        "literal_error": _("Choose one of: %(choices)s.") % {"choices": context.get("expected")},
        "greater_than_equal": _("Must be at least %(n)s.") % {"n": context.get("ge")},
        "less_than_equal": _("Must be at most %(n)s.") % {"n": context.get("le")},
        "greater_than": _("Must be more than %(n)s.") % {"n": context.get("gt")},
        "too_long": _("At most %(n)s items.") % {"n": context.get("max_length")},
        "too_short": _("At least %(n)s items.") % {"n": context.get("min_length")},
        "json_invalid": _("The body is not valid JSON."),
        "model_attributes_type": _("Expected a JSON object."),
        "dict_type": _("Expected a JSON object."),
        "list_type": _("Expected a JSON array."),
        "string_type": _("Expected a string."),
        "extra_forbidden": _("Unknown field."),
    }
    return messages.get(kind) or str(error.get("msg", _("Invalid value.")))


def _field_error(error: dict[str, Any]) -> FieldError:
    location = list(error.get("loc") or [])
    source = location.pop(0) if location else "body"
    message = _pydantic_message(error)
    if source == "body":
        # ninja names the body parameter first ("payload"): not part of the document.
        if location and isinstance(location[0], str) and len(location) >= 1:
            location = location[1:]
        return FieldError(message, pointer=pointer(*location))
    return FieldError(message, parameter=".".join(str(part) for part in location) or source)


def _register(
    api: NinjaAPI, error: type[Exception], handler: Callable[[HttpRequest, Any], HttpResponse]
) -> None:
    api.add_exception_handler(error, handler)


def install_handlers(api: NinjaAPI) -> None:
    def on_problem(request: HttpRequest, exc: Problem) -> HttpResponse:
        return exc.response()

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return invalid([_field_error(error) for error in exc.errors]).response()

    def on_validation_failed(request: HttpRequest, exc: ValidationFailed) -> HttpResponse:
        return from_validation_failed(exc).response()

    def on_conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
        return conflict(exc.message).response()

    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        problem = Problem(
            401,
            "unauthenticated",
            _("Authentication required"),
            _("Send a valid API token: Authorization: Bearer <token>."),
            headers={"WWW-Authenticate": 'Bearer realm="encaisse"'},
        )
        return problem.response()

    def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        return Problem(
            429,
            "rate-limited",
            _("Too many requests"),
            _("This token has made too many requests; retry after the delay in Retry-After."),
        ).response()

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, Problem):  # raised while parsing the body
            return exc.__cause__.response()
        if exc.status_code == 403:
            return forbidden(_("CSRF check failed.") if "CSRF" in exc.message else "").response()
        if exc.status_code == 404:
            return not_found().response()
        return Problem(exc.status_code, "error", exc.message).response()

    def on_permission(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return forbidden().response()

    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return not_found().response()

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("API error on %s %s", request.method, request.path)
        return Problem(
            500, "internal-error", _("Internal error"), _("The error has been logged.")
        ).response()

    _register(api, Problem, on_problem)
    _register(api, ValidationError, on_validation)
    _register(api, ValidationFailed, on_validation_failed)
    _register(api, Conflict, on_conflict)
    _register(api, AuthenticationError, on_authentication)
    _register(api, Throttled, on_throttled)
    _register(api, HttpError, on_http_error)
    _register(api, PermissionDenied, on_permission)
    _register(api, Http404, on_404)
    _register(api, Exception, on_unexpected)
