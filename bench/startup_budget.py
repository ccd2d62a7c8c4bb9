"""What an import pays before its first row, against the floor of a small file (issue #18, 10,000 rows).

    python bench/startup_budget.py --dir /tmp/b [--rows 10000] [--formats csv,json,xlsx] [--pairs 5]

Each line is a whole process timed against the floor (``catalog_varied.py floor FILE RUN --as-is``, the
file of ``--rows`` varied rows) in turn, as ``bench/pairs.py`` does, the ratio taken pair by pair:

- ``python -c pass``: the interpreter alone;
- (the imports below run with the garbage collector off and what they made frozen before exit, as the
  console script runs them: ``zwgk.console``)
- the libraries the importer is built on and may not leave out (DESIGN.md fixes SQLAlchemy, marshmallow and
  pluggy; click parses the command): ``import sqlalchemy.orm, marshmallow, pluggy, click``;
- the same and zwgk's models (``import zwgk.models``: the tables an import touches, as declarative classes);
- ``zwgk import catalog`` of a file of one row (``v1.csv``): everything an import does before and after its rows.

If the one-row import alone is near 3× a floor, no import of that file can be within 3× of it however fast
its rows go: the rows cost something too.  Files are generated into ``--dir`` when missing, the SQLite
template is ``DIR/t.sqlite`` and each run starts from a fresh copy (``catalog_varied.py fresh``, not timed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import catalog_varied as cv  # noqa: E402
from import_matrix import label  # noqa: E402
from pairs import run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--formats", default="csv,json,xlsx")
    parser.add_argument("--pairs", type=int, default=5)
    args = parser.parse_args()
    py, script = sys.executable, str(HERE / "catalog_varied.py")
    args.dir.mkdir(parents=True, exist_ok=True)
    template, dest = args.dir / "t.sqlite", str(args.dir / "run.sqlite")
    if not template.exists():
        subprocess.run([py, script, "template", str(template)], check=True)
    one = args.dir / "v1.csv"
    if not one.exists():
        subprocess.run([py, script, "generate", str(one), "1"], check=True)
    os.environ.update(cv.command_env(dest))
    # the imports with the collector off and what they made frozen at the end, as the console script runs
    quick = "import gc; gc.disable(); import {}; gc.freeze()"
    steps = [("the interpreter (`python -c pass`)", [py, "-c", "pass"]),
             ("+ SQLAlchemy's ORM, marshmallow, pluggy, click",
              [py, "-c", quick.format("sqlalchemy.orm, marshmallow, pluggy, click")]),
             ("+ zwgk's models", [py, "-c", quick.format("sqlalchemy.orm, marshmallow, pluggy, click, zwgk.models")]),
             ("`zwgk import catalog` of one row", cv.command(str(one), dest))]
    print(f"| floor ({args.rows:,} rows) | floor CPU | what runs | its CPU | **÷ floor** |")
    print("|---|---:|---|---:|---:|", flush=True)
    for fmt in args.formats.split(","):
        path = args.dir / f"v{label(args.rows)}.{fmt}"
        if not path.exists():
            subprocess.run([py, script, "generate", str(path), str(args.rows)], check=True)
        floor = [py, script, "floor", str(path), dest, "--as-is"]
        for name, argv in steps:
            a_runs, b_runs = [], []
            for _ in range(args.pairs):
                subprocess.run([py, script, "fresh", str(template), dest], check=True)
                a_runs.append(run(argv))
                subprocess.run([py, script, "fresh", str(template), dest], check=True)
                b_runs.append(run(floor))
            ratio = statistics.median(a[0] / b[0] for a, b in zip(a_runs, b_runs))
            print(f"| .{fmt} | {statistics.median(b[0] for b in b_runs):.2f} s | {name} "
                  f"| {statistics.median(a[0] for a in a_runs):.2f} s | **{ratio:.2f}** |", flush=True)


if __name__ == "__main__":
    main()
