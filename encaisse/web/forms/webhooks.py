"""The webhook endpoint form: URL, description, event types grouped by domain."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy, pgettext_lazy

from encaisse.lib.errors import ValidationFailed
from encaisse.webhooks import registry
from encaisse.webhooks.models import WebhookEndpoint


class EndpointForm(forms.Form):
    """Checks only the shape; the service checks the rest (URL safety, types) and its
    `ValidationFailed` comes back as field errors through `refused`."""

    url = forms.CharField(
        label=gettext_lazy("URL"),
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://erp.example.com/hooks/encaisse"}),
    )
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every event, including types added later."),
    )
    active = forms.BooleanField(
        label=pgettext_lazy("webhook endpoint", "Active"), required=False, initial=True
    )

    def __init__(self, *args: Any, endpoint: WebhookEndpoint | None = None, **kwargs: Any) -> None:
        if endpoint is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "url": endpoint.url,
                "description": endpoint.description,
                "event_types": endpoint.event_types,
                "active": endpoint.active,
            }
        super().__init__(*args, **kwargs)
        self.fields["event_types"].choices = [  # type: ignore[attr-defined]
            (event_type.name, event_type.name)
            for group in registry.by_domain().values()
            for event_type in group
        ]

    def groups(self) -> list[dict[str, Any]]:
        """The event checkboxes grouped by domain, each with its description."""
        chosen = set(self["event_types"].value() or [])
        return [
            {
                "label": registry.DOMAIN_LABELS.get(domain, domain),
                "types": [
                    {"name": t.name, "description": t.description, "checked": t.name in chosen}
                    for t in types
                ],
            }
            for domain, types in registry.by_domain().items()
        ]

    def refused(self, error: ValidationFailed) -> None:
        for field, messages in error.errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
