"""The deterministic demo ledger: a function of (seed, number of invoices, today).

1. A master `random.Random` seeded from `seed` draws each customer's share of the
   invoices (a Pareto spread: a few big accounts, many small ones).
2. Each customer then gets its own `Random(f"{seed}:{index}")`, so its history
   can be produced alone: the whole ledger streams one customer at a time, in
   bounded memory, whatever its size.
3. For each invoice the customer's behaviour (see `behaviours`) decides credit
   notes and payment parts; payments dated after `today` are not made (recent
   invoices stay open); defaulters stop paying at their default date.
4. Single full payments a few days apart are sometimes merged into one
   transfer covering two invoices.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

from encaisse.demo import identifiers, names
from encaisse.demo.behaviours import RISK_CLASS, Behaviour, draw_behaviour, draw_delay
from encaisse.demo.records import (
    CustomerHistory,
    DemoContact,
    DemoCreditNote,
    DemoCustomer,
    DemoInvoice,
    DemoPayment,
)
from encaisse.demo.staff import SALES_USERNAMES
from encaisse.lib.dates import due_date_for

DEFAULT_SEED = 42
HISTORY_DAYS = 548  # 18 months
VAT_PERCENT = 20
TAGS = ("grand compte", "secteur public", "BTP", "export", "franchise", "PME")
TERMS = ((30, False), (45, True), (60, False))  # 30 j net, 45 j fin de mois, 60 j net
_TERMS_WEIGHTS = (0.40, 0.35, 0.25)
_CREDIT_REASONS = ("Erreur de facturation", "Remise commerciale", "Retour marchandise")


def customer_count(invoices: int) -> int:
    return max(1, min(invoices, round(invoices / 10)))


@dataclass(slots=True)
class _Sequences:
    """Global document counters, advanced in generation order (hence deterministic)."""

    invoice: Iterator[int]
    credit_note: Iterator[int]
    payment: Iterator[int]


def customer_histories(*, invoices: int, seed: int, today: dt.date) -> Iterator[CustomerHistory]:
    """Yield every customer with its invoices, credit notes and payments."""
    if invoices < 1:
        raise ValueError("invoices must be positive")
    master = random.Random(f"encaisse-demo:{seed}")
    customers = customer_count(invoices)
    weights = [min(master.paretovariate(1.6), 30.0) for _ in range(customers)]
    siren_offset = master.randrange(70_000_000)
    sequences = _Sequences(itertools.count(1), itertools.count(1), itertools.count(1))
    extra, total_weight, cumulative, placed = invoices - customers, sum(weights), 0.0, 0
    for index, weight in enumerate(weights):
        cumulative += weight
        upto = round(extra * cumulative / total_weight)
        count, placed = 1 + upto - placed, upto
        rng = random.Random(f"{seed}:{index}")
        customer = _customer(rng, index, siren_offset)
        yield _history(rng, customer, count, today, sequences)


def _customer(rng: random.Random, index: int, siren_offset: int) -> DemoCustomer:
    behaviour = draw_behaviour(rng)
    name = names.company_name(rng)
    siren = identifiers.siren_for(index, siren_offset)
    city, postal_code = names.city(rng)
    terms_days, end_of_month = rng.choices(TERMS, weights=_TERMS_WEIGHTS)[0]
    status = "active"
    if behaviour is Behaviour.DEFAULTER:
        status = rng.choices(("on_hold", "agency", "insolvency", "active"), (40, 30, 15, 15))[0]
    domain = f"{names.ascii_slug(name)}.example.fr"
    contacts: list[DemoContact] = []
    for role, preferred in (("billing", True), ("purchasing", False)):
        if not preferred and rng.random() < 0.6:
            break
        first, last = names.person_name(rng)
        email = f"{names.ascii_slug(first, '.')}.{names.ascii_slug(last, '.')}@{domain}"
        if any(contact.email == email for contact in contacts):
            break
        contacts.append(
            DemoContact(f"{first} {last}", role, email, names.phone(rng, postal_code), preferred)
        )
    return DemoCustomer(
        index=index,
        key=f"C{index + 1:06d}",
        name=name,
        siren=siren,
        siret=identifiers.siret_for(siren, rng.randint(1, 9) * 10),
        vat_number=identifiers.vat_for(siren),
        address=names.street_address(rng),
        postal_code=postal_code,
        city=city,
        terms_days=terms_days,
        terms_end_of_month=end_of_month,
        account_manager=rng.choice(SALES_USERNAMES),
        credit_limit_cents=0,  # set once the typical invoice size is known
        risk_class=RISK_CLASS[behaviour],
        status=status,
        tags=tuple(sorted(rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2))))),
        behaviour=behaviour,
        contacts=contacts,
    )


def customer_behaviour(seed: int, index: int) -> Behaviour:
    """The behaviour of customer `index` (0-based: key C000001 is index 0) for `seed`.

    It is the first draw of the customer's own random stream, so it does not
    depend on the ledger's size or date: the simulator re-derives it from the key.
    """
    return draw_behaviour(random.Random(f"{seed}:{index}"))


def vat_cents(excl_cents: int) -> int:
    return (excl_cents * VAT_PERCENT + 50) // 100  # ROUND_HALF_UP on positive cents


def draw_invoice_excl(rng: random.Random, median: float) -> int:
    """An invoice amount excl. tax in cents, log-normal around the customer's typical size."""
    return min(25_000_000, max(3_000, int(rng.lognormvariate(0, 0.6) * median)))


