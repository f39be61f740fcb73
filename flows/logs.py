"""Prefect's log lines for a stage that stopped on bad input: the message once, as plain text.

Prefect's engines log a run that ends in a Failed state three ways, all with the message as a
Python repr (literal ``\\n``): "Task run failed with state: Failed(message=...)", "Finished in
state Failed(...)", and with ``exc_info=True`` even when no exception is being handled, which
prints a stray "NoneType: None". archflow logs the message itself, as plain text, where it
stops (the stage's task and the pipeline's task for the stage), so these filters drop the
engine's copies. Real crashes keep their "failed with exception" line and traceback.

Records marked :data:`UI_ONLY` go to the Prefect API (the UI) but not to the terminal, where
the command that stopped prints the message once itself.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
from contextlib import contextmanager

RUN_LOGGERS = ("prefect.task_runs", "prefect.flow_runs")
UI_ONLY = {"archflow_ui_only": True}  # `extra=` for a log line the terminal gets another way
ENGINE_FAILURE_LINES = ("Task run failed with state", "Finished in state Failed")


class NoEmptyTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[0] is None:
            record.exc_info = None
        return True


class NoEngineFailureLines(logging.Filter):
    """Drops the engine's repr of a Failed state (archflow has logged its message plainly)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(ENGINE_FAILURE_LINES)


class NoFreshModelRetracing(logging.Filter):
    """TensorFlow warns that predict "triggered tf.function retracing" when it meets its fifth new
    model; cross-validation builds a fresh model per fold on purpose, so this one warning is
    dropped (every other TensorFlow warning still shows)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in str(record.msg)


class NotUiOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(record, "archflow_ui_only", False)


def _console_handlers() -> list[logging.Handler]:
    from prefect.logging.configuration import setup_logging
    from prefect.logging.handlers import PrefectConsoleHandler

    found = [h for h in logging.getLogger().handlers if isinstance(h, PrefectConsoleHandler)]
    if not found:
        setup_logging()
        found = [h for h in logging.getLogger().handlers if isinstance(h, PrefectConsoleHandler)]
    return found


def _add_once(target, kind: type[logging.Filter]) -> None:
    if not any(isinstance(f, kind) for f in target.filters):
        target.addFilter(kind())


def quiet_failure_logs() -> None:
    """Install the filters on Prefect's run loggers and console (once per process)."""
    for name in RUN_LOGGERS:
        _add_once(logging.getLogger(name), NoEmptyTraceback)
        _add_once(logging.getLogger(name), NoEngineFailureLines)
    _add_once(logging.getLogger("tensorflow"), NoFreshModelRetracing)
    for handler in _console_handlers():
        _add_once(handler, NotUiOnly)


def console_for_pipeline() -> None:
    """A stage launched by the pipeline flow: its terminal lines are warnings and errors only
    (its log still reaches the Prefect UI in full, its progress reaches the pipeline as events,
    and the pipeline says how it ended)."""
    quiet_failure_logs()
    for handler in _console_handlers():
        handler.setLevel(logging.WARNING)


# What TensorFlow's C++ side prints while it starts, before its logging is set up (so
# TF_CPP_MIN_LOG_LEVEL cannot quiet it): notices, not problems. The device a model trains on is
# named in the train log and the model card instead.
TF_STARTUP_NOISE = re.compile(
    r"All log messages before absl::InitializeLog|oneDNN custom operations are on|Could not find cuda drivers"
    r"|failed call to cuInit|Unable to register cu(DNN|FFT|BLAS) factory|computation placer already registered"
    r"|TF-TRT Warning: Could not find TensorRT|This TensorFlow binary is optimized to use available CPU instructions"
    r"|To enable the following instructions|rebuild TensorFlow with the appropriate compiler flags"
)


@contextmanager
def tensorflow_startup_quiet():
    """Run the block (importing TensorFlow and finding its devices) with the process's stderr
    caught at the file-descriptor level, where the C++ lines go; afterwards every caught line
    except TensorFlow's start-up notices is written back, so real warnings still show."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            kept = [line for line in caught.read().decode(errors="replace").splitlines() if line.strip() and not TF_STARTUP_NOISE.search(line)]
            if kept:
                print("\n".join(kept), file=sys.stderr)
