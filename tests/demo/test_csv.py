"""CSV output: the columns of docs/imports.md, exact amounts, byte-identical reruns."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from encaisse.demo.csv_files import FILES, write_csv
from tests.demo.conftest import TODAY

DOCS = Path(__file__).resolve().parents[2] / "docs" / "imports.md"
AMOUNT = re.compile(r"^\d+\.\d{2}$")


def documented_columns() -> dict[str, tuple[str, ...]]:
    """Columns of each `### name.csv` table in docs/imports.md, in order."""
    tables: dict[str, list[str]] = {}
    current = None
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            current = line[4:].strip()
            tables[current] = []
        elif current and line.startswith("|") and not line.startswith(("| column", "|---")):
            cell = line.split("|")[1]
            tables[current].extend(name.strip().rstrip("*") for name in cell.split(","))
    return {name: tuple(columns) for name, columns in tables.items()}


def read(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("csv")
    write_csv(target, invoices=1000, seed=42, today=TODAY)
    return target


def test_headers_are_exactly_the_documented_columns(folder: Path) -> None:
    documented = documented_columns()
    assert set(documented) == set(FILES)
    for name, columns in documented.items():
        with (folder / name).open(encoding="utf-8") as handle:
            assert tuple(next(csv.reader(handle))) == columns, name


def test_amounts_are_decimal_strings_with_two_decimals(folder: Path) -> None:
    for name, columns in (
        ("invoices.csv", ("amount", "amount_excl_tax")),
        ("payments.csv", ("amount",)),
        ("credit_notes.csv", ("amount",)),
        ("customers.csv", ("credit_limit",)),
    ):
        for row in read(folder, name):
            for column in columns:
                assert AMOUNT.match(row[column]), (name, column, row[column])
                assert Decimal(row[column]) > 0
    for row in read(folder, "invoices.csv"):
        assert Decimal(row["amount_excl_tax"]) < Decimal(row["amount"])


def test_references_resolve_within_the_same_customer(folder: Path) -> None:
    customers = {row["external_key"]: row for row in read(folder, "customers.csv")}
    assert len(customers) == 100
    assert {row["account_manager"] for row in customers.values()} <= {
        f"commercial{n}" for n in range(1, 6)
    }
    owner = {}
    for row in read(folder, "invoices.csv"):
        assert row["customer_key"] in customers
        owner[row["number"]] = row["customer_key"]
    assert len(owner) == 1000
    for row in read(folder, "payments.csv"):
        for number in filter(None, row["invoice_numbers"].split("|")):
            assert owner[number] == row["customer_key"]
    for row in read(folder, "credit_notes.csv"):
        assert owner[row["invoice_number"]] == row["customer_key"]


@pytest.mark.parametrize("credit_notes_first", [True, False])
def test_the_documented_allocation_rule_never_overpays_in_either_import_order(
    folder: Path, credit_notes_first: bool
) -> None:
    """Replaying docs/imports.md ("allocated in that order, up to each open balance")
    gives the same balances whether credit notes or payments are imported first."""
    balance = {row["number"]: Decimal(row["amount"]) for row in read(folder, "invoices.csv")}
    unallocated: dict[str, Decimal] = defaultdict(Decimal)

    def apply_credit_notes() -> None:
        for row in read(folder, "credit_notes.csv"):
            share = min(Decimal(row["amount"]), balance[row["invoice_number"]])
            balance[row["invoice_number"]] -= share
            unallocated[row["external_key"]] += Decimal(row["amount"]) - share

    def apply_payments() -> None:
        for row in read(folder, "payments.csv"):
            left = Decimal(row["amount"])
            for number in filter(None, row["invoice_numbers"].split("|")):
                share = min(left, balance[number])
                balance[number] -= share
                left -= share
            if row["invoice_numbers"]:
                unallocated[row["external_key"]] += left

    steps = [apply_credit_notes, apply_payments]
    for step in steps if credit_notes_first else reversed(steps):
        step()
    assert all(value >= 0 for value in balance.values())
    assert all(value == 0 for value in unallocated.values())


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        write_csv(tmp_path / name, invoices=300, seed=seed, today=TODAY)
    for filename in FILES:
        same = (tmp_path / "a" / filename).read_bytes()
        assert same == (tmp_path / "b" / filename).read_bytes()
        if filename != "credit_notes.csv":
            assert same != (tmp_path / "c" / filename).read_bytes()
