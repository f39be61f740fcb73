"""What `serve` and `deploy` share: the schedule options, the push default and the API check."""

from __future__ import annotations

import argparse
import sys

from flows.api import api_problem, configured_api_url


def schedule_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    when = parser.add_mutually_exclusive_group()
    when.add_argument("--cron", help='cron schedule, e.g. "0 6 * * *" (the default: daily at 06:00) or "* * * * *" (every minute)')
    when.add_argument("--interval", type=float, help="run every this many seconds instead of on a cron schedule")
    parser.add_argument("--name", default=name, help=f"deployment name shown in the UI (default: {name})")
    parser.add_argument("--no-push", dest="push", action="store_false", help="do not `dvc push` after each scheduled run (the default pushes to the DVC remote)")


def schedule_of(args: argparse.Namespace) -> dict:
    """Keyword arguments for ``serve``/``deploy``: one cron or one interval schedule."""
    return {"interval": args.interval} if args.interval else {"cron": args.cron or "0 6 * * *"}


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
