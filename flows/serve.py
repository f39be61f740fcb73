"""Serve the pipeline flow on a schedule from this process (a laptop's way): the server's
scheduler creates the runs and this process executes them while it runs.

    ./dev server                                  # terminal 1: Prefect server and UI on :4200
    ./dev serve --cron "0 6 * * *"                # terminal 2 (PREFECT_API_URL defaults to it)

Each scheduled run ends with `dvc push`, so a promoted model reaches the DVC remote.
For production, deploy to a work pool instead (flows/deploy.py).
"""

from __future__ import annotations

import argparse
import sys

from flows.schedule import refuse, schedule_arguments, schedule_of


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="archflow serve", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    schedule_arguments(parser, "archflow-scheduled")
    args = parser.parse_args(argv)
    refused = refuse("serve")
    if refused is not None:
        return refused
    from flows.pipeline import pipeline

    pipeline.serve(name=args.name, parameters={"push": args.push}, tags=["archflow"], limit=1, **schedule_of(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
