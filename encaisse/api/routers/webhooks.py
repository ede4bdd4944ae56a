"""/api/v1/webhooks: endpoints, their deliveries, the event catalogue (admin and finance)."""

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from encaisse.api.access import get_visible, require_editor
from encaisse.api.auth import caller
from encaisse.api.pagination import KeysetPagination
from encaisse.api.problems import forbidden
from encaisse.webhooks.models import WebhookDelivery, WebhookEndpoint
from encaisse.webhooks.selectors import (
    deliveries_of,
    deliveries_visible_to,
    endpoints_visible_to,
    event_types_available,
    may_manage_webhooks,
)
from encaisse.webhooks.services import (
    delivery_redeliver,
    endpoint_create,
    endpoint_delete,
    endpoint_secret_rotate,
    endpoint_send_test,
    endpoint_update,
)

router = Router(tags=["webhooks"])


class EndpointOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str] = Field(description="empty: every event type")
    active: bool
    disabled_reason: str
    failing_since: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class EndpointWithSecret(EndpointOut):
    secret: str = Field(description="the signing secret (Standard Webhooks, whsec_…)")


class EndpointIn(Schema):
    url: str
    description: str = ""
    event_types: list[str] = Field(default_factory=list)
    active: bool = True


class EndpointPatch(Schema):
    url: str | None = None
    description: str | None = None
    event_types: list[str] | None = None
    active: bool | None = None


class DeliveryOut(Schema):
    id: int
    event_id: str = Field(description="the webhook-id header the receiver got")
    event_type: str
    state: str
    attempts: int
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    last_status_code: int | None
    last_duration_ms: int | None
    last_response: str
    last_error: str
    created_at: dt.datetime

    @staticmethod
    def resolve_event_id(delivery: WebhookDelivery) -> str:
        return str(delivery.event.public_id)

    @staticmethod
    def resolve_event_type(delivery: WebhookDelivery) -> str:
        return delivery.event.type


class EventTypeOut(Schema):
    name: str
    description: str


def _endpoints(request: HttpRequest) -> QuerySet[WebhookEndpoint]:
    if not may_manage_webhooks(caller(request)):
        raise forbidden()
    return endpoints_visible_to(caller(request))


@router.get("/event-types", response=list[EventTypeOut], summary="The event catalogue")
def event_types(request: HttpRequest) -> list[dict[str, str]]:
    _endpoints(request)
    return [{"name": t.name, "description": str(t.description)} for t in event_types_available()]


@router.get("/endpoints", response=list[EndpointOut], summary="List endpoints")
def endpoint_list(request: HttpRequest) -> QuerySet[WebhookEndpoint]:
    return _endpoints(request).order_by("id")


@router.post("/endpoints", response={201: EndpointWithSecret}, summary="Add an endpoint")
def endpoint_post(request: HttpRequest, payload: EndpointIn) -> Status[WebhookEndpoint]:
    require_editor(request)
    _endpoints(request)
    endpoint = endpoint_create(actor=caller(request), **payload.model_dump())
    return Status(201, endpoint)


@router.get("/endpoints/{int:pk}", response=EndpointWithSecret, summary="Get an endpoint")
def endpoint_get(request: HttpRequest, pk: int) -> WebhookEndpoint:
    return get_visible(_endpoints(request), pk=pk)


@router.patch("/endpoints/{int:pk}", response=EndpointOut, summary="Change an endpoint")
def endpoint_patch(request: HttpRequest, pk: int, payload: EndpointPatch) -> WebhookEndpoint:
    require_editor(request)
    endpoint = get_visible(_endpoints(request), pk=pk)
    return endpoint_update(
        actor=caller(request), endpoint=endpoint, **payload.model_dump(exclude_unset=True)
    )


@router.delete("/endpoints/{int:pk}", response={204: None}, summary="Delete an endpoint")
def endpoint_remove(request: HttpRequest, pk: int) -> Status[None]:
    require_editor(request)
    endpoint_delete(actor=caller(request), endpoint=get_visible(_endpoints(request), pk=pk))
    return Status(204, None)


@router.post(
    "/endpoints/{int:pk}/rotate-secret", response=EndpointWithSecret, summary="New signing secret"
)
def endpoint_rotate(request: HttpRequest, pk: int) -> WebhookEndpoint:
    require_editor(request)
    endpoint = get_visible(_endpoints(request), pk=pk)
    endpoint_secret_rotate(actor=caller(request), endpoint=endpoint)
    return get_visible(_endpoints(request), pk=pk)


@router.post("/endpoints/{int:pk}/test", response={202: DeliveryOut}, summary="Send a test event")
def endpoint_test(request: HttpRequest, pk: int) -> Status[WebhookDelivery]:
    require_editor(request)
    endpoint = get_visible(_endpoints(request), pk=pk)
    return Status(202, endpoint_send_test(actor=caller(request), endpoint=endpoint))


@router.get("/endpoints/{int:pk}/deliveries", response=list[DeliveryOut], summary="Delivery log")
@paginate(KeysetPagination)
def delivery_list(request: HttpRequest, pk: int) -> QuerySet[WebhookDelivery]:
    endpoint = get_visible(_endpoints(request), pk=pk)
    return deliveries_of(endpoint).select_related("event").order_by("id")


@router.post("/deliveries/{int:pk}/redeliver", response={202: DeliveryOut}, summary="Deliver again")
def delivery_again(request: HttpRequest, pk: int) -> Status[WebhookDelivery]:
    require_editor(request)
    _endpoints(request)
    delivery = get_visible(deliveries_visible_to(caller(request)).select_related("event"), pk=pk)
    return Status(202, delivery_redeliver(actor=caller(request), delivery=delivery))
