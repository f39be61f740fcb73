"""The decorator for stage tasks: a user-facing error ends the task Failed with its message.

Prefect logs a traceback for any exception; for bad data or bad params the message alone
is what the user needs, so those are logged as plain text (for the UI: the command that ran
the stage prints it in the terminal) and end the task in a Failed state. Bugs still raise.
"""

from __future__ import annotations

import functools

from prefect import get_run_logger, task
from prefect.states import Failed

from archflow.errors import ArchflowError


def stage_task(name: str):
    def decorate(function):
        @functools.wraps(function)
        def run(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except ArchflowError as error:
                get_run_logger().error("%s", error, extra={"archflow_ui_only": True})  # flows.logs.UI_ONLY
                return Failed(message=str(error))

        return task(name=name)(run)

    return decorate
