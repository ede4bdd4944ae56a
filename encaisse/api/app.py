"""The REST API v1: one NinjaAPI, one router per resource (docs/api.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Swagger
from ninja.openapi.views import openapi_view

from encaisse.api.auth import TokenAuth, TokenRateThrottle, WebSessionAuth
from encaisse.api.parser import StorableTextParser
from encaisse.api.problems import install_handlers, not_found
from encaisse.api.routers import (
    allocations,
    credit_notes,
    customers,
    disputes,
    dunning,
    handovers,
    invoices,
    payment_plans,
    payments,
    promises,
    settings,
    webhooks,
)

DESCRIPTION = """\
Encaisse's ledger, dunning and settings for the systems around it (ERP, CRM,
chat, BI). Authenticate with a personal token (`Authorization: Bearer enc_…`,
created on your account page or with `encaisse api-token create`). A token acts
with its user's role and portfolio. Money is a decimal string, dates are ISO
8601, lists are paginated with an opaque `cursor`, errors are RFC 9457 problem
details, and a POST sent with an `Idempotency-Key` header is done once.
"""


def _docs_page_signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    """The interactive page is for signed-in users (it calls the API with their
    session); the schema itself is public, for code generators and fuzzers."""
    return login_required(view) if getattr(view, "func", None) is openapi_view else view


PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["detail"],
                "properties": {
                    "pointer": {"type": "string"},
                    "parameter": {"type": "string"},
                    "code": {"type": "string"},
                    "detail": {"type": "string"},
                },
            },
        },
    },
}
PROBLEM_STATUSES = {
    "400": "Malformed request",
    "401": "No valid token",
    "403": "Not allowed to this caller",
    "404": "No such object, or not the caller's",
    "409": "The object's state forbids it",
    "422": "The request is not valid (errors lists each field)",
    "429": "Too many requests (see Retry-After)",
}


# Pydantic documents a `datetime.time` as JSON Schema's `format: time`, which is
# RFC 3339's full-time and requires an offset ("07:00:00Z"). Our times are the
# company's wall-clock times ("07:00:00", in its time zone): said as a pattern.
LOCAL_TIME = {
    "type": "string",
    "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
    "example": "07:00:00",
}


def _local_times(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("format") == "time" and node.get("type") == "string":
            del node["format"]
            node.update(LOCAL_TIME)
        for value in node.values():
            _local_times(value)
    elif isinstance(node, list):
        for value in node:
            _local_times(value)


class EncaisseApi(NinjaAPI):
    """Every operation documents the problem answers it may give (RFC 9457), and
    times of day are local."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        _local_times(schema)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for item in schema["paths"].values():
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                for status, description in PROBLEM_STATUSES.items():
                    responses.setdefault(status, {"description": description, "content": problem})
        return schema


api = EncaisseApi(
    title="Encaisse API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[TokenAuth(), WebSessionAuth()],
    throttle=[TokenRateThrottle()],
    parser=StorableTextParser(),
    docs=Swagger(settings={"persistAuthorization": True, "tryItOutEnabled": False}),
    docs_decorator=_docs_page_signed_in,
)
install_handlers(api)

api.add_router("/customers", customers.router)
api.add_router("/invoices", invoices.router)
api.add_router("/credit-notes", credit_notes.router)
api.add_router("/payments", payments.router)
api.add_router("/allocations", allocations.router)
api.add_router("/invoices", dunning.invoices)
api.add_router("/customers", dunning.customers)
api.add_router("/dunning", dunning.preview)
api.add_router("/holds", dunning.holds)
api.add_router("/promises", promises.promises)
api.add_router("/extensions", promises.extensions)
api.add_router("/tasks", dunning.tasks)
api.add_router("/settings", settings.settings)
api.add_router("/plans", settings.plans)
api.add_router("/webhooks", webhooks.router)
api.add_router("/disputes", disputes.router)
api.add_router("/dispute-reasons", disputes.reasons)
api.add_router("/handovers", handovers.handovers)
api.add_router("/agencies", handovers.agencies_router)
api.add_router("/write-offs", handovers.write_offs)
api.add_router("/payment-plans", payment_plans.router)


@csrf_exempt  # any method: a POST must get this 404 too, not the HTML CSRF page
def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """An /api/ URL that no operation serves answers as every API error does
    (problem+json), not with the web app's HTML page."""
    return not_found(_("No API operation at this URL; see /api/v1/openapi.json.")).response()
