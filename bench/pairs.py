"""Time two commands in turn (A B A B …) as whole processes and give the ratio A/B pair by pair.

    python bench/pairs.py -n 3 --vs "FLOOR COMMAND" -- IMPORT COMMAND

Each run's CPU seconds (user + system) and peak memory (``ru_maxrss``) are the operating
system's accounting of the finished child (``os.wait4``), wall seconds a monotonic clock around
it.  Printed: min / median / max of each, and of the ratios A/B taken pair by pair, so that a
machine whose speed drifts during the call still gives a meaningful ratio.  Quote the median.

``--server postgres`` also counts the CPU seconds that processes of that name (the database
server's backends and background writers, on the same machine) spend during each run, read from
``/proc`` before and after: on PostgreSQL a ``COPY`` moves work from the client to the server, so
the client's CPU alone flatters whichever command leaves more to the server.  The ratio of client
plus server CPU is then printed too.  Run it on a quiet machine: any other use of the server in the
meantime is counted.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time


def server_cpu(name: str | None) -> float:
    """CPU seconds (user + system) used so far by the processes called ``name``, ended children
    included."""
    if not name:
        return 0.0
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                stat = f.read()
        except OSError:  # gone meanwhile
            continue
        comm = stat[stat.index(b"(") + 1:stat.rindex(b")")].decode(errors="replace")
        if comm == name or comm.startswith(name + ":"):
            fields = stat[stat.rindex(b")") + 2:].split()
            # utime, stime, cutime, cstime (fields 14–17 of stat): a backend that ended during the run
            # is counted in the server's main process's cutime/cstime once it has been reaped
            total += sum(int(v) for v in fields[11:15])
    return total / tick


def run(argv: list[str], server: str | None = None) -> tuple[float, float, float, float]:
    before = server_cpu(server)
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{shlex.join(argv)} exited with {os.waitstatus_to_exitcode(status)}")
    time.sleep(0.2 if server else 0)  # let the server's background writers account the run
    cpu = usage.ru_utime + usage.ru_stime
    return cpu, wall, usage.ru_maxrss / 1024, cpu + server_cpu(server) - before  # Linux: ru_maxrss in KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=3)
    parser.add_argument("--vs", required=True, help="command B (the floor), one string split as a shell would")
    parser.add_argument("--server", help="also count the CPU of processes of this name, e.g. postgres")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    a = args.command[1:] if args.command[:1] == ["--"] else args.command
    b = shlex.split(args.vs)
    runs: dict[str, list[tuple[float, float, float, float]]] = {"A": [], "B": []}
    for _ in range(args.n):
        runs["A"].append(run(a, args.server))
        runs["B"].append(run(b, args.server))

    def line(label: str, values: list[float]) -> str:
        return f"{label:<12}{min(values):>10.2f}{statistics.median(values):>10.2f}{max(values):>10.2f}"

    print(f"{'':<12}{'min':>10}{'median':>10}{'max':>10}   A = {shlex.join(a)}\n{'':<45}B = {shlex.join(b)}")
    measures = ("cpu s", "wall s", "peak MiB") + (("cpu+srv s",) if args.server else ())
    for who in ("A", "B"):
        for i, what in enumerate(measures):
            print(line(f"{who} {what}", [r[i] for r in runs[who]]))
    ratios = ((0, "A/B cpu"), (1, "A/B wall")) + (((3, "A/B cpu+srv"),) if args.server else ())
    for i, what in ratios:
        print(line(what, [ra[i] / rb[i] for ra, rb in zip(runs["A"], runs["B"])]))


if __name__ == "__main__":
    main()
    sys.stdout.flush()
