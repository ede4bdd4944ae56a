"""Choice fields whose options read in French order (accents and case ignored)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator

from encaisse.lib.text import in_french_order


class FrenchOrderIterator(ModelChoiceIterator):
    """The queryset's rows sorted by their label: short lists (people, plans)
    whose database order would put "Émilie" after "Zoé"."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        label = self.field.label_from_instance
        for row in in_french_order(self.queryset, key=label):
            yield self.choice(row)


class FrenchOrderModelChoiceField(forms.ModelChoiceField):
    iterator = FrenchOrderIterator
