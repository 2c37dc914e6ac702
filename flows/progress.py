"""Progress of the stages: a live bar on a terminal (log lines printed above it), nothing otherwise."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger("newsfacts.progress")

ProgressCallback = Callable[[str, int, int], None]

_LABELS = {"feeds": "Fetching feeds", "articles": "Fetching articles", "extract": "Extracting facts",
           "load": "Loading", "conflicts": "Finding conflicts", "report": "Writing the report"}


@contextmanager
def progress_display(enabled: bool) -> Iterator[ProgressCallback | None]:
    """Yield a progress(stage, done, total) callback, or None when there is no terminal to draw on."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        transient=False, redirect_stderr=True, redirect_stdout=True,
    ) as bar, _logs_above(bar):
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(_LABELS.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


@contextmanager
def _logs_above(bar) -> Iterator[None]:
    """Log handlers made before the display write to the terminal directly, in the middle of
    the bars; while it is drawn, what they write goes through the display's console, which
    prints each line above the bars. A plain stream handler writes to rich's stand-in for
    stderr; a rich-based handler (Prefect's) has a console of its own, which would write past
    that stand-in to the terminal, so the display's console prints its records (as plain text)."""
    from rich.text import Text

    terminal, swapped, rerouted = sys.__stderr__, [], []
    loggers = [logging.getLogger()] + [logger for logger in logging.root.manager.loggerDict.values()
                                       if isinstance(logger, logging.Logger)]
    for handler in {handler for logger in loggers for handler in logger.handlers}:
        console = getattr(handler, "console", None)
        if console is not None and getattr(console, "file", None) is terminal:
            rerouted.append(handler)
            handler.emit = _printed_by(bar.console, handler, Text)
        elif isinstance(handler, logging.StreamHandler) and handler.stream is terminal:
            swapped.append((handler, handler.stream))
            handler.stream = sys.stderr  # rich's proxy while the display is live
    try:
        yield
    finally:
        for handler, stream in swapped:
            handler.stream = stream
        for handler in rerouted:
            del handler.emit  # its class's own again


def _printed_by(console, handler: logging.Handler, text_type) -> Callable[[logging.LogRecord], None]:
    def emit(record: logging.LogRecord) -> None:
        try:
            console.print(text_type(handler.format(record)), soft_wrap=True)
        except RecursionError:
            raise
        except Exception:
            handler.handleError(record)
    return emit
