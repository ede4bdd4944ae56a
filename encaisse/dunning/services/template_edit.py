"""Finance edits the message templates (SPEC §4.4, §4.5).

A template is checked with the sandbox's `template_errors` before it is
stored, so a template that could reach anything but the documented
placeholders never reaches the database (rendering checks again).
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.translation import ngettext

from encaisse.accounts.models import User
from encaisse.collab.services import activity_record
from encaisse.dunning.models import MessageTemplate
from encaisse.dunning.rendering.sandbox import TemplateRefused, template_errors

CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
# Size caps (docs/dunning.md): a subject fits its column and a mail client's line; a
# body of 20 000 characters is some ten printed pages, far more than any reminder.
SUBJECT_MAX = 250
BODY_MAX = 20_000


def errors_of(subject: str, body: str) -> list[str]:
    """Every reason the subject or body is refused (empty: acceptable)."""
    errors = []
    if len(subject) > SUBJECT_MAX:
        errors.append(
            ngettext(
                "The subject is %(length)s characters long; at most %(limit)s character is "
                "allowed.",
                "The subject is %(length)s characters long; at most %(limit)s characters are "
                "allowed.",
                SUBJECT_MAX,
            )
            % {"length": len(subject), "limit": SUBJECT_MAX}
        )
    if len(body) > BODY_MAX:
        errors.append(
            ngettext(
                "The body is %(length)s characters long; at most %(limit)s character is allowed.",
                "The body is %(length)s characters long; at most %(limit)s characters are allowed.",
                BODY_MAX,
            )
            % {"length": len(body), "limit": BODY_MAX}
        )
    if errors:  # not worth scanning further: the text is refused anyway
        return errors
    return template_errors(subject) + template_errors(body)


@transaction.atomic
def template_save(
    *, actor: User, template: MessageTemplate, name: str, subject: str, body: str
) -> MessageTemplate:
    """Store new wording for an existing template; raises TemplateRefused."""
    errors = errors_of(subject, body)
    if errors:
        raise TemplateRefused(errors)
    template.name = name.strip()
    template.subject = subject.replace("\r\n", "\n").replace("\n", " ").strip()
    template.body = body.replace("\r\n", "\n")
    template.updated_by = actor
    template.save(update_fields=["name", "subject", "body", "updated_by", "updated_at"])
    activity_record(
        verb="dunning.template.saved",
        actor=actor,
        payload={"template": template.pk, "code": template.code, "language": template.language},
    )
    return template


@transaction.atomic
def template_create(
    *, actor: User, code: str, language: str, name: str, subject: str, body: str
) -> MessageTemplate:
    """A template for a code of one's own (a plan step may then use it), or a language
    an existing code lacks. Raises TemplateRefused, or ValueError for a bad code."""
    if not CODE.match(code):
        raise ValueError("a code is lower-case letters, digits and _")
    errors = errors_of(subject, body)
    if errors:
        raise TemplateRefused(errors)
    try:
        with transaction.atomic():
            template = MessageTemplate.objects.create(
                code=code,
                language=language,
                name=name.strip(),
                subject=subject.replace("\n", " ").strip(),
                body=body.replace("\r\n", "\n"),
                updated_by=actor,
            )
    except IntegrityError as error:
        raise ValueError("this code already has a template in this language") from error
    activity_record(
        verb="dunning.template.created",
        actor=actor,
        payload={"template": template.pk, "code": code, "language": language},
    )
    return template
