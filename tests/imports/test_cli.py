"""`encaisse import`: prints the report, exits non-zero when the file is rejected."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from encaisse.accounts.models import User
from encaisse.ledger.models import Customer, ImportBatch

pytestmark = pytest.mark.django_db


def _call(*args: str, language: str = "en") -> str:
    out = StringIO()
    call_command("import", *args, "--language", language, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_import_then_dry_run_reimport(tmp_path: Path, alice: User) -> None:
    path = tmp_path / "clients.csv"
    path.write_text("external_key;name\nC1;Dupont\nC2;Martin\n", encoding="utf-8")
    output = _call("customers", str(path), "--user", "alice")
    assert "applied" in output and "created 2" in output and "2 rows read" in output
    assert ImportBatch.objects.get().actor == alice
    output = _call("customers", str(path), "--dry-run")
    assert "valid" in output and "unchanged 2" in output
    assert Customer.objects.count() == 2


def test_rejected_file_prints_errors_and_exits_non_zero(tmp_path: Path) -> None:
    path = tmp_path / "clients.csv"
    path.write_text("external_key;name\nC1;Dupont\nC1;Twice\n", encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command(
            "import", "customers", str(path), "--language", "en", stdout=out, stderr=StringIO()
        )
    assert excinfo.value.returncode == 1
    assert "clients.csv:3: external_key: " in out.getvalue()
    assert Customer.objects.count() == 0
    output = _call("customers", str(path), "--valid-rows-only")
    assert "applied" in output and Customer.objects.count() == 1


def test_missing_file_and_unknown_user(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        _call("customers", str(tmp_path / "nope.csv"))
    path = tmp_path / "c.csv"
    path.write_text("external_key;name\nC1;A\n")
    with pytest.raises(CommandError, match="unknown user"):
        _call("customers", str(path), "--user", "ghost")


def test_the_cli_runs_as_a_process() -> None:
    # The command is also reachable as `encaisse import` via manage.py (smoke: --help).
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, str(root / "manage.py"), "import", "--help"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0
    assert "--valid-rows-only" in result.stdout


@pytest.mark.parametrize(
    ("kind", "content", "printed"),
    [
        ("customers", "external_key;name;city\nC1;Dupont;Lyon\nC2;Énergies Four".encode(),
         "f.csv:3: : expected 3 cells as in the header, found 2"),
        ("customers", "external_key;name\nC1;Hélène\n".encode() + b"C2;Caf\xe9\n",
         "error: Line 3 is not UTF-8 like the rest of the file"),
        ("customers", b"\xef\xbb\xbfexternal_key;name\nC1;Caf\xe9\n",
         "error: Line 2 is not UTF-8 although the file starts with a UTF-8 byte order mark"),
        ("customers", b"external_key;name\nC1;Dupont;Lyon\n",
         "f.csv:2: : expected 2 cells as in the header, found 3"),
        ("customers", b'external_key;name\nC1;"Dupont\nSA"\n',
         "f.csv:2: name: contains a control character (U+000A"),
        ("customers", b"external_key;name;email\nC1;Dupont;claire@\n",
         "f.csv:2: email: not a valid email address"),
        ("customers", b"external_key;name;plafond\nC1;Dupont;1E6\n",
         "f.csv:2: plafond: '1E6' is in scientific notation"),
        ("customers", b"code;nom;raison_sociale\nC1;A;B\n",
         "error: Columns nom and raison_sociale both give name"),
        ("fec",
         "JournalCode|EcritureNum|EcritureDate|CompteNum|CompAuxNum|PieceRef|Debit|Credit\n"
         + ("VT|1|20260110|411000|C1|F1|100,00|0\nVT|1|20260110|706000||F1|0|100,00\n"
            "VT|2|20260111|411000|C1|F2|50,00|0\nVT|2|20260111|706000||F2|0|50,00\n") * 2,
         "f.csv:6: EcritureNum: entry VT 1 of 20260110 (lines 2–3) appears again at lines 6–7"),
    ],
    ids=["cut-off-row", "mixed-encodings", "utf8-bom-then-cp1252", "more-cells",
         "line-break-in-a-name", "invalid-email", "exponent-amount", "two-columns-one-meaning",
         "fec-entries-twice"],
)  # fmt: skip
def test_refused_files_exit_non_zero_naming_the_line(
    tmp_path: Path, kind: str, content: str | bytes, printed: str
) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    out = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import", kind, str(path), "--language", "en", stdout=out, stderr=StringIO())
    assert excinfo.value.returncode == 1
    assert printed in out.getvalue()
    assert "created 0" in out.getvalue()  # a rejected file creates nothing, and says so
    assert Customer.objects.count() == 0


def test_excel_unicode_text_imports_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "clients.txt"
    path.write_bytes("external_key\tname\r\nC1\tCafé Ökö\r\n".encode("utf-16"))
    output = _call("customers", str(path))
    assert "applied" in output and "encoding utf-16" in output
    assert Customer.objects.get().name == "Café Ökö"


def test_the_report_speaks_the_user_language_else_the_company_language(
    tmp_path: Path, alice: User
) -> None:
    """No --language: the --user's language, else the company's; French numbers."""
    path = tmp_path / "clients.csv"
    rows = "".join(f"C{n};Client {n}\n" for n in range(1, 1236))
    path.write_text("external_key;name\n" + rows, encoding="utf-8")
    out = StringIO()
    call_command("import", "customers", str(path), "--dry-run", stdout=out, stderr=StringIO())
    french = out.getvalue()  # no company row, no user: LANGUAGE_CODE, French
    assert "clients.csv\u00a0: valide (Clients (CSV), essai à blanc)" in french
    assert "1\u00a0235 lignes lues, aucune en erreur." in french
    assert "créations\u00a0: 1\u00a0235, mises à jour\u00a0: 0" in french
    alice.language = "en"
    alice.save()
    out = StringIO()
    call_command(
        "import", "customers", str(path), "--dry-run", "--user", "alice", stdout=out,
        stderr=StringIO(),
    )  # fmt: skip
    assert "1,235 rows read, none with errors." in out.getvalue()


@pytest.mark.parametrize(
    ("rows", "french", "english"),
    [
        (0, "0 ligne lue, aucune en erreur.", "0 rows read, none with errors."),
        (1, "1 ligne lue, aucune en erreur.", "1 row read, none with errors."),
        (2, "2 lignes lues, aucune en erreur.", "2 rows read, none with errors."),
    ],
)
def test_one_row_read_is_singular_in_french_and_english(
    tmp_path: Path, rows: int, french: str, english: str
) -> None:
    path = tmp_path / "c.csv"
    path.write_text("external_key;name\n" + "".join(f"C{n};X\n" for n in range(rows)))
    assert french in _call("customers", str(path), "--dry-run", language="fr")
    assert english in _call("customers", str(path), "--dry-run", language="en")
