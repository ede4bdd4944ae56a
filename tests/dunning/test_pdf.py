"""Letters and formal notices as PDF: their text, their language, and the way out by SMTP."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.test import override_settings
from pypdf import PdfReader

from encaisse.accounts.models import User
from encaisse.demo import identifiers
from encaisse.demo.staff import COMPANY
from encaisse.dunning.delivery.tasks import deliveries_process
from encaisse.dunning.models import DunningMessage, MessageState, MessageTemplate
from encaisse.dunning.rendering.context import Content, content_render, lines_for
from encaisse.dunning.rendering.pdf import body_blocks, document_pdf
from encaisse.dunning.services.messages import message_approve
from encaisse.ledger.models import Company, Customer
from tests.conftest import make_invoice
from tests.dunning.conftest import invoice_due, remindable_customer, run_day
from tests.smtp import Inbox

pytestmark = pytest.mark.django_db

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ON = dt.date(2025, 9, 15)
# A4 in PostScript points.
A4 = (595, 842)


@pytest.fixture(autouse=True)
def company(tmp_path: Path) -> Iterator[Company]:
    """The demo's company as the letterhead; documents are kept under a temporary MEDIA_ROOT."""
    company = Company.current()
    company.legal_name = COMPANY.legal_name
    company.address = COMPANY.address
    company.siren = identifiers.siren_for(0, 55_312_704)
    company.vat_number = identifiers.vat_for(company.siren)
    company.iban = identifiers.french_iban("30004", "01234", "00012345678")
    company.bic = COMPANY.bic
    company.email = COMPANY.email
    company.phone = COMPANY.phone
    company.save()
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield company


@pytest.fixture
def customer() -> Customer:
    customer = remindable_customer(
        None, "Menuiserie du Lac", address="4 quai des Brotteaux", postal_code="69006"
    )
    customer.city = "Lyon"
    customer.save(update_fields=["city"])
    return customer


def pdf_text(data: bytes) -> tuple[int, str]:
    """(pages, text) with every run of white space, line breaks and the thin and
    no-break spaces of French amounts included, as one plain space."""
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def document(customer: Customer, channel: str, language: str) -> bytes:
    """The document the outbox would render on ON for the customer's open invoices."""
    code = "formal_notice" if channel == "formal_notice" else "letter"
    template = MessageTemplate.objects.get(code=code, language=language)
    lines = lines_for(list(customer.invoices.all()), ON, claims=channel == "formal_notice")
    content = content_render(
        template=template, customer=customer, lines=lines, on=ON, channel=channel, signer=None
    )
    message = DunningMessage(
        customer=customer,
        channel=channel,
        language=language,
        registered_mail=channel == "formal_notice",
    )
    with time_machine.travel(dt.datetime(2025, 9, 15, 9, 0, tzinfo=dt.UTC)):
        return document_pdf(message=message, content=content, customer=customer)


def two_late_invoices(customer: Customer) -> tuple[str, str]:
    first = invoice_due(customer, dt.date(2025, 6, 20), "1200.00")
    second = invoice_due(customer, dt.date(2025, 8, 1), "850.50")
    return first.number, second.number


# Figures on 15 Sept 2025 for the two invoices above (rate table: 13.15 % for
# H1 2025, 12.15 % for H2 2025):
#   1 200.00 due 20 June: 87 days late = 10 days (21–30 June) at 13.15 % + 77 days
#     (1 July–15 Sept) at 12.15 %: 1200 × 0.1315 × 10/365 = 4.32329
#     + 1200 × 0.1215 × 77/365 = 30.75781 → 35.08110 → 35.08
#   850.50 due 1 Aug: 45 days at 12.15 %: 850.50 × 0.1215 × 45/365 = 12.74002 → 12.74
#   principal 2 050.50; penalties 47.82; indemnities 2 × 40 = 80.00; claimed 2 178.32
#   deadline: 15 Sept + 8 days = 23 Sept 2025


