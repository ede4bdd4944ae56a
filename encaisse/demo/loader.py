"""Loading the demo ledger straight into the database, fast.

Rows are inserted with `bulk_create` in chunks (the generator already knows
every allocation), then `balances_recompute()` derives balances, statuses and
allocated totals once, set-based, exactly as the bulk import path does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils.translation import gettext as _

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.collab.services import activities_record_many
from encaisse.demo import identifiers
from encaisse.demo.behaviours import Behaviour
from encaisse.demo.generator import DEFAULT_SEED, customer_histories
from encaisse.demo.progress import progress_bar
from encaisse.demo.records import (
    CustomerHistory,
    DemoCreditNote,
    DemoInvoice,
    DemoPayment,
    cents_to_decimal,
)
from encaisse.demo.staff import COMPANY, STAFF
from encaisse.demo.users import DemoLogin, ensure_demo_users
from encaisse.dunning.models import BacklogMode
from encaisse.dunning.services.go_live import go_live_policy_update
from encaisse.ledger.models import (
    Allocation,
    Contact,
    CreditNote,
    Customer,
    Invoice,
    InvoiceSource,
    Payment,
)
from encaisse.ledger.services.balances import balances_recompute, statistics_refresh
from encaisse.ledger.services.company import company_identity_update, company_terms_update

CHUNK_INVOICES = 20_000
_NOTABLE = 12  # customers who get a few timeline entries


class DemoDatabaseNotEmpty(RuntimeError):
    """The demo only loads into a ledger without customers (its keys would clash)."""


@dataclass(slots=True)
class DemoLoadResult:
    logins: list[DemoLogin]
    counts: dict[str, int] = field(default_factory=dict)


def load_into_database(
    *,
    invoices: int = 2000,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    progress: bool = False,
) -> DemoLoadResult:
    """Create the demo company, staff and ledger in one transaction."""
    today = today or dt.date.today()
    if Customer.objects.exists():
        raise DemoDatabaseNotEmpty(
            _("The database already has customers; the demo needs an empty ledger.")
        )
    with transaction.atomic():
        _company()
        # The demo's ledger is the company's own from the start: no backlog to
        # hold back, its first run needs no confirmation.
        go_live_policy_update(
            actor=None, go_live_on=None, mode=BacklogMode.FULL, ceiling_offset=None
        )
        logins = ensure_demo_users()
        users = dict(
            User.objects.filter(username__in=[m.username for m in STAFF]).values_list(
                "username", "pk"
            )
        )
        loader = _ChunkLoader(users)
        with progress_bar(_("Loading the demo ledger"), invoices, progress) as advance:
            for history in customer_histories(invoices=invoices, seed=seed, today=today):
                loader.add(history)
                if loader.pending_invoices >= CHUNK_INVOICES:
                    loader.flush()
                    # With DEBUG on, Django keeps every query's SQL: megabytes per bulk insert.
                    connection.queries_log.clear()
                advance(len(history.invoices))
            loader.flush()
        statistics_refresh()
        balances_recompute()
        _timeline(loader, users, {"seed": seed, "invoices": invoices, "today": today.isoformat()})
    return DemoLoadResult(logins=logins, counts=loader.counts)


def _company() -> None:
    """The demo company's identity and terms, through the settings services (their
    checks also keep the generated identifiers honest)."""
    siren = identifiers.siren_for(0, 55_312_704)
    company_identity_update(
        actor=None,
        legal_name=COMPANY.legal_name,
        siren=siren,
        vat_number=identifiers.vat_for(siren),
        address=COMPANY.address,
        iban=identifiers.french_iban("30004", "01234", "00012345678"),
        bic=COMPANY.bic,
        email=COMPANY.email,
        phone=COMPANY.phone,
        currency="EUR",
        language="fr",
    )
    company_terms_update(actor=None, default_terms_days=30, default_terms_end_of_month=False)


class _ChunkLoader:
    """Buffers customer histories and inserts them table by table."""

    def __init__(self, users: dict[str, int]) -> None:
        self.users = users
        self.histories: list[CustomerHistory] = []
        self.pending_invoices = 0
        self.counts = dict.fromkeys(
            ("customers", "contacts", "invoices", "credit_notes", "payments", "allocations"), 0
        )
        # (customer pk, an open invoice pk or None, behaviour, account manager pk)
        self.notable: list[tuple[int, int | None, Behaviour, int | None]] = []

    def add(self, history: CustomerHistory) -> None:
        self.histories.append(history)
        self.pending_invoices += len(history.invoices)

    def flush(self) -> None:
        if not self.histories:
            return
        customers = Customer.objects.bulk_create([self._customer(h) for h in self.histories])
        contacts: list[Contact] = []
        invoices: list[list[Invoice]] = []
        notes: list[list[CreditNote]] = []
        payments: list[list[Payment]] = []
        for history, customer in zip(self.histories, customers, strict=True):
            contacts.extend(
                Contact(
                    customer_id=customer.pk,
                    name=c.name,
                    role=c.role,
                    email=c.email,
                    phone=c.phone,
                    preferred_for_reminders=c.preferred,
                )
                for c in history.customer.contacts
            )
            invoices.append([self._invoice(customer.pk, inv) for inv in history.invoices])
            notes.append([self._credit_note(customer.pk, n) for n in history.credit_notes])
            payments.append([self._payment(customer.pk, p) for p in history.payments])
        Contact.objects.bulk_create(contacts)
        Invoice.objects.bulk_create([row for rows in invoices for row in rows], batch_size=5000)
        CreditNote.objects.bulk_create([row for rows in notes for row in rows], batch_size=5000)
        Payment.objects.bulk_create([row for rows in payments for row in rows], batch_size=5000)
        allocations = []
        for history, inv_rows, note_rows, pay_rows in zip(
            self.histories, invoices, notes, payments, strict=True
        ):
            for note, note_row in zip(history.credit_notes, note_rows, strict=True):
                allocations.append(
                    self._allocation(
                        inv_rows[note.invoice].pk, note.amount_cents, credit_note_id=note_row.pk
                    )
                )
            for payment, pay_row in zip(history.payments, pay_rows, strict=True):
                allocations.extend(
                    self._allocation(inv_rows[index].pk, cents, payment_id=pay_row.pk)
                    for index, cents in payment.allocations
                )
        Allocation.objects.bulk_create(allocations, batch_size=5000)
        self._remember_notable(customers, invoices)
        for key, number in (
            ("customers", len(customers)),
            ("contacts", len(contacts)),
            ("invoices", sum(map(len, invoices))),
            ("credit_notes", sum(map(len, notes))),
            ("payments", sum(map(len, payments))),
            ("allocations", len(allocations)),
        ):
            self.counts[key] += number
        self.histories, self.pending_invoices = [], 0

    def _remember_notable(self, customers: list[Customer], invoices: list[list[Invoice]]) -> None:
        for history, customer, rows in zip(self.histories, customers, invoices, strict=True):
            if len(self.notable) >= _NOTABLE:
                return
            behaviour = history.customer.behaviour
            if behaviour not in (Behaviour.DISPUTER, Behaviour.DEFAULTER, Behaviour.CHRONIC_LATE):
                continue
            open_rows = [
                row for row, cents in zip(rows, history.balances(), strict=True) if cents > 0
            ]
            self.notable.append(
                (
                    customer.pk,
                    open_rows[0].pk if open_rows else None,
                    behaviour,
                    customer.account_manager_id,
                )
            )

    def _customer(self, history: CustomerHistory) -> Customer:
        c = history.customer
        return Customer(
            external_key=c.key,
            name=c.name,
            siren=c.siren,
            siret=c.siret,
            vat_number=c.vat_number,
            address=c.address,
            postal_code=c.postal_code,
            city=c.city,
            country="FR",
            language="fr",
            currency="EUR",
            terms_days=c.terms_days,
            terms_end_of_month=c.terms_end_of_month,
            account_manager_id=self.users.get(c.account_manager),
            credit_limit=cents_to_decimal(c.credit_limit_cents),
            risk_class=c.risk_class,
            status=c.status,
            tags=list(c.tags),
        )

    @staticmethod
    def _invoice(customer_id: int, inv: DemoInvoice) -> Invoice:
        amount = cents_to_decimal(inv.amount_cents)
        return Invoice(
            external_key=inv.number,
            number=inv.number,
            customer_id=customer_id,
            issue_date=inv.issue,
            due_date=inv.due,
            currency="EUR",
            amount=amount,
            amount_excl_tax=cents_to_decimal(inv.excl_cents),
            balance=amount,
            po_reference=inv.po_reference,
            source=InvoiceSource.DEMO,
        )

    @staticmethod
    def _credit_note(customer_id: int, note: DemoCreditNote) -> CreditNote:
        return CreditNote(
            external_key=note.number,
            number=note.number,
            customer_id=customer_id,
            issue_date=note.issue,
            currency="EUR",
            amount=cents_to_decimal(note.amount_cents),
            reason=note.reason,
            source=InvoiceSource.DEMO,
        )

    @staticmethod
    def _payment(customer_id: int, payment: DemoPayment) -> Payment:
        return Payment(
            external_key=payment.key,
            customer_id=customer_id,
            date=payment.date,
            currency="EUR",
            amount=cents_to_decimal(payment.amount_cents),
            method=payment.method,
            bank_reference=payment.bank_reference,
            remittance=payment.remittance,
            source=InvoiceSource.DEMO,
        )

    @staticmethod
    def _allocation(
        invoice_id: int,
        cents: int,
        *,
        payment_id: int | None = None,
        credit_note_id: int | None = None,
    ) -> Allocation:
        return Allocation(
            invoice_id=invoice_id,
            payment_id=payment_id,
            credit_note_id=credit_note_id,
            amount=cents_to_decimal(cents),
            currency="EUR",
        )


_COMMENTS = {
    Behaviour.DISPUTER: (
        "sales",
        "Le client conteste la facture : livraison incomplète selon lui. "
        "Je vérifie le bon de livraison avec la logistique.",
    ),
    Behaviour.DEFAULTER: (
        "finance",
        "Aucun règlement depuis plusieurs mois et plus de réponse au téléphone. "
        "Dossier à préparer pour le cabinet de recouvrement.",
    ),
    Behaviour.CHRONIC_LATE: (
        "sales",
        "Appel au comptable : ils paient toujours à 60 jours quoi qu'on fasse. "
        "Proposer le prélèvement SEPA au prochain renouvellement.",
    ),
}


def _timeline(loader: _ChunkLoader, users: dict[str, int], inputs: dict[str, object]) -> None:
    """A handful of realistic timeline entries, so that the demo timelines are not empty.

    `demo.loaded` also records the generator's inputs: the simulator reads the
    seed back to re-derive each customer's behaviour.
    """
    entries = [
        Activity(
            verb="demo.loaded",
            actor_id=users.get("admin"),
            payload={"counts": loader.counts, **inputs},
        )
    ]
    for customer_id, invoice_id, behaviour, manager_id in loader.notable:
        author, text = _COMMENTS[behaviour]
        actor_id = manager_id if author == "sales" else users.get("finance")
        entries.append(
            Activity(
                verb="collab.comment.added",
                actor_id=actor_id,
                customer_id=customer_id,
                invoice_id=invoice_id,
                payload={"text": text},
            )
        )
    activities_record_many(entries)
