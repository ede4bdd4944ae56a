"""A later FEC letters differently from what finance applied in Encaisse: the accounting wins.

FEC 1 has two invoices and two payments, nothing lettered (cash on account).
Finance applies the payments in Encaisse; next month's FEC 2 holds the same
lines, some lettered now. See docs/cash-application.md, "FEC lettering".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.ledger.models import Allocation, Customer, Invoice, Payment
from encaisse.ledger.services import balances_recompute, cash_apply
from tests.imports.helpers import run
from tests.imports.test_fec_rules import HEADER, line

pytestmark = pytest.mark.django_db
D = Decimal


def fec(**letters: str) -> str:
    """Invoices FA and FB (100 each), payments R1 and R2 (100 each); `letters` by piece."""
    lines = []
    for number, (piece, debit, credit, account) in enumerate(
        [("FA", "100,00", "0", "70600000"), ("FB", "100,00", "0", "70600000"),
         ("R1", "0", "100,00", "51200000"), ("R2", "0", "100,00", "51200000")], start=1
    ):  # fmt: skip
        journal = "VT" if account.startswith("7") else "BQ"
        lines.append(line(journal, str(number), "41100000", "DUPONT", piece, debit, credit,
                          letters.get(piece, "")))  # fmt: skip
        lines.append(line(journal, str(number), account, "", piece, credit, debit))
    return HEADER + "".join(lines)


def imported(content: str, name: str) -> object:
    report = run("fec", content, filename=name)
    assert report.status == "applied", (report.file_error, report.errors)
    return report


def get(number: str) -> Invoice:
    return Invoice.objects.get(number=number)


def payment(piece: str) -> Payment:
    return Payment.objects.get(bank_reference=piece)


def apply(who: User | None, piece: str, number: str) -> None:
    cash_apply(actor=who, source=payment(piece), allocations=[(get(number).pk, D("100.00"))])


def consistent() -> None:
    before = list(Invoice.objects.values_list("pk", "balance", "status", "paid_on"))
    before += list(Payment.objects.values_list("pk", "allocated"))
    before += list(Customer.objects.values_list("pk", "open_balance"))
    balances_recompute()
    after = list(Invoice.objects.values_list("pk", "balance", "status", "paid_on"))
    after += list(Payment.objects.values_list("pk", "allocated"))
    after += list(Customer.objects.values_list("pk", "open_balance"))
    assert after == before


def test_a_later_fec_lettering_otherwise_reverses_the_application_made_in_encaisse(
    alice: User,
) -> None:
    imported(fec(), "FEC1.txt")
    assert payment("R1").unallocated == D("100.00")
    apply(alice, "R1", "FA")
    assert get("FA").status == "paid"

    report = imported(fec(FB="AA", R1="AA"), "FEC2.txt")

    assert report.reversals == 1  # type: ignore[attr-defined]
    fa, fb = get("FA"), get("FB")
    assert (fa.balance, fa.status, fa.paid_on) == (D("100.00"), "open", None)
    assert (fb.balance, fb.status, fb.paid_on) == (D("0.00"), "paid", dt.date(2026, 1, 10))
    r1 = payment("R1")
    assert r1.allocated == D("100.00")
    live = Allocation.objects.filter(reverses__isnull=True, reversal__isnull=True)
    assert list(live.values_list("invoice__number", "payment__bank_reference")) == [("FB", "R1")]
    why = Activity.objects.get(verb="ledger.allocation.reversed", invoice=fa)
    assert why.payload["by"] == "fec_lettering" and why.payload["lettering"] == "AA"
    assert Activity.objects.filter(
        verb="ledger.allocation.created", invoice=fb, payload__via="fec_lettering"
    ).exists()
    assert Customer.objects.get().open_balance == D("100.00")  # FA, open again
    consistent()


def test_the_same_lettering_keeps_the_application_as_it_is(alice: User) -> None:
    imported(fec(), "FEC1.txt")
    apply(alice, "R1", "FA")
    mine = Allocation.objects.get()

    report = imported(fec(FA="AB", R1="AB"), "FEC2.txt")

    assert (report.reversals, report.allocations) == (0, 0)  # type: ignore[attr-defined]
    assert list(Allocation.objects.all()) == [mine]
    assert get("FA").status == "paid" and get("FB").status == "open"
    consistent()


def test_items_still_unlettered_keep_the_applications_made_in_encaisse(alice: User) -> None:
    imported(fec(), "FEC1.txt")
    apply(alice, "R1", "FA")
    apply(alice, "R2", "FB")

    report = imported(fec(), "FEC1-again.txt")

    assert (report.created, report.reversals, report.allocations) == (0, 0, 0)  # type: ignore[attr-defined]
    assert Allocation.objects.count() == 2
    assert (get("FA").status, get("FB").status) == ("paid", "paid")
    consistent()


def test_an_invoice_the_lettering_pays_makes_room_and_the_other_payment_returns_on_account(
    alice: User,
) -> None:
    imported(fec(), "FEC1.txt")
    apply(alice, "R2", "FB")  # finance thought R2 paid FB

    imported(fec(FB="AC", R1="AC"), "FEC2.txt")  # the accountant says R1 did

    fb = get("FB")
    assert fb.status == "paid"
    assert payment("R1").allocated == D("100.00")
    assert payment("R2").unallocated == D("100.00")  # back on account
    assert Activity.objects.filter(
        verb="ledger.allocation.reversed", invoice=fb, payload__lettering="AC"
    ).exists()
    consistent()


def test_a_payment_already_in_the_ledger_is_allocated_when_a_later_fec_letters_it() -> None:
    imported(fec(), "FEC1.txt")
    imported(fec(FA="AD", R1="AD"), "FEC2.txt")
    assert get("FA").status == "paid"
    assert payment("R1").allocated == D("100.00")
    consistent()


def test_a_lettered_fec_imported_again_changes_nothing(alice: User) -> None:
    imported(fec(FA="AE", R1="AE"), "FEC2.txt")
    apply(alice, "R2", "FB")
    before = list(Allocation.objects.values_list("pk", "invoice_id", "amount"))
    activities = Activity.objects.count()

    report = imported(fec(FA="AE", R1="AE"), "FEC2-again.txt")

    assert (report.created, report.reversals, report.allocations) == (0, 0, 0)  # type: ignore[attr-defined]
    assert list(Allocation.objects.values_list("pk", "invoice_id", "amount")) == before
    assert Activity.objects.count() == activities
    consistent()
