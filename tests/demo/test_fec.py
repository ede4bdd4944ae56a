"""FEC output: 18 columns, balanced entries, lettering groups that net to zero."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from encaisse.demo.fec import FEC_COLUMNS, lettering_code, write_fec
from encaisse.demo.generator import customer_histories
from tests.demo.conftest import TODAY


def amount(text: str) -> Decimal:
    whole, _, cents = text.partition(",")
    assert len(cents) == 2 and whole.isdigit(), text
    return Decimal(f"{whole}.{cents}")


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    path = tmp_path_factory.mktemp("fec") / "FEC.txt"
    write_fec(path, invoices=1000, seed=42, today=TODAY)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t") == list(FEC_COLUMNS)
    assert all(len(line.split("\t")) == 18 for line in lines)
    return [dict(zip(FEC_COLUMNS, line.split("\t"), strict=True)) for line in lines[1:]]


def test_every_entry_is_balanced_and_dated_in_order(rows: list[dict[str, str]]) -> None:
    debit: dict[str, Decimal] = defaultdict(Decimal)
    credit: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        assert len(row["EcritureDate"]) == 8 and row["EcritureDate"].isdigit()
        assert row["JournalCode"] in {"VE", "BQ"}
        debit[row["EcritureNum"]] += amount(row["Debit"])
        credit[row["EcritureNum"]] += amount(row["Credit"])
    assert debit == credit
    dates = [row["EcritureDate"] for row in rows]
    assert dates == sorted(dates)
    assert dates[-1] <= TODAY.strftime("%Y%m%d")


def test_accounts_and_journals(rows: list[dict[str, str]]) -> None:
    accounts = {(row["JournalCode"], row["CompteNum"][:3]) for row in rows}
    assert accounts == {("VE", "411"), ("VE", "706"), ("VE", "445"), ("BQ", "512"), ("BQ", "411")}
    assert all(row["CompAuxNum"] for row in rows if row["CompteNum"].startswith("411"))
    assert not any(row["EcritureLet"] for row in rows if not row["CompteNum"].startswith("411"))
    invoices = {row["PieceRef"] for row in rows if row["PieceRef"].startswith("FA")}
    assert len(invoices) == 1000


def test_lettering_groups_on_411_net_to_zero(rows: list[dict[str, str]]) -> None:
    groups: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in rows:
        if row["CompteNum"].startswith("411") and row["EcritureLet"]:
            assert row["DateLet"] >= row["EcritureDate"]
            key = (row["CompAuxNum"], row["EcritureLet"])
            groups[key] += amount(row["Debit"]) - amount(row["Credit"])
    assert len(groups) > 300
    assert all(total == 0 for total in groups.values())


def test_open_and_partly_paid_invoices_are_unlettered(rows: list[dict[str, str]]) -> None:
    open_numbers = {
        inv.number
        for history in customer_histories(invoices=1000, seed=42, today=TODAY)
        for inv, balance in zip(history.invoices, history.balances(), strict=True)
        if balance > 0
    }
    assert open_numbers
    for row in rows:
        if row["CompteNum"].startswith("411") and row["PieceRef"].startswith("FA"):
            assert (row["EcritureLet"] == "") == (row["PieceRef"] in open_numbers)


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    write_fec(tmp_path / "a.txt", invoices=200, seed=9, today=TODAY)
    write_fec(tmp_path / "b.txt", invoices=200, seed=9, today=TODAY)
    write_fec(tmp_path / "c.txt", invoices=200, seed=10, today=TODAY)
    assert (tmp_path / "a.txt").read_bytes() == (tmp_path / "b.txt").read_bytes()
    assert (tmp_path / "a.txt").read_bytes() != (tmp_path / "c.txt").read_bytes()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.txt", "b.txt", "c.txt"]


@pytest.mark.parametrize(
    ("number", "code"), [(0, "AA"), (1, "AB"), (25, "AZ"), (26, "BA"), (675, "ZZ"), (676, "AAA")]
)
def test_lettering_codes(number: int, code: str) -> None:
    assert lettering_code(number) == code