def draw_po_reference(rng: random.Random) -> str:
    return f"BC-{rng.randint(10000, 99999)}" if rng.random() < 0.3 else ""


def invoice_number(issue: dt.date, sequence: int) -> str:
    return f"FA{issue.year}-{sequence:07d}"


def credit_note_number(issue: dt.date, sequence: int) -> str:
    return f"AV{issue.year}-{sequence:06d}"


def payment_key(sequence: int) -> str:
    return f"PAY{sequence:08d}"


def _split_ttc(ttc_cents: int) -> tuple[int, int]:
    """(excl, vat) of an amount incl. 20 % VAT, the excl. part rounded half up."""
    excl = (ttc_cents * 100 * 2 + 100 + VAT_PERCENT) // (2 * (100 + VAT_PERCENT))
    return excl, ttc_cents - excl


def _history(
    rng: random.Random, customer: DemoCustomer, count: int, today: dt.date, seq: _Sequences
) -> CustomerHistory:
    start = today - dt.timedelta(days=HISTORY_DAYS)
    if rng.random() >= 0.7:  # a newer customer
        start += dt.timedelta(days=rng.randint(0, HISTORY_DAYS * 2 // 3))
    span = (today - start).days
    median = rng.lognormvariate(11.6, 0.8)  # typical invoice ≈ 1 100 € excl. tax
    customer.credit_limit_cents = max(500_000, round(median * 6 / 100_000) * 100_000)
    invoices: list[DemoInvoice] = []
    for offset in sorted(rng.randint(0, span) for _ in range(count)):
        issue = start + dt.timedelta(days=offset)
        excl = draw_invoice_excl(rng, median)
        due = due_date_for(
            issue, days=customer.terms_days, end_of_month_rule=customer.terms_end_of_month
        )
        po = draw_po_reference(rng)
        invoices.append(
            DemoInvoice(
                invoice_number(issue, next(seq.invoice)), issue, due, excl, vat_cents(excl), po
            )
        )
    settler = _Settler(rng, customer, today, seq)
    for index, invoice in enumerate(invoices):
        settler.settle(index, invoice)
    return CustomerHistory(customer, invoices, settler.credit_notes, settler.payments(invoices))


class _Settler:
    """Decides, invoice by invoice, the credit notes and payments of one customer."""

    def __init__(
        self, rng: random.Random, customer: DemoCustomer, today: dt.date, seq: _Sequences
    ) -> None:
        self.rng, self.customer, self.today, self.seq = rng, customer, today, seq
        self.behaviour = customer.behaviour
        self.default_date = (
            today - dt.timedelta(days=rng.randint(60, 300))
            if self.behaviour is Behaviour.DEFAULTER
            else None
        )
        self.credit_notes: list[DemoCreditNote] = []
        self.parts: list[tuple[dt.date, int, int]] = []  # (date, invoice index, cents)
        self.mergeable: set[int] = set()  # invoices settled by one payment and nothing else

    def _credit(self, index: int, day: dt.date, excl: int, vat: int, reason: str) -> bool:
        if day > self.today or excl + vat <= 0:
            return False
        number = credit_note_number(day, next(self.seq.credit_note))
        self.credit_notes.append(DemoCreditNote(number, day, excl, vat, index, reason))
        return True

    def _pay(self, index: int, day: dt.date, cents: int) -> None:
        if (
            cents > 0
            and day <= self.today
            and (self.default_date is None or day <= self.default_date)
        ):
            self.parts.append((day, index, cents))

    def settle(self, index: int, invoice: DemoInvoice) -> None:
        rng, day = self.rng, dt.timedelta(days=1)
        remaining = invoice.amount_cents
        pay_on = max(
            invoice.issue + day, invoice.due + dt.timedelta(days=draw_delay(rng, self.behaviour))
        )
        age = (self.today - invoice.issue).days
        if self.behaviour is Behaviour.DISPUTER and rng.random() < 0.3:
            self._contest(index, invoice, pay_on, age)
            return
        if rng.random() < 0.025:
            credit_on = invoice.issue + dt.timedelta(days=rng.randint(3, 30))
            if rng.random() < 0.35:
                excl, vat = invoice.excl_cents, invoice.vat_cents
            else:
                excl = invoice.excl_cents * rng.randint(5, 40) // 100
                vat = vat_cents(excl)
            if self._credit(index, credit_on, excl, vat, rng.choice(_CREDIT_REASONS)):
                remaining -= excl + vat
                pay_on = max(pay_on, credit_on + day)
                self._pay(index, pay_on, remaining)
                return
        if remaining >= 20_000 and rng.random() < 0.05:  # paid in two instalments
            first = remaining * rng.randint(30, 70) // 10_000 * 100
            self._pay(index, pay_on, first)
            self._pay(index, pay_on + dt.timedelta(days=rng.randint(15, 45)), remaining - first)
            return
        self.mergeable.add(index)
        self._pay(index, pay_on, remaining)

    def _contest(self, index: int, invoice: DemoInvoice, pay_on: dt.date, age: int) -> None:
        """A disputed invoice: partly paid, partly credited, or still open."""
        rng, amount = self.rng, invoice.amount_cents
        mode = rng.random()
        if mode < 0.4:
            paid = amount * rng.randint(50, 90) // 100
            self._pay(index, pay_on, paid)
            if age > 270:  # the dispute was settled with a credit note for the rest
                excl, vat = _split_ttc(amount - paid)
                self._credit(
                    index,
                    pay_on + dt.timedelta(days=rng.randint(20, 90)),
                    excl,
                    vat,
                    "Litige réglé : geste commercial",
                )
        elif mode < 0.8:
            excl = invoice.excl_cents * rng.randint(10, 30) // 100
            vat = vat_cents(excl)
            credit_on = invoice.issue + dt.timedelta(days=rng.randint(10, 40))
            credited = self._credit(index, credit_on, excl, vat, "Litige : prestation contestée")
            later = pay_on + dt.timedelta(days=rng.randint(20, 60))
            self._pay(index, later, amount - (excl + vat if credited else 0))
        elif age > 365:
            self._pay(index, invoice.due + dt.timedelta(days=rng.randint(120, 220)), amount)

    def payments(self, invoices: list[DemoInvoice]) -> list[DemoPayment]:
        rng = self.rng
        self.parts.sort()
        grouped: list[tuple[dt.date, list[tuple[int, int]]]] = []
        position = 0
        while position < len(self.parts):
            day, index, cents = self.parts[position]
            if position + 1 < len(self.parts):
                next_day, next_index, next_cents = self.parts[position + 1]
                if (
                    index in self.mergeable
                    and next_index in self.mergeable
                    and (next_day - day).days <= 12
                    and rng.random() < 0.45
                ):
                    grouped.append((next_day, [(index, cents), (next_index, next_cents)]))
                    position += 2
                    continue
            grouped.append((day, [(index, cents)]))
            position += 1
        if rng.random() < 0.04:  # an advance or unidentified transfer, left on account
            first_issue = invoices[0].issue
            day = first_issue + dt.timedelta(days=rng.randint(0, (self.today - first_issue).days))
            grouped.append((day, []))
            grouped.sort(key=lambda item: item[0])
        return [self._payment(day, allocations, invoices) for day, allocations in grouped]

    def _payment(
        self, day: dt.date, allocations: list[tuple[int, int]], invoices: list[DemoInvoice]
    ) -> DemoPayment:
        rng = self.rng
        number = next(self.seq.payment)
        cents = sum(part for _index, part in allocations) or rng.choice((500, 1000, 2000)) * 100
        refs = " ".join(invoices[index].number for index, _part in allocations)
        method, reference, text = draw_payment_texts(
            rng, self.behaviour, self.customer.name, day, number, refs
        )
        return DemoPayment(payment_key(number), day, cents, method, reference, text, allocations)


def draw_payment_texts(
    rng: random.Random,
    behaviour: Behaviour,
    customer_name: str,
    day: dt.date,
    number: int,
    refs: str,
) -> tuple[str, str, str]:
    """(method, bank reference, remittance text) of a payment, as a bank statement shows it.

    Prompt payers often pay by direct debit; some payments are cheques or
    cards; a transfer names the invoices (`refs`) only some of the time.
    """
    payer = names.ascii_slug(customer_name, " ").upper()
    stamp = f"{day.year % 100:02d}{day.month:02d}{day.day:02d}"
    method = "transfer"
    draw = rng.random()
    if behaviour is Behaviour.PROMPT and draw < 0.3:
        method = "direct_debit"
    elif draw > 0.88:
        method = "cheque"
    elif draw > 0.85:
        method = "card"
    if method == "transfer":
        reference = f"VIR{stamp}{number:08d}"
        text = f"VIR SEPA {payer} FACT {refs}" if refs and draw < 0.6 else f"VIR SEPA {payer}"
        if not refs:
            text = f"VIR SEPA {payer} ACOMPTE"
    elif method == "direct_debit":
        reference, text = f"PRLV{stamp}{number:08d}", f"PRLV SEPA {payer} {refs}".rstrip()
    elif method == "cheque":
        reference, text = f"CHQ{rng.randint(1_000_000, 9_999_999)}", f"REMISE CHEQUE {payer}"
    else:
        reference, text = f"CB{stamp}{number:08d}", f"CB {payer} {refs}".rstrip()
    return method, reference, text
