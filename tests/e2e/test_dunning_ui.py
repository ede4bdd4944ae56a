"""A credit manager's morning in a real browser, on the demo company.

Plans editor: the formal notice moves from J+30 to J+20 → the day's run →
"Relances du jour": approve a formal notice → the worker delivers it over
SMTP → the invoice page shows it done, and the message page shows it as
sent. Screenshots go to a temporary folder, or to docs/screenshots/ with
ENCAISSE_SCREENSHOTS=1 (so CI never rewrites the committed pictures).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from encaisse.dunning.delivery.tasks import deliveries_process
from encaisse.dunning.models import DunningAction, DunningMessage, DunningStep, MessageState
from encaisse.dunning.services.run import dunning_run
from encaisse.lib import clock
from tests.e2e.test_browse import SCREENSHOTS, sign_in
from tests.smtp import Inbox

pytestmark = pytest.mark.browser


def test_plan_edit_then_approve_a_formal_notice_then_see_it_on_the_invoice(
    transactional_db: None,
    live_server: Any,
    smtp_inbox: Inbox,
    settings: Any,
    tmp_path: Path,
    page: Page,  # last: the data is written before Playwright starts its loop
) -> None:
    from encaisse.demo.loader import load_into_database
    from encaisse.demo.staff import DEMO_PASSWORD

    settings.MEDIA_ROOT = tmp_path / "media"
    folder = SCREENSHOTS if os.environ.get("ENCAISSE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    load_into_database(invoices=1500, seed=7)
    base = live_server.url
    sign_in(page, base, "finance", DEMO_PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    # 1. The plans editor: the formal notice ten days earlier.
    page.goto(f"{base}/dunning/plans/")
    page.locator("#plans a.row-link").first.click()
    notice_row = page.locator('#steps tr[data-offset="30"]')
    expect(notice_row).to_contain_text("Mise en demeure")
    notice_row.locator("a.btn").click()  # edit in place (htmx)
    form = page.locator("tr.step-form-row")
    form.locator("input[name=offset_days]").fill("20")
    page.screenshot(path=folder / "dunning-plan-editor.png", full_page=True)
    form.locator("button[type=submit]").click()
    expect(page.locator('#steps tr[data-offset="20"]')).to_contain_text("Mise en demeure")
    expect(page.locator('#steps tr[data-offset="30"]')).to_have_count(0)
    notice = DunningStep.objects.get(plan__is_default=True, name="Mise en demeure")
    assert notice.offset_days == 20

    # 2. The day's run (the scheduler's job), then the dunning home.
    report = dunning_run(run_on=clock.today())
    assert report.to_review > 0
    page.goto(f"{base}/dunning/")
    review = page.locator("#review tbody tr", has_text="Mise en demeure")
    expect(review.first).to_be_visible()
    page.screenshot(path=folder / "dunning-today.png")

    # 3. Approve one formal notice in place; a worker delivers it.
    row = review.first
    message_pk = int((row.get_attribute("id") or "").removeprefix("message-"))
    row.locator('[data-action="approve"]').click()
    expect(page.locator(f"#message-{message_pk}.row-acted")).to_be_visible()
    assert DunningMessage.objects.get(pk=message_pk).state == MessageState.PENDING
    deliveries_process()
    message = DunningMessage.objects.get(pk=message_pk)
    assert message.state == MessageState.SENT and message.pdf
    sent = [m for m in smtp_inbox.messages if m["Message-ID"] == message.message_id_header]
    assert len(sent) == 1
    assert any(part.get_content_type() == "application/pdf" for part in sent[0].walk())

    # 4. The invoice page shows the notice done, linked to the message.
    action = DunningAction.objects.filter(message=message).select_related("invoice").first()
    assert action is not None
    page.goto(f"{base}/invoices/{action.invoice_id}/")
    panel = page.locator("#dunning-panel")
    expect(panel.locator(".step-line.step-done")).to_contain_text("Mise en demeure")
    expect(panel.locator(f'a[href="/dunning/messages/{message_pk}/"]')).to_be_visible()
    page.screenshot(path=folder / "dunning-invoice.png", full_page=True)

    # 5. The message as sent: subject, recipients, text, the PDF kept.
    panel.locator(f'a[href="/dunning/messages/{message_pk}/"]').click()
    page.wait_for_url(re.compile(rf"/dunning/messages/{message_pk}/$"))
    expect(page.locator("#mail")).to_contain_text(message.subject)
    expect(page.locator("#mail")).to_contain_text(message.recipients[0])
    expect(page.locator("#attempts")).to_contain_text("1")
    pdf = page.request.get(f"{base}/dunning/messages/{message_pk}/pdf/")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    page.screenshot(path=folder / "dunning-email.png", full_page=True)
