from encaisse.ledger.models.company import Company
from encaisse.ledger.models.customer import Contact, Customer, CustomerStatus
from encaisse.ledger.models.imports import ImportBatch, ImportKind, ImportSource, ImportStatus
from encaisse.ledger.models.invoice import CreditNote, Invoice, InvoiceSource, InvoiceStatus
from encaisse.ledger.models.payment import Allocation, Payment

__all__ = [
    "Allocation",
    "Company",
    "Contact",
    "CreditNote",
    "Customer",
    "CustomerStatus",
    "ImportBatch",
    "ImportKind",
    "ImportSource",
    "ImportStatus",
    "Invoice",
    "InvoiceSource",
    "InvoiceStatus",
    "Payment",
]
