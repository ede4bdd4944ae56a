"""A rich progress bar for the long parts, or nothing (tests, library calls)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

Advance = Callable[[int], None]


def _ignore(_steps: int) -> None:
    return None


@contextmanager
def progress_bar(description: str, total: int, enabled: bool) -> Iterator[Advance]:
    """Yield `advance(n)`; draws on stderr so that stdout stays clean for the logins."""
    if not enabled:
        yield _ignore
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(description, total=total)

        def advance(steps: int) -> None:
            bar.advance(task, steps)

        yield advance
