"""Every import case of issue #18 in one command: sizes × formats × databases, import against floor.

    python bench/import_matrix.py --dir /tmp/b --sizes 10000,100000,1000000 --formats xlsx,csv,json \
        --db sqlite --db postgresql+psycopg://postgres@127.0.0.1:5432/zwgk_bench [--pairs 3] [--big-pairs 1]

Each case is ``bench/pairs.py``'s A/B in turn: A = ``zwgk import catalog FILE --unit 道县 --domain 义务教育`` (the
console script, as users type it; ``catalog_varied.py command`` prints it), B = ``catalog_varied.py floor FILE RUN
--as-is``, each a whole process, each into an empty catalog made just before it and not timed
(``catalog_varied.py fresh``: a copy of the template on SQLite, ``DIR/run.sqlite``; on PostgreSQL the catalog emptied).  On PostgreSQL the database server's CPU
during each run is counted as well (``pairs.py --server postgres``): a ``COPY`` leaves work to the server, and the
client's CPU alone would flatter the floor.  Files are generated into ``--dir`` when missing (``v10k.xlsx``,
``v100k.csv``, ``v1m.json`` …; CSV in GB18030) and the SQLite template is ``DIR/t.sqlite``.  The import limits are
raised for the run (``ZWGK_IMPORT_MAX_ROWS`` etc.: 1,000,000 rows is over the defaults).  Cases of 1,000,000 rows
take ``--big-pairs`` pairs (default 1; a pair there is several minutes).  Prints one Markdown table row per case
as it finishes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from pairs import run  # noqa: E402

LIMITS = {"ZWGK_IMPORT_MAX_ROWS": "2000000", "ZWGK_IMPORT_MAX_FILE_SIZE": "1G", "ZWGK_IMPORT_MAX_UNZIPPED": "4G"}


def label(n: int) -> str:
    return f"{n // 1_000_000}m" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k"


def median(values: list[float]) -> float:
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--formats", default="xlsx,csv,json")
    parser.add_argument("--db", action="append", default=[], help="sqlite (DIR/t.sqlite) or a PostgreSQL URL")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--big-pairs", type=int, default=1)
    args = parser.parse_args()
    os.environ.update(LIMITS)
    py, script = sys.executable, str(HERE / "catalog_varied.py")
    sys.path.insert(0, str(HERE))
    import catalog_varied as cv
    args.dir.mkdir(parents=True, exist_ok=True)
    print("| database | rows | format | pairs | floor CPU | import CPU | **import ÷ floor (CPU)** | (wall) "
          "| import peak | floor peak |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|", flush=True)
    for db in args.db or ["sqlite"]:
        target = str(args.dir / "t.sqlite") if db == "sqlite" else db
        if db != "sqlite" or not Path(target).exists():
            subprocess.run([py, script, "template", target], check=True)
        server = None if db == "sqlite" else "postgres"
        for n in (int(s) for s in args.sizes.split(",")):
            for fmt in args.formats.split(","):
                path = args.dir / f"v{label(n)}.{fmt}"
                if not path.exists():
                    subprocess.run([py, script, "generate", str(path), str(n)], check=True)
                pairs = args.big_pairs if n >= 1_000_000 else args.pairs
                a_runs, b_runs = [], []
                dest = str(args.dir / "run.sqlite") if db == "sqlite" else db
                os.environ.update(cv.command_env(dest))
                def fresh() -> None:
                    subprocess.run([py, script, "fresh", target, dest], check=True)
                    time.sleep(0.3 if server else 0)  # the server has reaped that backend before the count starts

                for _ in range(pairs):
                    fresh()
                    a_runs.append(run(cv.command(str(path), dest), server))
                    fresh()
                    b_runs.append(run([py, script, "floor", str(path), dest, "--as-is"], server))
                cpu = 3 if server else 0  # client + server CPU on PostgreSQL
                ratio = median([a[cpu] / b[cpu] for a, b in zip(a_runs, b_runs)])
                wall = median([a[1] / b[1] for a, b in zip(a_runs, b_runs)])
                name = "SQLite" if db == "sqlite" else "PostgreSQL (client + server CPU)"
                print(f"| {name} | {n:,} | .{fmt} | {pairs} | {median([b[cpu] for b in b_runs]):.2f} s "
                      f"| {median([a[cpu] for a in a_runs]):.2f} s | **{ratio:.2f}** | {wall:.2f} "
                      f"| {median([a[2] for a in a_runs]):.0f} MB | {median([b[2] for b in b_runs]):.0f} MB |",
                      flush=True)


if __name__ == "__main__":
    main()
