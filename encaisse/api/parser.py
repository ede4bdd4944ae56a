"""Request parsing that refuses text no database can store.

JSON may carry a NUL character or an unpaired UTF-16 surrogate ("\\u0000",
"\\ud800"); PostgreSQL refuses both in text and in jsonb, SQLite's driver the
surrogates, so such a value reaching a query is a 500. They are never a real
name or number: the request is refused with a 422 pointing at the value.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja.parser import Parser

from encaisse.api.problems import FieldError, invalid, pointer

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Once the body is read as strict UTF-8 (RFC 8259), JSON can carry them only
# escaped (a raw control character is not valid in a string): no such escape,
# nothing to walk.
_ESCAPE = re.compile(rb"\\u(0000|[dD][89abcdefABCDEF])")


def _unstorable_at(data: Any, path: tuple[str | int, ...] = ()) -> tuple[str | int, ...] | None:
    """The path of the first string (value or member name) that cannot be stored."""
    if isinstance(data, str):
        return path if _UNSTORABLE.search(data) else None
    if isinstance(data, dict):
        for name, value in data.items():
            if _UNSTORABLE.search(name):
                return path
            found = _unstorable_at(value, (*path, name))
            if found is not None:
                return found
    if isinstance(data, list):
        for index, value in enumerate(data):
            found = _unstorable_at(value, (*path, index))
            if found is not None:
                return found
    return None


def _message() -> str:
    return _("Contains a NUL character or an unpaired surrogate, which no text can hold.")


class StorableTextParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body.decode("utf-8"))  # json.loads(bytes) lets surrogates pass
        found = _unstorable_at(data) if _ESCAPE.search(request.body) else None
        if found is not None:
            # ninja turns any parse error into a 400 whose cause is this problem:
            # problems.on_http_error answers with the cause.
            raise invalid([FieldError(_message(), pointer=pointer(*found))])
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        for name, values in data.lists():
            if any(_UNSTORABLE.search(text) for text in [name, *values]):
                raise invalid([FieldError(_message(), parameter=name)])
        return super().parse_querydict(data, list_fields, request)
