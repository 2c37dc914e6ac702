"""Progress for fetch and extract: a live bar on a terminal, plain log lines otherwise."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger("newsfacts.progress")

ProgressCallback = Callable[[str, int, int], None]

_LABELS = {"feeds": "Fetching feeds", "articles": "Fetching articles", "extract": "Extracting facts"}


@contextmanager
def progress_display(enabled: bool) -> Iterator[ProgressCallback | None]:
    """Yield a progress(stage, done, total) callback, or None when there is no terminal to draw on."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        transient=False,
    ) as bar:
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(_LABELS.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update