def test_a_formal_notice_in_french_lists_the_invoices_the_totals_and_the_deadline(
    customer: Customer,
) -> None:
    first, second = two_late_invoices(customer)

    data = document(customer, "formal_notice", "fr")

    assert data.startswith(b"%PDF-")
    pages, text = pdf_text(data)
    assert pages == 1
    assert first in text and second in text
    for amount in ("1 200,00 €", "850,50 €", "35,08 €", "12,74 €"):
        assert amount in text
    for total in ("2 050,50 €", "47,82 €", "80,00 €", "2 178,32 €"):
        assert total in text
    assert "23/09/2025" in text
    assert "Mise en demeure de payer – Menuiserie du Lac" in text
    assert "FR76 3000 4012 3400 0123 4567 862" in text  # the demo IBAN, grouped by four
    # The footnote names each rate with the days it applied to.
    assert "21/06/2025" in text and "30/06/2025" in text and "13,15" in text
    assert "01/07/2025" in text and "12,15" in text
    assert "D441-5" in text
    # The totals are stated in the table and the payment box; the body's own
    # recital of them ("Total réclamé : …") is left out rather than repeated.
    assert text.count("2 178,32 €") == 2
    assert "Total réclamé :" not in text
    assert "Lyon, le 15 septembre 2025" in text


def test_a_formal_notice_in_english_reads_in_english(customer: Customer) -> None:
    first, second = two_late_invoices(customer)

    pages, text = pdf_text(document(customer, "formal_notice", "en"))

    assert pages == 1
    assert first in text and second in text
    for total in ("€2,050.50", "€47.82", "€80.00", "€2,178.32"):
        assert total in text
    assert "09/23/2025" in text
    assert "REGISTERED LETTER WITH ACKNOWLEDGEMENT OF RECEIPT" in text  # set in capitals
    assert "Formal notice to pay – Menuiserie du Lac" in text
    assert "from 06/21/2025 to 06/30/2025: 13.15%" in text
    assert "from 07/01/2025 to 09/15/2025: 12.15%" in text
    assert "not subject to VAT" in text
    assert "legal action" in text


@pytest.mark.parametrize(
    ("language", "deadline", "consequence"),
    [("fr", "23/09/2025", "procédures judiciaires"), ("en", "09/23/2025", "legal action")],
)
def test_a_formal_notice_states_its_deadline_and_its_consequences_once(
    customer: Customer, language: str, deadline: str, consequence: str
) -> None:
    """The default text says both; the PDF's payment box and closing line do not
    repeat them (they did: the deadline three times, the consequences twice)."""
    two_late_invoices(customer)

    _pages, text = pdf_text(document(customer, "formal_notice", language))

    assert text.count(deadline) == 1
    assert text.count(consequence) == 1
    assert "injonction" not in text and "order for payment" not in text
    # The email the PDF is attached to is the template's text: once there too.
    template = MessageTemplate.objects.get(code="formal_notice", language=language)
    lines = lines_for(list(customer.invoices.all()), ON, claims=True)
    email = content_render(
        template=template,
        customer=customer,
        lines=lines,
        on=ON,
        channel="formal_notice",
        signer=None,
    )
    assert email.text.count(deadline) == 1


@pytest.mark.parametrize(
    ("language", "deadline", "consequence"),
    [("fr", "23/09/2025", "injonction de payer"), ("en", "09/23/2025", "order for payment")],
)
def test_a_formal_notice_whose_text_omits_the_deadline_still_states_it_once(
    customer: Customer, language: str, deadline: str, consequence: str
) -> None:
    two_late_invoices(customer)
    template = MessageTemplate.objects.get(code="formal_notice", language=language)
    template.body = "{{ contact_name }}\n\n{{ invoices_table }}\n\n{{ sender_name }}"
    template.save()

    _pages, text = pdf_text(document(customer, "formal_notice", language))

    assert text.count(deadline) == 1  # in the payment box
    assert text.count(consequence) == 1  # and what follows if it passes


def test_a_reminder_letter_claims_no_penalties(customer: Customer) -> None:
    first, _second = two_late_invoices(customer)

    pages, text = pdf_text(document(customer, "letter", "en"))

    assert pages == 1
    assert first in text
    assert "Total due" in text and "€2,050.50" in text
    assert "Penalties" not in text and "€2,178.32" not in text
    assert "L441-10" not in text
    assert "REGISTERED LETTER" not in text


