"""A service's refusal, as a management command reports it."""

from __future__ import annotations

from encaisse.lib.cli import command_error
from encaisse.lib.errors import Conflict, ValidationFailed


def test_each_bad_field_is_a_line_and_bad_input_exits_with_2() -> None:
    error = command_error(ValidationFailed({"siren": ["bad"], "": ["whole"], "a.1.b": ["x", "y"]}))
    assert error.returncode == 2
    assert str(error).splitlines() == [
        "siren\u00a0: bad",
        "whole",
        "a.1.b\u00a0: x",
        "a.1.b\u00a0: y",
    ]


def test_a_conflict_exits_with_1() -> None:
    error = command_error(Conflict("already released"))
    assert (error.returncode, str(error)) == (1, "already released")
