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
