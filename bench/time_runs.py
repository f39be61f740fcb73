"""Time whole commands over several runs: median, min and max wall seconds, and peak memory.

    python bench/time_runs.py --runs 3 --prepare "CMD" -- CMD ...

``--prepare`` runs before each timed run (not timed), e.g. to make the run do its full work.
Prints one Markdown row per command, naming the command behind the figure.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time


def timed(command: str) -> tuple[float, float]:
    """Wall seconds and the peak resident memory (MiB) of the largest child so far."""
    start = time.perf_counter()
    done = subprocess.run(command, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"command failed ({done.returncode}): {command}\n{done.stderr[-2000:]}")
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=0)
    parser.add_argument("--prepare", default="", help="shell command run (untimed) before each run")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = " ".join(args.command[1:] if args.command[:1] == ["--"] else args.command)
    walls, peak = [], 0.0
    for index in range(args.warmup + args.runs):
        if args.prepare:
            subprocess.run(args.prepare, shell=True, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall, peak = timed(command)
        if index >= args.warmup:
            walls.append(wall)
    print(f"| `{command}` | {args.runs} | {statistics.median(walls):.1f} | {min(walls):.1f} | {max(walls):.1f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
