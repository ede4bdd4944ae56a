"""Encodings (issue 7): Excel's UTF-16 "Unicode text" imports; a file whose lines do not
all read the same way is refused, naming the first line that does not, never
imported as "CafÃ© Ã–kÃ¶" or "Caf?"."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from encaisse.ledger.imports.decoding import SAMPLE_BYTES
from encaisse.ledger.models import Customer, ImportBatch
from tests.imports.helpers import ledger_counts, run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The engine's messages in English, their source language (French is tested apart)."""
    with translation.override("en"):
        yield


# Past the first megabyte, where the encoding is guessed: an ignored column of padding.
PADDING = "x" * (SAMPLE_BYTES + 10)


def names() -> dict[str, str]:
    return dict(Customer.objects.values_list("external_key", "name"))


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_excel_unicode_text_utf16_with_a_bom_imports(codec: str) -> None:
    text = "external_key\tname\tcity\r\nC1\tCafé Ökö\tÉvry\r\nC2\tSociété Noël\tLyon\r\n"
    bom = {"utf-16": b"", "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}
    report = run("customers", bom[codec] + text.encode(codec), filename="unicode.txt")
    assert (report.status, report.encoding, report.separator) == ("applied", "utf-16", "\t")
    assert names() == {"C1": "Café Ökö", "C2": "Société Noël"}
    assert Customer.objects.get(external_key="C1").city == "Évry"


def test_utf16_cut_in_the_middle_of_a_character_names_the_line() -> None:
    data = "external_key\tname\r\nC1\tCafé\r\nC2\tNoël\r\n".encode("utf-16")
    report = run("customers", data[:-3])  # the last "\n" and half of "\r"
    assert report.status == "rejected"
    assert "Line 3 is not valid UTF-16" in report.file_error
    assert ledger_counts() == (0, 0, 0, 0)


def test_a_utf8_bom_followed_by_windows_1252_is_a_clear_error_with_its_line() -> None:
    data = codecs.BOM_UTF8 + "external_key;name\nC1;Dupont\nC2;Café Noël\n".encode("cp1252")
    report = run("customers", data, filename="bom.csv")
    assert report.status == "rejected"
    assert report.file_error.startswith("Line 3 is not UTF-8 although the file starts with")
    assert "Unexpected error" not in report.file_error
    assert ledger_counts() == (0, 0, 0, 0)
    assert ImportBatch.objects.get().errors[0]["reason"] == report.file_error


def test_a_latin1_line_in_a_utf8_file_is_named() -> None:
    lines = ["external_key;name", "C1;Énergies Fournier", "C2;Noël SA"]
    data = "\n".join(lines).encode() + b"\nC3;Caf\xe9 \xd6k\xf6\nC4;L\xc3\xa9on\n"
    report = run("customers", data)
    assert report.status == "rejected"
    assert report.file_error.startswith("Line 4 is not UTF-8 like the rest of the file")
    assert ledger_counts() == (0, 0, 0, 0)


def test_a_utf8_line_in_a_latin1_file_is_named_not_imported_as_mojibake() -> None:
    latin = "external_key;name\nC1;Société Générale\nC2;Noël\nC3;Évry Frères\n".encode("cp1252")
    data = latin + "C4;Café Ökö\n".encode() + "C5;Hélène\n".encode("cp1252")
    report = run("customers", data)
    assert report.status == "rejected"
    assert report.file_error.startswith("Line 5 is UTF-8 while the rest of the file is")
    assert not Customer.objects.filter(name__contains="Ã").exists()
    assert ledger_counts() == (0, 0, 0, 0)


def test_ascii_until_past_the_sample_then_latin1_is_one_encoding() -> None:
    data = f"external_key;name;padding\nC1;Dupont;{PADDING}\n".encode() + b"C2;Caf\xe9 No\xebl;\n"
    report = run("customers", data)
    assert report.status == "applied", (report.file_error, report.errors)
    assert report.encoding == "cp1252"
    assert names() == {"C1": "Dupont", "C2": "Café Noël"}


def test_utf8_then_latin1_past_the_sample_names_the_line() -> None:
    data = (
        f"external_key;name;padding\nC1;Hélène;{PADDING}\nC2;Noël;\n".encode()
        + b"C3;Caf\xe9;\nC4;Ok;\n"
    )
    report = run("customers", data)
    assert report.status == "rejected"
    assert report.file_error.startswith("Line 4 is not UTF-8 like the rest of the file")
    assert ledger_counts() == (0, 0, 0, 0)


def test_the_french_message_names_the_line() -> None:
    data = codecs.BOM_UTF8 + "external_key;name\nC1;Café\n".encode("cp1252")
    with translation.override("fr"):
        report = run("customers", data)
    assert report.file_error.startswith("La ligne 2 n'est pas en UTF-8")


one_line_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"]), min_size=1, max_size=20
).filter(lambda name: name.strip() == name and name.isprintable())


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(one_line_text, min_size=1, max_size=8), st.sampled_from(["utf-16", "utf-8-sig"]))
def test_unicode_files_round_trip(names_written: list[str], codec: str) -> None:
    """Whatever the names, a file written by a spreadsheet in UTF-16 (or UTF-8 with a BOM)
    reads back the same names."""
    Customer.objects.all().delete()
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\r\n")
    writer.writerow(["external_key", "name"])
    for number, name in enumerate(names_written):
        writer.writerow([f"C{number}", name])
    report = run("customers", out.getvalue().encode(codec))
    assert report.status == "applied", (report.file_error, report.errors)
    assert names() == {f"C{n}": name for n, name in enumerate(names_written)}
