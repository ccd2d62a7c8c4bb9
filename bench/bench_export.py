"""Catalog export at a province's scale (issue #18): `zwgk export-catalog` against a bare streaming write.

    python bench/bench_export.py fill URL ROWS                 # a migrated database, 道县 applied, ROWS varied items
    python bench/bench_export.py bare FMT URL OUT              # SELECT the same rows, write them plainly (the yardstick)
    python bench/bench_export.py pair URL FMT [RUNS]           # both, A B A B …, each a fresh process; ratios pair by pair

URL is a SQLAlchemy URL (``sqlite:////tmp/x.sqlite`` or ``postgresql+psycopg://…/zwgk_exp``).
The command measured is the real one, as users run it:

    ZWGK_DATABASE_URL=URL ZWGK_PLUGINS=daoxian zwgk export-catalog --region 湖南省/永州市/道县 -o OUT.FMT

and the yardstick, ``bare``, reads the same columns (the item's, its unit's path and its domain's name, in
the export's order) with the driver's own streaming cursor and writes them with no formatting at all:
openpyxl's write-only worksheet, ``csv.writer``, or ``orjson`` one record per line.  ``pair`` runs them in
turn, each in its own process (peak memory is that process's ``ru_maxrss``, from ``os.wait4``), and prints
CPU (user + system) and wall seconds, the medians and the ratio taken pair by pair.

How the rows vary (``fill``): they come from ``catalog_varied.rows`` — unique 公开内容 and 二级事项 on every row,
seven time-limit phrasings, 150 subjects, 1–3 of five channels, marks differing row to row, 一级事项 in groups
of 1–6, about 3 % Traditional with full-width digits — with 同上 resolved as the importer would; on top,
several domains, 五公开 stages, 公开层级 tiers, the local columns (类别, 三级事项, 责任科室, 公开时长) on some
rows, five statuses, and about 1 % of cells that start like a formula (``-``, ``=``, ``+``), which the export
must neutralise.  Rows are inserted with one compiled ``INSERT`` per chunk (filling is not measured).
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

UNIT = "湖南省/永州市/道县"
ZWGK = str(Path(sys.executable).with_name("zwgk"))
COLUMNS = ("seq", "category", "level1", "level2", "level3", "content", "basis", "time_limit", "subject", "department",
           "channels", "duration", "audience_public", "audience_specific", "method_active", "method_on_request",
           "levels", "stages", "status", "is_example")
STAGES = ["decision", "execution", "management", "service", "result"]
STATUSES = ["draft"] * 6 + ["submitted", "reviewed", "signed", "published", "published", "withdrawn"]
TIER_SETS = [["county"], ["township"], ["county", "township"], ["county", "township", "village"], ["city", "county"]]


def _records(n: int, domains: list[int], unit_id: int, seed: int = 18):
    from catalog_varied import CHANNELS, TICKS, TRAD, rows

    rnd = random.Random(seed)
    ticks = set(TICKS)
    level1 = basis = subject = None
    for cells, continued in rows(n):
        if not continued:
            level1 = cells[1]
        basis = basis if cells[4] == "同上" else cells[4]
        subject = subject if cells[6] == "同上" else cells[6]
        chosen = [c for c in CHANNELS if "■" + c in cells[7] or "■" + c.translate(TRAD) in cells[7]]
        content = cells[3]
        if rnd.random() < 0.01:  # a cell that starts like a formula: the export writes it as text
            content = rnd.choice(["-", "=", "+", "@"]) + content
        local = rnd.random() < 0.2
        yield dict(
            unit_id=unit_id, domain_id=rnd.choice(domains), seq=int(cells[0]),
            category=rnd.choice(["教育", "民生", "行政"]) if local else None, level1=level1, level2=cells[2],
            level3=f"三级事项{rnd.randint(1, 10**6)}" if local else None, content=content, basis=basis,
            time_limit=cells[5], subject=subject, department=rnd.choice(["基础教育股", "办公室", "财务股"]) if local else None,
            channels=chosen, duration=rnd.choice(["长期", "1年", "3个月"]) if local else None,
            audience_public=cells[8] in ticks, audience_specific=cells[9] in ticks,
            method_active=cells[10] in ticks, method_on_request=cells[11] in ticks,
            levels=rnd.choice(TIER_SETS), stages=sorted(rnd.sample(STAGES, rnd.randint(0, 3)), key=STAGES.index),
            status=rnd.choice(STATUSES), is_example=False, version=1, source_file="bench")


def fill(url: str, n: int) -> None:
    from sqlalchemy import insert, select, text

    from zwgk import models as m
    from zwgk.db import Database
    from zwgk.plugin_manager import apply, get_plugin_manager

    t = time.perf_counter()
    db = Database(url)
    db.upgrade()
    apply(db, get_plugin_manager(["daoxian"]))
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM catalog_item_version"))
        conn.execute(text("DELETE FROM catalog_item"))
        unit_id = conn.scalar(select(m.AdminUnit.id).where(m.AdminUnit.key == UNIT))
        domains = list(conn.scalars(select(m.Domain.id).order_by(m.Domain.id)).all())[:9]
        stmt = insert(m.CatalogItem.__table__)
        batch = []
        for rec in _records(n, domains, unit_id):
            batch.append(rec)
            if len(batch) == 10000:
                conn.execute(stmt, batch)
                batch = []
        if batch:
            conn.execute(stmt, batch)
    if url.startswith("postgresql"):
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE catalog_item"))
    db.dispose()
    print(f"filled {n} items in {time.perf_counter() - t:.1f} s", file=sys.stderr)


SQL = ("SELECT " + ", ".join(f"i.{c}" for c in COLUMNS) + ", u.key, d.name FROM catalog_item i"
       " JOIN admin_unit u ON u.id = i.unit_id JOIN domain d ON d.id = i.domain_id"
       " WHERE u.key = %(p)s OR u.key LIKE %(like)s"
       " ORDER BY i.unit_id, i.domain_id, i.seq IS NOT NULL, i.seq, i.id")  # the export's order (catalog_export.order_of)


def _cursor(url: str):
    """The driver's own streaming cursor over the rows (server-side on PostgreSQL)."""
    params = {"p": UNIT, "like": UNIT + "/%"}
    if url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        cur = conn.execute(SQL.replace("%(p)s", ":p").replace("%(like)s", ":like"), params)
    else:
        import psycopg

        import orjson
        from psycopg.types.json import set_json_loads

        conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        set_json_loads(orjson.loads, conn)  # as zwgk's engine does: the same decoder on both sides
        cur = conn.cursor(name="bare")
        cur.itersize = 2000
        cur.execute(SQL, params)
    while True:
        chunk = cur.fetchmany(2000)
        if not chunk:
            break
        yield from chunk


