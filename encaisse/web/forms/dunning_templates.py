"""Forms of the template editor: wording, a new template, the live preview's inputs."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy

from encaisse.dunning.rendering.sandbox import template_errors
from encaisse.dunning.services.template_edit import BODY_MAX, CODE, SUBJECT_MAX


def _refuse_unsafe(text: str) -> str:
    errors = template_errors(text)
    if errors:
        raise forms.ValidationError(errors)
    return text


class TemplateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=SUBJECT_MAX)
    # A validator, not max_length: the browser would cut a longer paste silently.
    body = forms.CharField(
        label=gettext_lazy("Body"),
        validators=[MaxLengthValidator(BODY_MAX)],
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "true"}),
    )

    def clean_subject(self) -> str:
        return _refuse_unsafe(str(self.cleaned_data["subject"]))

    def clean_body(self) -> str:
        return _refuse_unsafe(str(self.cleaned_data["body"]))


class NewTemplateForm(TemplateForm):
    code = forms.RegexField(
        label=gettext_lazy("Code"),
        regex=CODE,
        max_length=40,
        help_text=gettext_lazy(
            "Lower-case letters, digits and _ (e.g. reminder_3); plan steps refer to it."
        ),
        error_messages={
            "invalid": gettext_lazy("Lower-case letters, digits and _, starting with a letter.")
        },
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)

    field_order = ["code", "language", "name", "subject", "body"]
