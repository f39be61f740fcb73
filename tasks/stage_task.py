"""The decorator for stage tasks: a user-facing error ends the task Failed with its message.

Prefect logs a traceback for any exception; for bad data or bad params the message alone
is what the user needs, so those return a Failed state instead. Bugs still raise.
"""

from __future__ import annotations

import functools

from prefect import task
from prefect.states import Failed

from archflow.errors import ArchflowError


def stage_task(name: str):
    def decorate(function):
        @functools.wraps(function)
        def run(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except ArchflowError as error:  # the engine logs the Failed state's message
                return Failed(message=str(error))

        return task(name=name)(run)

    return decorate
