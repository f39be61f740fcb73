"""Deploy the pipeline to a Prefect work pool (the production way): the server's scheduler
creates runs and any `prefect worker start --pool NAME` runs them as subprocesses.

    ./dev deploy --pool archflow --cron "0 6 * * *"   # creates the process pool if it is missing
    prefect worker start --pool archflow              # on the machine that trains

The worker needs this checkout at the same path (the deployment points at it), the DVC remote
(`dvc remote list`; a cloud remote is a setting) and PREFECT_API_URL pointing at the server.
Each scheduled run ends with `dvc push`, so a promoted model reaches the DVC remote.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from flows.schedule import refuse, schedule_of

ENTRYPOINT = "flows/pipeline.py:pipeline"


async def ensure_pool(name: str, pool_type: str) -> str:
    """Create the work pool if it does not exist; return what happened."""
    from prefect import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound

    async with get_client() as client:
        try:
            await client.read_work_pool(name)
            return f"work pool '{name}' exists"
        except ObjectNotFound:
            await client.create_work_pool(WorkPoolCreate(name=name, type=pool_type))
            return f"created the {pool_type} work pool '{name}'"


def deploy(name: str = "archflow-production", push: bool = True, cron: str | None = None, interval: float | None = None, pool: str = "archflow", pool_type: str = "process") -> int:
    """Deploy the pipeline on one schedule to a work pool (created if missing); 2 when no Prefect server answers."""
    refused = refuse("deploy")
    if refused is not None:
        return refused
    from flows.pipeline import pipeline

    print(asyncio.run(ensure_pool(pool, pool_type)))
    source = pipeline.from_source(source=str(Path.cwd()), entrypoint=ENTRYPOINT)
    deployment_id = source.deploy(name=name, work_pool_name=pool, parameters={"push": push}, tags=["archflow"], concurrency_limit=1, build=False, push=False, print_next_steps=False, **schedule_of(cron, interval))
    print(f"deployed archflow-pipeline/{name} ({deployment_id}) to pool '{pool}'; start a worker with: prefect worker start --pool {pool}")
    return 0


if __name__ == "__main__":
    from flows.cli import main

    sys.exit(main(["deploy", *sys.argv[1:]]))
