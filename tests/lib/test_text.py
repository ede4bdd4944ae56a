"""`folded`: the key of French order and of accent-insensitive search."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from encaisse.lib.text import folded, in_french_order


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Agence de la Côte", "Agence de Provence"),
        ("Aérotec", "André"),
        ("cote", "Côté Jardin"),
        ("eclairage", "ÉCOLE"),
        ("Œuvre", "Office"),
        ("Zèbre", "zoo"),
    ],
)
def test_french_order(before: str, after: str) -> None:
    assert folded(before) < folded(after)
    assert in_french_order([after, before]) == [before, after]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("André", "andre"),
        ("ÉCOLE  DES\u00a0ARTS ", "ecole des arts"),
        ("L’Œuf Straße", "l'oeuf strasse"),
        ("Ærø Łódź", "aero lodz"),
        ("Saint‑Étienne – Forez", "saint-etienne - forez"),
    ],
)
def test_case_accents_ligatures_and_blanks(text: str, key: str) -> None:
    assert folded(text) == key


@given(st.text())
def test_folding_twice_changes_nothing(text: str) -> None:
    assert folded(folded(text)) == folded(text)


@given(st.text(), st.data())
def test_what_a_name_contains_is_found_once_both_are_folded(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert folded(text[start:end]) in folded(text)


@given(st.text())
def test_no_accent_and_no_capital_is_left(text: str) -> None:
    key = folded(text)
    assert not any(unicodedata.combining(char) for char in key)
    assert key == key.casefold()
