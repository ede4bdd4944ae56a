"""The five real FEC exports of the shared corpus import with the right open balances.

Each test recomputes the expected balance per customer straight from the file, in
the simplest way: the sum (debit − credit) of its 411 lines that are unlettered or
whose lettering group (customer, EcritureLet) does not net to zero. The corpus is
AGPL test data: it is read in place, never copied into this repository.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from encaisse.ledger.models import ImportBatch, Invoice
from tests.imports.helpers import ledger_counts, net_balances, run

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "fec"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="shared FEC corpus not available"),
]


def _amount(text: str) -> Decimal:
    text = text.strip().replace(",", ".")
    return Decimal(text) if text else Decimal(0)


def expected_open_balances(name: str, separator: str, encoding: str) -> dict[str, Decimal]:
    with (CORPUS / name).open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=separator, quoting=csv.QUOTE_NONE)
        header = [cell.strip() for cell in next(reader)]
        lines = [dict(zip(header, (c.strip() for c in row), strict=False)) for row in reader]
    customer_lines = []
    for line in lines:
        if line["CompteNum"].startswith("411"):
            customer = line["CompAuxNum"] or line["CompteNum"]
            amount = _amount(line["Debit"]) - _amount(line["Credit"])
            customer_lines.append((customer, line["EcritureLet"], amount))
    groups: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for customer, letter, amount in customer_lines:
        if letter:
            groups[(customer, letter)] += amount
    balances: dict[str, Decimal] = defaultdict(Decimal)
    for customer, letter, amount in customer_lines:
        if not letter or groups[(customer, letter)] != 0:
            balances[customer] += amount
    return {customer: value for customer, value in balances.items() if value}


def _import_and_compare(name: str, separator: str, encoding: str) -> dict[str, Decimal]:
    data = (CORPUS / name).read_bytes()
    dry = run("fec", data, filename=name, dry_run=True)
    assert dry.status == "valid", (dry.file_error, dry.errors[:5])
    assert ledger_counts() == (0, 0, 0, 0)

    report = run("fec", data, filename=name)
    assert report.status == "applied", (report.file_error, report.errors[:5])
    assert report.created == dry.created
    expected = expected_open_balances(name, separator, encoding)
    assert net_balances() == expected
    assert ImportBatch.objects.get(pk=report.batch_id).counts["created"] == report.created

    again = run("fec", data, filename=name)
    assert again.created == again.updated == 0
    assert again.unchanged == report.created
    assert net_balances() == expected
    return expected


def test_quadra_tab_utf8_with_lettering() -> None:
    expected = _import_and_compare("ekylibre__quadra__123456789FEC20190731.txt", "\t", "utf-8")
    assert len(expected) > 100
    assert sum(expected.values()) == Decimal("283113.83")
    # Lettered groups that net to zero leave their invoices fully paid.
    assert Invoice.objects.filter(status="paid").count() > 1000


def test_odicom_pipe_latin1_entries_numbered_zero() -> None:
    expected = _import_and_compare("ekylibre__odicom__123456789FEC20200331.txt", "|", "latin-1")
    assert sum(expected.values()) == Decimal("27399.44")


def test_agrigest_padded_signed_amounts_unlettered() -> None:
    expected = _import_and_compare("ekylibre__agrigest__123456789FEC20230331.txt", "\t", "latin-1")
    assert sum(expected.values()) == Decimal("29900.14")


def test_istea_21_columns_settled_customer() -> None:
    expected = _import_and_compare("ekylibre__istea__123456789FEC20201231.txt", "|", "utf-8")
    assert expected == {}
    assert Invoice.objects.get().status == "paid"


def test_sage_coala_only_payments_stay_on_account() -> None:
    expected = _import_and_compare("ekylibre__sage-coala__2020.txt", "\t", "utf-8")
    assert expected == {"411PASSA": Decimal("-363.70")}
