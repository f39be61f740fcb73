"""What `serve` and `deploy` share: the schedule options, the push default and the API check."""

from __future__ import annotations

import sys

from flows.api import api_problem, configured_api_url

DEFAULT_CRON = "0 6 * * *"  # daily at 06:00


def schedule_of(cron: str | None, interval: float | None) -> dict:
    """Keyword arguments for ``serve``/``deploy``: one cron or one interval schedule."""
    return {"interval": interval} if interval else {"cron": cron or DEFAULT_CRON}


def server_problem(command: str) -> str | None:
    """Schedules live on a real Prefect server: say so, or name a server that does not answer."""
    if not configured_api_url():
        return f"{command} needs a running Prefect server: start one with `./dev server`, then set PREFECT_API_URL=http://127.0.0.1:4200/api"
    return api_problem()


def refuse(command: str) -> int | None:
    problem = server_problem(command)
    if problem:
        print(f"archflow {command}: {problem}", file=sys.stderr)
        return 2
    return None
