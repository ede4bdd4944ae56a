"""template_save / template_create refuse what the sandbox refuses, whatever the caller."""

from __future__ import annotations

import pytest

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
