"""Import pages: upload → review → apply, for finance only; a bad file never gives a 500."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from encaisse.accounts.models import User
from encaisse.ledger.models import Customer, ImportBatch

pytestmark = pytest.mark.django_db

GOOD = b"external_key;name\nC1;Dupont\nC2;Martin\n"
BAD = b"external_key;name\nC1;Dupont\nC1;Twice\n"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(client: Client, content: bytes, kind: str = "customers", name: str = "c.csv") -> Any:
    return client.post(
        reverse("import_new"),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def hidden(response: Any) -> dict[str, str]:
    form = response.context["form"]
    return {name: form.cleaned_data[name] for name in ("kind", "sha256", "name")}


@pytest.mark.parametrize("name", ["ada", "alice"])
def test_finance_uploads_reviews_and_applies(
    client: Client, everyone: dict[str, User], media: Path, name: str
) -> None:
    client.force_login(everyone[name])
    response = upload(client, GOOD)
    assert response.status_code == 200
    assert response.templates[0].name == "web/imports/review.html"
    assert response.context["report"].created == 2
    assert Customer.objects.count() == 0  # a review writes nothing
    data = hidden(response)
    assert (media / "imports" / data["sha256"]).is_file()
    response = client.post(reverse("import_apply"), data, follow=True)
    assert response.status_code == 200
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.actor, batch.counts["created"]) == ("applied", everyone[name], 2)
    assert Customer.objects.count() == 2
    assert not (media / "imports" / data["sha256"]).exists()
    assert "c.csv" in client.get(reverse("imports")).content.decode()


def test_errors_are_listed_and_valid_rows_can_be_imported(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = upload(client, BAD)
    page = response.content.decode()
    assert 'name="valid_rows_only"' in page
    assert ">3</td><td>external_key</td>" in page
    data = hidden(response)
    response = client.post(reverse("import_apply"), data, follow=True)
    assert ImportBatch.objects.get().status == "rejected"
    assert Customer.objects.count() == 0
    client.post(reverse("import_apply"), {**data, "valid_rows_only": "1"})
    assert Customer.objects.count() == 1
    detail = client.get(reverse("import_detail", args=[ImportBatch.objects.first().pk]))
    assert detail.status_code == 200


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01\xff" * 500, b"no separator here\n", b"a;b\n1;2\n", bytes(range(256)) * 10],
)
@pytest.mark.parametrize("kind", ["customers", "invoices", "payments", "credit_notes", "fec"])
def test_a_bad_upload_never_gives_a_500(
    client: Client, alice: User, content: bytes, kind: str
) -> None:
    client.force_login(alice)
    response = upload(client, content, kind=kind)
    assert response.status_code == 200
    if response.context.get("report") is not None:
        assert response.context["report"].has_errors
        data = hidden(response)
        applied = client.post(reverse("import_apply"), data, follow=True)
        assert applied.status_code == 200
    assert Customer.objects.count() == 0


def test_tampered_references_are_refused(client: Client, alice: User) -> None:
    client.force_login(alice)
    for sha in ("../../etc/passwd", "0" * 64, "Z" * 64, ""):
        response = client.get(reverse("import_review"), {"kind": "customers", "sha256": sha,
                                                         "name": "x"})  # fmt: skip
        assert response.status_code == 302
        response = client.post(reverse("import_apply"), {"kind": "customers", "sha256": sha,
                                                         "name": "x"})  # fmt: skip
        assert response.status_code == 302
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("name", ["bob", "carol", "dave"])
def test_sales_and_managers_are_refused(
    client: Client, everyone: dict[str, User], name: str
) -> None:
    client.force_login(everyone[name])
    for route in ("imports", "import_new", "import_review", "import_apply"):
        assert client.get(reverse(route)).status_code == 403
    assert upload(client, GOOD).status_code == 403
    assert client.post(reverse("import_apply"), {}).status_code == 403
    assert Customer.objects.count() == 0


def test_anonymous_is_sent_to_login(client: Client) -> None:
    response = client.get(reverse("import_new"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_review_names_what_will_be_created_in_french(client: Client, alice: User) -> None:
    client.force_login(alice)
    page = upload(client, GOOD).content.decode()
    assert "<th>Clients</th>" in page
    assert "<th>customers</th>" not in page


CUT = "external_key;name;city\nC1;Dupont;Lyon\nC2;Énergies Four".encode()
NO_VALID_ROW = b"external_key;name;city\nC1;Dupont\nC2;Martin;Paris;Nord\n"
FEC_HEADER = (
    "JournalCode\tEcritureNum\tEcritureDate\tCompteNum\tCompAuxNum\tPieceRef\tDebit\tCredit\n"
)
FEC_ENTRIES = (
    "VT\t1\t20260110\t411000\tC1\tF1\t100,00\t0\nVT\t1\t20260110\t706000\t\tF1\t0\t100,00\n"
    "BQ\t2\t20260120\t411000\tC1\tR1\t0\t40,00\nBQ\t2\t20260120\t512000\t\tR1\t40,00\t0\n"
)


def test_a_cut_off_file_shows_its_line_and_offers_only_its_valid_rows(
    client: Client, alice: User
) -> None:
    client.force_login(alice)
    response = upload(client, CUT, name="cut.csv")
    page = html.unescape(response.content.decode())
    assert ">3</td><td></td><td>3 cellules attendues comme dans l'en-tête, 2 trouvée(s)" in page
    assert "Importer seulement la ligne valide (1)" in page
    data = hidden(response)
    client.post(reverse("import_apply"), data)
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.counts["created"]) == ("rejected", 0)
    detail = html.unescape(client.get(reverse("import_detail", args=[batch.pk])).content.decode())
    assert "Rien\u00a0: le fichier a été rejeté." in detail
    assert "Créé" not in detail
    listing = client.get(reverse("imports")).content.decode()
    assert "<td>—</td><td>—</td><td>—</td>" in listing
    client.post(reverse("import_apply"), {**data, "valid_rows_only": "1"})
    assert list(Customer.objects.values_list("name", flat=True)) == ["Dupont"]


def test_no_valid_row_means_no_partial_import_even_if_asked(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = upload(client, NO_VALID_ROW)
    page = html.unescape(response.content.decode())
    assert 'name="valid_rows_only"' not in page
    assert "Aucune ligne de ce fichier ne peut être importée" in page
    response = client.post(
        reverse("import_apply"), {**hidden(response), "valid_rows_only": "1"}, follow=True
    )
    assert response.status_code == 200
    assert ImportBatch.objects.get().status == "rejected"
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(
    ("kind", "content", "message"),
    [
        (
            "customers",
            "external_key;name\nC1;Hélène\n".encode() + b"C2;Caf\xe9\n",
            "La ligne 3 n'est pas en UTF-8 comme le reste du fichier",
        ),
        (
            "customers",
            b"\xef\xbb\xbfexternal_key;name\nC1;Caf\xe9\n",
            "La ligne 2 n'est pas en UTF-8 alors que le fichier commence par",
        ),
        (
            "fec",
            (FEC_HEADER + FEC_ENTRIES + FEC_ENTRIES).encode(),
            "l'écriture VT 1 du 20260110 (lignes 2–3) figure de nouveau aux lignes 6–7",
        ),
        (
            "customers",
            b"external_key;name;contact_email\nC1;Dupont;claire@\n",
            "adresse e-mail invalide",
        ),
        (
            "customers",
            b"external_key;name\nC1;Dupont;Lyon\n",
            "2 cellules attendues comme dans l'en-tête, 3 trouvées",
        ),
        (
            "customers",
            b'external_key;name\nC1;"Dupont',
            "le fichier se termine au milieu d'une cellule entre guillemets",
        ),
        (
            "customers",
            b'external_key;name\nC1;"Dupont\r\nBcc: x@evil.test"\n',
            "contient un caractère de contrôle (U+000D",
        ),
        (
            "customers",
            b"external_key;name;credit_limit\nC1;Dupont;-500\n",
            "le montant ne peut pas être négatif",
        ),
        (
            "customers",
            b'external_key;name;credit_limit\nC1;Dupont;"1,5E+05"\n',
            "est en notation scientifique",
        ),
        (
            "customers",
            b"external_key;name;Raison sociale\nC1;A;B\n",
            "Les colonnes name et Raison sociale donnent toutes deux name",
        ),
        (
            "customers",
            "external_key\tname\r\nC1\tCafé\r\n".encode("utf-16")[:-1],
            "La ligne 3 n'est pas de l'UTF-16 valide",  # the half character after line 2
        ),
        (
            "fec",
            (FEC_HEADER + FEC_ENTRIES.replace("20260110", "2026-13-10")).encode(),
            "(format FEC\u00a0: AAAAMMJJ, par exemple 20260131)",
        ),
    ],
    ids=[
        "mixed-encodings",
        "utf8-bom-then-cp1252",
        "fec-entry-twice",
        "invalid-email",
        "more-cells",
        "cut-quoted-cell",
        "line-break-in-a-name",
        "negative-credit-limit",
        "exponent-amount",
        "two-columns-one-meaning",
        "utf16-cut",
        "fec-date",
    ],
)
def test_new_refusals_are_shown_on_the_review_and_reject_the_apply(
    client: Client, alice: User, kind: str, content: bytes, message: str
) -> None:
    client.force_login(alice)
    response = upload(client, content, kind=kind)
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    applied = client.post(reverse("import_apply"), hidden(response), follow=True)
    assert applied.status_code == 200
    assert ImportBatch.objects.get().status == "rejected"
    assert Customer.objects.count() == 0


def test_excel_unicode_text_uploads_and_imports(client: Client, alice: User) -> None:
    client.force_login(alice)
    content = "external_key\tname\r\nC1\tCafé Ökö\r\n".encode("utf-16")
    response = upload(client, content, name="clients.txt")
    assert "encodage utf-16" in response.content.decode()
    client.post(reverse("import_apply"), hidden(response))
    assert Customer.objects.get().name == "Café Ökö"


def test_the_history_says_where_each_import_came_from(client: Client, alice: User) -> None:
    """A file uploaded here and a push through the API (its label in the file
    column) are told apart in the history and on the batch's page."""
    from encaisse.ledger.imports.records import import_records
    from encaisse.ledger.models import Company

    client.force_login(alice)
    client.post(reverse("import_apply"), hidden(upload(client, GOOD)), follow=True)
    records = [{"external_key": "C3", "name": "Durand"}]
    import_records(
        company=Company.current(),
        kind="customers",
        records=records,
        actor=alice,
        source_label="erp-sync 2026-12-06",
    )
    listing = html.unescape(client.get(reverse("imports")).content.decode())
    assert "<td>Fichier CSV</td>" in listing and "<td>API</td>" in listing
    pushed = ImportBatch.objects.get(filename="erp-sync 2026-12-06")
    detail = client.get(reverse("import_detail", args=[pushed.pk])).content.decode()
    assert "<dt>Origine</dt><dd>API</dd>" in detail


def test_the_history_prints_counts_in_the_users_language(client: Client, alice: User) -> None:
    batch = ImportBatch.objects.create(
        kind="fec",
        source="fec",
        filename="books.txt",
        sha256="0" * 64,
        status="applied",
        counts={"rows": 12605, "created": 4042, "allocations": 1616},
    )
    client.force_login(alice)
    listing = client.get(reverse("imports")).content.decode()
    detail = client.get(reverse("import_detail", args=[batch.pk])).content.decode()
    assert "<td>4\u00a0042</td>" in listing
    assert "12\u00a0605" in detail and "1\u00a0616" in detail
