"""Serve the pipeline flow on a cron schedule against a running Prefect server.

    prefect server start                                   # terminal 1 (UI on :4200)
    PREFECT_API_URL=http://127.0.0.1:4200/api python -m flows.serve --cron "0 6 * * *"
"""

from __future__ import annotations

import argparse
import os
import sys

from flows.pipeline import pipeline


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cron", default="0 6 * * *", help="cron schedule (default: daily at 06:00)")
    parser.add_argument("--name", default="archflow-scheduled", help="deployment name shown in the UI")
    args = parser.parse_args(argv)
    if not os.environ.get("PREFECT_API_URL"):
        print("Set PREFECT_API_URL to a running server first, e.g. http://127.0.0.1:4200/api (start one with `prefect server start`).", file=sys.stderr)
        return 2
    pipeline.serve(name=args.name, cron=args.cron, tags=["archflow"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
