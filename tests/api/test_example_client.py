"""examples/sync_csv.py against a real server: a folder of CSV files lands in the ledger,
and running it again changes nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from encaisse.accounts.models import User
from encaisse.accounts.tokens import api_token_create
from encaisse.ledger.models import Customer, Invoice

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_the_example_client_syncs_a_folder(live_server, alice: User, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "customers.csv").write_text(
        "external_key;name\nCX-1;Fromagerie Durand\n", encoding="utf-8"
    )
    (tmp_path / "invoices.csv").write_text(
        "numero;code_client;date_facture;montant_ttc\n"
        "FX-1;CX-1;01/03/2026;1 200,00\n"
        "FX-2;CX-1;02/03/2026;80,50\n",
        encoding="cp1252",
    )
    token = api_token_create(actor=alice, user=alice, name="sync", scope="write").plain
    command = [sys.executable, str(ROOT / "examples/sync_csv.py"), "--url", live_server.url,
               "--token", token, str(tmp_path)]  # fmt: skip
    first = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    assert Customer.objects.get(external_key="CX-1").name == "Fromagerie Durand"
    assert sorted(Invoice.objects.values_list("number", flat=True)) == ["FX-1", "FX-2"]
    replayed = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert replayed.stdout == first.stdout  # the same chunks: their first answers, replayed
    with (tmp_path / "invoices.csv").open("a", encoding="cp1252") as more:
        more.write("FX-3;CX-1;03/03/2026;10,00\n")
    again = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert "invoices.csv rows 1-3: 1 created, 0 updated, 2 unchanged" in again.stdout
    assert Invoice.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_example_client_reports_refused_rows_by_line(
    live_server, alice: User, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "invoices.csv").write_text(
        "number;customer_key;issue_date;amount\nFY-1;NOBODY;2026-03-01;10.00\n", encoding="utf-8"
    )
    token = api_token_create(actor=alice, user=alice, name="sync", scope="write").plain
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples/sync_csv.py"),
            "--url",
            live_server.url,
            "--token",
            token,
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "line 2 customer_key" in result.stderr
    assert not Invoice.objects.exists()
