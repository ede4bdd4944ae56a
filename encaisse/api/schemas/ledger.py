"""Invoices, credit notes, payments and allocations, as the API shows them, and
the records it accepts to create or update them.

Records are deliberately loose (a value may be a string, a number, a boolean,
a list or null): they are judged by the CSV import's own parsers
(`ledger.imports.import_records`), so that the API and a file give the same
answer with the same message. The field descriptions say what each expects.
"""

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict

from encaisse.api.schemas.common import Money
from encaisse.ledger.models import CreditNote, Invoice, Payment

Value = str | int | float | bool | None
Values = Value | list[str]


class InvoiceOut(Schema):
    id: int
    external_key: str
    number: str
    customer_id: int
    customer_key: str = Field(description="the customer's external key")
    issue_date: dt.date
    due_date: dt.date
    currency: str
    amount: Money
    amount_excl_tax: Money | None
    balance: Money = Field(description="what is still owed")
    status: str
    paid_on: dt.date | None
    po_reference: str
    source: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_customer_key(invoice: Invoice) -> str:
        return invoice.customer.external_key


class CreditNoteOut(Schema):
    id: int
    external_key: str
    number: str
    customer_id: int
    customer_key: str
    issue_date: dt.date
    currency: str
    amount: Money
    allocated: Money
    reason: str
    source: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_customer_key(note: CreditNote) -> str:
        return note.customer.external_key


class PaymentOut(Schema):
    id: int
    external_key: str
    customer_id: int
    customer_key: str
    date: dt.date
    currency: str
    amount: Money
    allocated: Money
    method: str
    bank_reference: str
    remittance: str
    source: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_customer_key(payment: Payment) -> str:
        return payment.customer.external_key


class AllocationOut(Schema):
    id: int
    invoice_id: int
    payment_id: int | None
    credit_note_id: int | None
    amount: Money = Field(description="negative for a reversal")
    currency: str
    reverses_id: int | None = Field(description="set on a reversal: the allocation it undoes")
    note: str
    created_at: dt.datetime
    updated_at: dt.datetime


class AllocationIn(Schema):
    invoice_id: int
    payment_id: int | None = Field(None, description="the payment to apply (or credit_note_id)")
    credit_note_id: int | None = None
    amount: Money


class AllocationReverseIn(Schema):
    reason: str = Field(min_length=1, max_length=200)


class _Record(BaseModel):
    # Column spellings of a CSV header are accepted too (docs/imports.md): kept as
    # extra fields (a plain pydantic model: ninja's Schema drops extras).
    model_config = ConfigDict(extra="allow")


class CustomerRecord(_Record):
    external_key: Value = Field(None, description="your key for the customer (max 64)")
    name: Value = Field(None, description="required when creating")
    siren: Value = None
    siret: Value = None
    vat_number: Value = None
    address: Value = None
    postal_code: Value = None
    city: Value = None
    country: Value = Field(None, description="ISO 3166 code, e.g. FR")
    language: Value = Field(None, description="fr or en")
    currency: Value = None
    terms_days: Value = None
    terms_end_of_month: Value = None
    account_manager: Value = Field(None, description="username or email of a user")
    credit_limit: Value = Field(None, description='an amount, e.g. "15000.00"')
    risk_class: Value = None
    status: Value = None
    tags: Values = None
    contact_name: Value = None
    contact_email: Value = None
    contact_phone: Value = None


class InvoiceRecord(_Record):
    external_key: Value = Field(None, description="your key (default: the number)")
    number: Value = None
    customer_key: Value = Field(None, description="the customer's external key")
    issue_date: Value = Field(None, description="YYYY-MM-DD")
    due_date: Value = Field(None, description="YYYY-MM-DD (default: the customer's terms)")
    amount: Value = Field(None, description='incl. tax, e.g. "1200.00"')
    amount_excl_tax: Value = None
    currency: Value = None
    po_reference: Value = None


class CreditNoteRecord(_Record):
    external_key: Value = Field(None, description="your key (default: the number)")
    number: Value = None
    customer_key: Value = None
    issue_date: Value = None
    amount: Value = None
    invoice_number: Value = Field(None, description="the invoice it credits, if any")
    reason: Value = None


class PaymentRecord(_Record):
    external_key: Value = Field(None, description="your key for the payment")
    customer_key: Value = None
    date: Value = Field(None, description="YYYY-MM-DD")
    amount: Value = None
    currency: Value = None
    method: Value = Field(None, description="transfer, card, cheque, direct_debit, cash, other")
    bank_reference: Value = None
    remittance: Value = None
    invoice_numbers: Values = Field(None, description="invoices the payment settles")


# Plain pydantic models, not ninja Schemas: a bulk answer has 1 000 of them,
# and a Schema's root validator (built to read Django objects) cost a quarter
# of a bulk call.
class RecordOutcome(BaseModel):
    index: int
    outcome: Literal["created", "updated", "unchanged"]
    id: int | None = Field(description="null for an object a dry run would create")
    external_key: str


class BulkResult(BaseModel):
    dry_run: bool
    created: int
    updated: int
    unchanged: int
    records: list[RecordOutcome]


class BulkIn(Schema):
    dry_run: bool = Field(False, description="check everything, write nothing")


class InvoiceBulk(BulkIn):
    records: list[InvoiceRecord] = Field(max_length=1000)


class CustomerBulk(BulkIn):
    records: list[CustomerRecord] = Field(max_length=1000)


class CreditNoteBulk(BulkIn):
    records: list[CreditNoteRecord] = Field(max_length=1000)


class PaymentBulk(BulkIn):
    records: list[PaymentRecord] = Field(max_length=1000)
