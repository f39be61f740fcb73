"""Time whole commands over several runs: median, min and max wall seconds, and peak memory.

    python bench/time_runs.py --runs 3 --prepare "CMD" -- CMD ...
    python bench/time_runs.py --runs 3 --versus "python bench/script_penguins.py --search" -- python -m flows.pipeline --force

``--prepare`` runs before each timed run (not timed), e.g. to make the run do its full work.
``--versus`` times a second command interleaved with the first (A B A B ...), so both meet the
same machine, and adds the ratio of their medians and of each pair.
Prints one Markdown row per command, naming the command behind the figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time


def timed(command: str) -> tuple[float, float]:
    """Wall seconds and the peak resident memory (MiB) of the command's largest process (the
    shell's, or any process it waited for: os.wait4 reports that command's own)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if process.returncode != 0:
        sys.exit(f"command failed ({process.returncode}): {command}\n{stderr[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=0)
    parser.add_argument("--prepare", default="", help="shell command run (untimed) before each run")
    parser.add_argument("--versus", default="", help="a second command, timed interleaved with the first")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = " ".join(args.command[1:] if args.command[:1] == ["--"] else args.command)
    commands = [command] + ([args.versus] if args.versus else [])
    walls: dict[str, list[float]] = {c: [] for c in commands}
    peaks: dict[str, float] = dict.fromkeys(commands, 0.0)
    for index in range(args.warmup + args.runs):
        for each in commands:
            if args.prepare:
                subprocess.run(args.prepare, shell=True, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wall, peak = timed(each)
            peaks[each] = max(peaks[each], peak)
            print(f"run {index + 1}: {wall:.1f} s  {each}", file=sys.stderr, flush=True)
            if index >= args.warmup:
                walls[each].append(wall)
    for each in commands:
        w = walls[each]
        print(f"| `{each}` | {args.runs} | {statistics.median(w):.1f} | {min(w):.1f} | {max(w):.1f} | {peaks[each]:.0f} |")
    if args.versus:
        pairs = ", ".join(f"{a / b:.2f}x" for a, b in zip(walls[command], walls[args.versus]))
        print(f"ratio of the medians: {statistics.median(walls[command]) / statistics.median(walls[args.versus]):.2f}x (per pair: {pairs})")


if __name__ == "__main__":
    main()
