"""template_save / template_create refuse what the sandbox refuses, whatever the caller."""

from __future__ import annotations

import pytest
from django.utils import translation

from encaisse.accounts.models import User
from encaisse.dunning.models import MessageTemplate
from encaisse.dunning.rendering.sandbox import TemplateRefused
from encaisse.dunning.services.template_edit import template_create, template_save

pytestmark = pytest.mark.django_db


def test_save_refuses_a_template_reaching_past_the_placeholders(alice: User) -> None:
    template = MessageTemplate.objects.get(code="reminder_1", language="fr")
    with pytest.raises(TemplateRefused) as refused:
        template_save(
            actor=alice,
            template=template,
            name="x",
            subject="{{ customer_name }}",
            body="{{ customer.__class__.__mro__ }} {% debug %}",
        )
    assert len(refused.value.errors) == 2
    template.refresh_from_db()
    assert "__class__" not in template.body


def test_save_keeps_the_subject_on_one_line(alice: User) -> None:
    template = MessageTemplate.objects.get(code="reminder_1", language="en")
    template_save(
        actor=alice, template=template, name=" Reminder ", subject="Invoices\r\n due", body="Hi\r\n"
    )
    template.refresh_from_db()
    assert (template.name, template.subject, template.body) == ("Reminder", "Invoices  due", "Hi\n")


def test_create_refuses_a_bad_code_and_a_duplicate(alice: User) -> None:
    with pytest.raises(ValueError):
        template_create(actor=alice, code="../etc", language="fr", name="x", subject="s", body="b")
    with pytest.raises(ValueError):
        template_create(
            actor=alice, code="reminder_1", language="fr", name="x", subject="s", body="b"
        )
    with pytest.raises(TemplateRefused):
        template_create(
            actor=alice, code="mine", language="fr", name="x", subject="{{ x.y }}", body="b"
        )
    assert not MessageTemplate.objects.filter(code="mine").exists()


def test_save_and_create_refuse_a_subject_or_body_over_the_size_cap(alice: User) -> None:
    """User templates have a size cap (docs/dunning.md): 250 characters of subject,
    20 000 of body; the error says both lengths, in the user's language."""
    template = MessageTemplate.objects.get(code="reminder_1", language="fr")
    before = (template.subject, template.body)
    with translation.override("en"), pytest.raises(TemplateRefused) as refused:
        template_save(
            actor=alice, template=template, name="x", subject="s" * 251, body="b" * 20_001
        )
    assert refused.value.errors == [
        "The subject is 251 characters long; at most 250 characters are allowed.",
        "The body is 20001 characters long; at most 20000 characters are allowed.",
    ]
    template.refresh_from_db()
    assert (template.subject, template.body) == before
    with translation.override("fr"), pytest.raises(TemplateRefused) as refused:
        template_create(
            actor=alice, code="mine", language="fr", name="x", subject="s", body="b" * 20_001
        )
    assert refused.value.errors == [
        "Le corps du message fait 20001 caractères\u00a0; 20000 caractères au plus sont autorisés."
    ]
    assert not MessageTemplate.objects.filter(code="mine").exists()
    # At the limits, accepted.
    template_save(actor=alice, template=template, name="x", subject="s" * 250, body="b" * 20_000)
