"""Time two commands in turn (A B A B …) as whole processes and give the ratio A/B pair by pair.

    python bench/pairs.py -n 3 --vs "FLOOR COMMAND" -- IMPORT COMMAND

Each run's CPU seconds (user + system) and peak memory (``ru_maxrss``) are the operating
system's accounting of the finished child (``os.wait4``), wall seconds a monotonic clock around
it.  Printed: min / median / max of each, and of the ratios A/B taken pair by pair, so that a
machine whose speed drifts during the call still gives a meaningful ratio.  Quote the median.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time


def run(argv: list[str]) -> tuple[float, float, float]:
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{shlex.join(argv)} exited with {os.waitstatus_to_exitcode(status)}")
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024  # Linux: ru_maxrss in KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=3)
    parser.add_argument("--vs", required=True, help="command B (the floor), one string split as a shell would")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    a = args.command[1:] if args.command[:1] == ["--"] else args.command
    b = shlex.split(args.vs)
    runs: dict[str, list[tuple[float, float, float]]] = {"A": [], "B": []}
    for _ in range(args.n):
        runs["A"].append(run(a))
        runs["B"].append(run(b))

    def line(label: str, values: list[float]) -> str:
        return f"{label:<12}{min(values):>10.2f}{statistics.median(values):>10.2f}{max(values):>10.2f}"

    print(f"{'':<12}{'min':>10}{'median':>10}{'max':>10}   A = {shlex.join(a)}\n{'':<45}B = {shlex.join(b)}")
    for who in ("A", "B"):
        for i, what in enumerate(("cpu s", "wall s", "peak MiB")):
            print(line(f"{who} {what}", [r[i] for r in runs[who]]))
    for i, what in enumerate(("A/B cpu", "A/B wall")):
        print(line(what, [ra[i] / rb[i] for ra, rb in zip(runs["A"], runs["B"])]))


if __name__ == "__main__":
    main()
    sys.stdout.flush()