def bare(fmt: str, url: str, out: str) -> None:
    rows = _cursor(url)
    json_cols = [COLUMNS.index(c) for c in ("channels", "levels", "stages")]
    pg = not url.startswith("sqlite")
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("目录")
        for row in rows:  # JSON columns as the database holds them (text on SQLite, lists → text on PG)
            ws.append([str(v) if type(v) is list else v for v in row] if pg else row)
        wb.save(out)
    elif fmt == "csv":
        import csv

        with open(out, "w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerows(rows)
    else:
        import orjson

        names = COLUMNS + ("unit", "domain")
        with open(out, "wb", buffering=1 << 20) as f:
            f.write(b"[")
            first = True
            for row in rows:
                if not pg:
                    row = list(row)
                    for c in json_cols:
                        row[c] = orjson.loads(row[c])
                f.write(b"\n" if first else b",\n")
                f.write(orjson.dumps(dict(zip(names, row))))
                first = False
            f.write(b"\n]\n")


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(cpu seconds, wall seconds, peak MB) of one run of ``cmd`` in a fresh process."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd} failed:\n{err}")
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024


def pair(url: str, fmt: str, runs: int = 3, keep: str | None = None) -> None:
    import tempfile

    env = dict(os.environ, ZWGK_DATABASE_URL=url, ZWGK_PLUGINS="daoxian")
    with tempfile.TemporaryDirectory() as tmp:
        ours = [ZWGK, "export-catalog", "--region", UNIT, "-o", f"{tmp}/ours.{fmt}"]
        yard = [sys.executable, __file__, "bare", fmt, url, f"{tmp}/bare.{fmt}"]
        empty = ours[:-1] + [f"{tmp}/empty.{fmt}", "--domain", _unused_domain(url)]  # start-up: no rows
        a, b, c = [], [], []
        for _ in range(runs):
            a.append(_run(ours, env))
            b.append(_run(yard, env))
            c.append(_run(empty, env))
        med = lambda xs, i: statistics.median(x[i] for x in xs)  # noqa: E731
        cpu_ratio = statistics.median(x[0] / y[0] for x, y in zip(a, b))
        wall_ratio = statistics.median(x[1] / y[1] for x, y in zip(a, b))
        print(f"{fmt}: export cpu {med(a, 0):.2f} s wall {med(a, 1):.2f} s peak {max(x[2] for x in a):.0f} MB | "
              f"bare cpu {med(b, 0):.2f} s wall {med(b, 1):.2f} s peak {max(x[2] for x in b):.0f} MB | "
              f"ratio cpu {cpu_ratio:.2f} wall {wall_ratio:.2f} | {os.path.getsize(f'{tmp}/ours.{fmt}') / 1e6:.0f} MB file"
              f" | start-up (no rows) cpu {med(c, 0):.2f} s | load {os.getloadavg()[0]:.1f}")


def _unused_domain(url: str) -> str:
    """A domain ``fill`` gave no items: ``export-catalog --domain`` it measures the start-up alone."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        name = conn.scalar(text("SELECT name FROM domain WHERE id NOT IN (SELECT DISTINCT domain_id FROM"
                                " catalog_item) ORDER BY id LIMIT 1"))
    engine.dispose()
    return name


def main(argv: list[str]) -> None:
    if not argv:
        raise SystemExit(__doc__)
    cmd, *args = argv
    if cmd == "fill":
        fill(args[0], int(args[1]))
    elif cmd == "bare":
        bare(args[0], args[1], args[2])
    elif cmd == "pair":
        pair(args[0], args[1], int(args[2]) if len(args) > 2 else 3)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
