"""The event catalogue of docs/webhooks.md, generated from the registry.

Print it with `python manage.py shell -c "from encaisse.webhooks.catalogue import
catalogue_markdown as c; print(c())"`; tests/webhooks/test_services.py checks that the
documentation holds it verbatim.
"""

from __future__ import annotations

from django.utils.translation import override

from encaisse.webhooks import registry


def catalogue_markdown() -> str:
    with override("en"):
        lines = ["| Type | When |", "|---|---|"]
        lines += [
            f"| `{event_type.name}` | {event_type.description} |"
            for event_type in registry.REGISTRY.values()
        ]
    return "\n".join(lines) + "\n"
