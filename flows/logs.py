"""Prefect's log lines for a stage that stopped on bad input, without the noise.

Prefect logs a failed task's state with ``exc_info=True`` even when no exception is being
handled (a task that returns a Failed state), which prints a stray "NoneType: None" after the
message. This filter drops that empty exception info and leaves real tracebacks alone.
"""

from __future__ import annotations

import logging

RUN_LOGGERS = ("prefect.task_runs", "prefect.flow_runs")


class NoEmptyTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[0] is None:
            record.exc_info = None
        return True


def quiet_failure_logs() -> None:
    """Install the filter on Prefect's run loggers (once per process)."""
    for name in RUN_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, NoEmptyTraceback) for f in logger.filters):
            logger.addFilter(NoEmptyTraceback())


class NoStateLines(logging.Filter):
    """Drops the engine's "Finished in state ..." lines (the pipeline says how each stage ended)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name in RUN_LOGGERS and str(record.msg).startswith("Finished in state"))


def console_for_pipeline() -> None:
    """A stage launched by the pipeline flow: its terminal lines are warnings and errors only,
    without the state lines (its log still reaches the Prefect UI in full, and its progress
    reaches the pipeline as events)."""
    from prefect.logging.configuration import setup_logging
    from prefect.logging.handlers import PrefectConsoleHandler

    if not any(isinstance(h, PrefectConsoleHandler) for h in logging.getLogger().handlers):
        setup_logging()
    for handler in logging.getLogger().handlers:
        if isinstance(handler, PrefectConsoleHandler):
            handler.setLevel(logging.WARNING)
            handler.addFilter(NoStateLines())
