"""Serve the pipeline flow on a schedule from this process (a laptop's way): the server's
scheduler creates the runs and this process executes them while it runs.

    ./dev server                                  # terminal 1: Prefect server and UI on :4200
    ./dev serve --cron "0 6 * * *"                # terminal 2 (PREFECT_API_URL defaults to it)

Each scheduled run ends with `dvc push`, so a promoted model reaches the DVC remote.
For production, deploy to a work pool instead (flows/deploy.py).
"""

from __future__ import annotations

import sys

from flows.schedule import refuse, schedule_of


def serve(name: str = "archflow-scheduled", push: bool = True, cron: str | None = None, interval: float | None = None) -> int:
    """Serve the pipeline on one schedule until stopped; 2 when no Prefect server answers."""
    refused = refuse("serve")
    if refused is not None:
        return refused
    from flows.pipeline import pipeline

    pipeline.serve(name=name, parameters={"push": push}, tags=["archflow"], limit=1, **schedule_of(cron, interval))
    return 0


if __name__ == "__main__":
    from flows.cli import main

    sys.exit(main(["serve", *sys.argv[1:]]))