def test_only_paragraphs_reciting_the_totals_are_left_out_of_the_body() -> None:
    values = {
        "invoices_table": "F1  20/06/2025  1 230,00 €",
        "total_due": "1 230,00 €",
        "penalties_total": "0,00 €",
        "indemnity_total": "0,00 €",
        "total_claimed": "1 230,00 €",
    }
    text = (
        "Madame, Monsieur,\n\nRestent dues :\n\nF1  20/06/2025  1 230,00 €\n\n"
        "Principal : 1 230,00 €\nPénalités : 0,00 €\n\n"
        "Acompte reçu : 10,00 €\n\nCordialement"
    )
    content = Content("Relance", text, "", [], "fr", False, values=values)

    # "10,00 €" ends like "0,00 €" but is another figure: that paragraph stays.
    assert body_blocks(content) == (
        ["Madame, Monsieur,", "Restent dues :"],
        ["Acompte reçu : 10,00 €", "Cordialement"],
    )


def test_text_that_looks_like_html_is_printed_as_text(customer: Customer) -> None:
    customer.name = '<img src="http://192.0.2.1/logo.png"> Dupont & Fils'
    customer.save(update_fields=["name"])
    invoice_due(customer, dt.date(2025, 8, 1), "850.50")

    _pages, text = pdf_text(document(customer, "formal_notice", "en"))

    assert '<img src="http://192.0.2.1/logo.png"> Dupont & Fils' in text


def test_a_formal_notice_goes_out_over_smtp_with_its_pdf_attached_and_kept(
    alice: User, customer: Customer, smtp_inbox: Inbox
) -> None:
    invoice = invoice_due(customer, dt.date(2025, 8, 1), "850.50")
    notice_day = dt.date(2025, 8, 31)  # due date + 30: the default plan's formal notice
    with time_machine.travel(notice_day):
        run_day(notice_day)
        message = DunningMessage.objects.get(customer=customer, channel="formal_notice")
        assert message.state == MessageState.TO_REVIEW
        assert message_approve(actor=alice, message=message)
        deliveries_process()

    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert smtp_inbox.recipients == [["compta@client.test"]]
    sent = smtp_inbox.messages[0]
    attachments = [part for part in sent.walk() if part.get_content_type() == "application/pdf"]
    assert len(attachments) == 1
    attached = attachments[0].get_payload(decode=True)
    assert isinstance(attached, bytes) and attached.startswith(b"%PDF-")
    _pages, text = pdf_text(attached)
    assert invoice.number in text
    assert "08/09/2025" in text  # 31 Aug + 8 days
    with message.pdf.open("rb") as kept:
        assert kept.read() == attached


@pytest.mark.parametrize("language", ["fr", "en"])
def test_formal_notice_screenshot(customer: Customer, tmp_path: Path, language: str) -> None:
    """The docs' picture of a formal notice: written to docs/ only with ENCAISSE_SCREENSHOTS=1."""
    for number, amount, due in [
        ("FA-2025-0412", "1200.00", dt.date(2025, 6, 20)),
        ("FA-2025-0538", "4380.00", dt.date(2025, 7, 31)),
        ("FA-2025-0561", "850.50", dt.date(2025, 8, 1)),
    ]:
        make_invoice(customer, amount, issue=due - dt.timedelta(days=30), due=due, number=number)
    data = document(customer, "formal_notice", language)
    pages, text = pdf_text(data)
    assert pages == 1 and "FA-2025-0538" in text
    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == A4
    if os.environ.get("ENCAISSE_SCREENSHOTS") != "1":
        return
    converter = shutil.which("pdftoppm")
    assert converter, "pdftoppm is needed for the screenshot: apt-get install poppler-utils"
    source = tmp_path / "formal-notice.pdf"
    source.write_bytes(data)
    target = SCREENSHOTS / f"formal-notice-{language}"
    subprocess.run(
        [converter, "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", source, target],
        check=True,
    )
    assert target.with_suffix(".png").stat().st_size > 10_000
