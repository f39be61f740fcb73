"""Progress of long work (stages, folds, epochs) for whoever watches it.

Training reports through a :class:`Reporter`: ``update(bar, done, total, info)`` moves a named
bar ("folds", "epochs"), ``note(text)`` prints a finished step. Three reporters:

- :class:`LiveBars` draws rich progress bars on a terminal (``archflow stage train``, ``dvc repro``);
- :class:`EventWriter` writes each report as one JSON line on stdout, for the pipeline flow,
  which runs stages under ``dvc repro`` in a child process and draws them with :class:`LiveBars`;
- :data:`SILENT` does nothing (tests, logs to a file).

``ARCHFLOW_PROGRESS`` picks one: ``live``, ``events`` or ``off``; unset: ``live`` on a terminal, else ``off``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Protocol

EVENT_PREFIX = "@archflow-progress "
PROGRESS_ENV = "ARCHFLOW_PROGRESS"


class Reporter(Protocol):
    def update(self, bar: str, done: int, total: int, info: str = "") -> None: ...

    def note(self, text: str) -> None: ...

    def close(self) -> None: ...


class _Silent:
    def update(self, bar: str, done: int, total: int, info: str = "") -> None:
        pass

    def note(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


SILENT: Reporter = _Silent()


class EventWriter:
    """One JSON line per report (at most ``per_second`` bar updates a second, and always the last of a bar)."""

    def __init__(self, stream=None, per_second: float = 5.0):
        self.stream, self.gap, self.last = stream or sys.stdout, 1.0 / per_second, {}

    def _write(self, event: dict) -> None:
        self.stream.write(EVENT_PREFIX + json.dumps(event) + "\n")
        self.stream.flush()

    def update(self, bar: str, done: int, total: int, info: str = "") -> None:
        now = time.monotonic()
        if done < total and now - self.last.get(bar, 0.0) < self.gap:
            return
        self.last[bar] = now
        self._write({"bar": bar, "done": done, "total": total, "info": info})

    def note(self, text: str) -> None:
        self._write({"note": text})

    def close(self) -> None:
        pass


class LiveBars:
    """rich progress bars, one per named bar, on stderr; notes print above them (unless
    ``show_notes`` is off: a stage's own log already prints them). On a stream that is not a
    terminal the bars are not drawn and notes print as plain lines."""

    def __init__(self, show_notes: bool = True):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.console = Console(stderr=True, highlight=False, soft_wrap=True)
        self.progress = Progress(
            TextColumn("[bold]{task.description:<8}"),
            BarColumn(bar_width=30),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[info]}"),
            console=self.console,
            transient=True,
            disable=not self.console.is_terminal,
        )
        self.bars: dict[str, int] = {}
        self.show_notes = show_notes
        self.progress.start()

    def update(self, bar: str, done: int, total: int, info: str = "") -> None:
        if bar not in self.bars:
            self.bars[bar] = self.progress.add_task(bar, total=total, info=info)
        self.progress.update(self.bars[bar], completed=done, total=total, info=info)

    def note(self, text: str) -> None:
        if self.show_notes:
            self.progress.console.print(text, markup=False)

    def replay(self, line: str) -> bool:
        """Draw one line of an :class:`EventWriter`; False when the line is not an event."""
        if not line.startswith(EVENT_PREFIX):
            return False
        try:
            event = json.loads(line[len(EVENT_PREFIX) :])
        except json.JSONDecodeError:
            return False
        if "note" in event:
            self.note(str(event["note"]))
        else:
            self.update(str(event["bar"]), int(event["done"]), int(event["total"]), str(event.get("info", "")))
        return True

    def close(self) -> None:
        self.progress.stop()


def reporter_from_env() -> Reporter:
    """The reporter ``ARCHFLOW_PROGRESS`` asks for (see the module's docstring)."""
    wanted = os.environ.get(PROGRESS_ENV, "")
    if wanted == "events":
        return EventWriter()
    if wanted == "live" or (not wanted and sys.stderr.isatty()):
        return LiveBars(show_notes=False)  # the stage's log prints the notes
    return SILENT
