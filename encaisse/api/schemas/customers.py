"""Customers and their contacts, as the API shows them."""

import datetime as dt

from ninja import Field, Schema

from encaisse.api.schemas.common import Money
from encaisse.ledger.models import Contact, Customer


class ContactOut(Schema):
    id: int
    name: str
    role: str
    email: str
    phone: str
    preferred_for_reminders: bool


class ContactIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    role: str = Field("billing", description="billing, purchasing, management or other")
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    preferred_for_reminders: bool = False


class ContactPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    role: str | None = None
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    preferred_for_reminders: bool | None = None


class CustomerOut(Schema):
    id: int
    external_key: str
    name: str
    siren: str
    siret: str
    vat_number: str
    address: str
    postal_code: str
    city: str
    country: str
    language: str
    currency: str
    terms_days: int | None
    terms_end_of_month: bool
    account_manager: str | None = Field(description="the account manager's username")
    credit_limit: Money | None
    risk_class: str
    status: str
    tags: list[str]
    open_balance: Money
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_account_manager(customer: Customer) -> str | None:
        manager = customer.account_manager
        return manager.username if manager is not None else None


def contact_out(contact: Contact) -> ContactOut:
    return ContactOut.from_orm(contact)
