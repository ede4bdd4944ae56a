"""/api/v1/customers: the customers a caller may see, and their contacts."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from encaisse.api.access import get_visible, require_editor
from encaisse.api.auth import caller
from encaisse.api.ledger_routes import add_writes
from encaisse.api.pagination import KeysetPagination
from encaisse.api.schemas.common import Instant
from encaisse.api.schemas.customers import ContactIn, ContactOut, ContactPatch, CustomerOut
from encaisse.api.schemas.ledger import CustomerBulk, CustomerRecord
from encaisse.ledger.models import Contact, Customer
from encaisse.ledger.selectors import customers_visible_to
from encaisse.ledger.services.contacts import contact_add, contact_delete, contact_update

router = Router(tags=["customers"])


class CustomerFilters(Schema):
    status: str | None = Field(None, description="active, on_hold, agency, insolvency, closed…")
    account_manager: str | None = Field(None, description="username of the account manager")
    updated_since: Instant | None = Field(
        None, description="only rows changed at or after; the list is then ordered by change"
    )
    q: str | None = Field(None, max_length=100, description="part of the name or external key")


def _customers(request: HttpRequest) -> QuerySet[Customer]:
    return customers_visible_to(caller(request)).select_related("account_manager")


def ordered_for_sync(queryset: QuerySet, updated_since: Instant | None) -> QuerySet:
    """Lists go by id; a caller following changes gets them in (updated_at, id) order."""
    if updated_since is None:
        return queryset.order_by("id")
    return queryset.filter(updated_at__gte=updated_since).order_by("updated_at", "id")


@router.get("", response=list[CustomerOut], summary="List customers")
@paginate(KeysetPagination)
def customer_list(request: HttpRequest, filters: Query[CustomerFilters]) -> QuerySet[Customer]:
    customers = _customers(request)
    if filters.status:
        customers = customers.filter(status=filters.status)
    if filters.account_manager:
        customers = customers.filter(account_manager__username=filters.account_manager)
    if filters.q:
        customers = customers.filter(name__icontains=filters.q) | customers.filter(
            external_key__iexact=filters.q
        )
    return ordered_for_sync(customers, filters.updated_since)


@router.get("/by-key/{key}", response=CustomerOut, summary="Get a customer by external key")
def customer_by_key(request: HttpRequest, key: str) -> Customer:
    return get_visible(_customers(request), external_key=key)


@router.get("/{int:pk}", response=CustomerOut, summary="Get a customer")
def customer_get(request: HttpRequest, pk: int) -> Customer:
    return get_visible(_customers(request), pk=pk)


@router.get("/{int:customer_id}/contacts", response=list[ContactOut], summary="List contacts")
def contact_list(request: HttpRequest, customer_id: int) -> QuerySet[Contact]:
    customer = get_visible(_customers(request), pk=customer_id)
    return customer.contacts.all()


@router.post("/{int:customer_id}/contacts", response={201: ContactOut}, summary="Add a contact")
def contact_post(request: HttpRequest, customer_id: int, payload: ContactIn) -> Status[Contact]:
    require_editor(request)
    customer = get_visible(_customers(request), pk=customer_id)
    return Status(201, contact_add(actor=caller(request), customer=customer, **payload.dict()))


@router.patch(
    "/{int:customer_id}/contacts/{int:contact_id}", response=ContactOut, summary="Change a contact"
)
def contact_patch(
    request: HttpRequest, customer_id: int, contact_id: int, payload: ContactPatch
) -> Contact:
    require_editor(request)
    customer = get_visible(_customers(request), pk=customer_id)
    contact = get_visible(customer.contacts.all(), pk=contact_id)
    changes = payload.dict(exclude_unset=True)
    return contact_update(actor=caller(request), contact=contact, **changes)


@router.delete(
    "/{int:customer_id}/contacts/{int:contact_id}", response={204: None}, summary="Remove a contact"
)
def contact_remove(request: HttpRequest, customer_id: int, contact_id: int) -> Status[None]:
    require_editor(request)
    customer = get_visible(_customers(request), pk=customer_id)
    contact = get_visible(customer.contacts.all(), pk=contact_id)
    contact_delete(actor=caller(request), contact=contact)
    return Status(204, None)


add_writes(
    router,
    kind="customers",
    noun="a customer",
    record=CustomerRecord,
    bulk=CustomerBulk,
    out=CustomerOut,
    visible=_customers,
    base=lambda customer: {"name": customer.name},
)
