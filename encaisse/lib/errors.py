"""Errors a service raises when a caller's request cannot be honoured.

Services are shared by the web forms, the CLI and the REST API. They raise
these instead of each interface re-validating: a form turns `ValidationFailed`
into field errors, the API into an RFC 9457 problem with a JSON pointer per
field, the CLI into lines on stderr. Messages are already translated (lazy or
in the active language) and name the field in the user's words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.functional import Promise

Message = str | Promise


class ValidationFailed(Exception):
    """The request is malformed or breaks a rule: nothing was written.

    `errors` maps a field name (dotted for nested values, e.g. "steps.2.offset_days",
    "" for the request as a whole) to its messages.
    """

    def __init__(self, errors: Mapping[str, Sequence[Message]]) -> None:
        self.errors: dict[str, list[str]] = {
            field: [str(message) for message in messages] for field, messages in errors.items()
        }
        super().__init__("; ".join(f"{k or '*'}: {' '.join(v)}" for k, v in self.errors.items()))

    @classmethod
    def single(cls, field: str, message: Message) -> ValidationFailed:
        return cls({field: [message]})


class Conflict(Exception):
    """The request is valid but the object's current state forbids it
    (a plan still used by invoices, a hold already released): HTTP 409."""

    def __init__(self, message: Message) -> None:
        self.message = str(message)
        super().__init__(self.message)
