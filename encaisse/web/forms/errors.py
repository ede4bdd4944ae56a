"""Turning a service's `ValidationFailed` into form errors.

Forms only check what the browser sent parses (a number, a date); the rules
live in the services, which report every bad field at once. This puts each
message on the form field of the same name, or above the form when the form
has no such field (a nested value such as "steps.1.offset_days", or "").
"""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from encaisse.lib.errors import ValidationFailed


def form_errors_add(
    form: forms.BaseForm, failed: ValidationFailed, *, rename: Mapping[str, str] | None = None
) -> None:
    """Add `failed`'s messages to `form`; `rename` maps a service field to a form field."""
    for field, messages in failed.errors.items():
        name = (rename or {}).get(field, field)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)
