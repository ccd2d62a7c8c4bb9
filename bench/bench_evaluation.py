"""Evaluation benchmark (run on demand):

    python bench/bench_evaluation.py [--pg URL] [ITEMS ...]      (default 10000 100000 1000000)

For each size: a province of 150 pilot counties, 9 pilot domains each, ITEMS catalog items spread
over them (10 % lack 公开依据, 5 % lack 公开主体), one version per item (20 % published, half the
units touched within the period), 2 publication records per unit; then `zwgk evaluate`'s work —
every unit scored (aggregates in the database), ranked and the run stored — is timed, and the
.xlsx and HTML reports separately.  The data is generated inside the database (INSERT … SELECT
over a generated series), so building a million items takes seconds, not minutes.
SQLite file by default; --pg URL runs the same on a fresh PostgreSQL database made on that server.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNITS = 150
PROVINCE = "基准省"  # a benchmark fixture, not a unit of any document


def _series(dialect: str, n: int) -> str:
    if dialect == "sqlite":
        return f"WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {n}) "
    return f"WITH seq(n) AS (SELECT generate_series(1, {n})) "


def build(db, items: int) -> None:
    from sqlalchemy import DateTime, bindparam, insert, select, text

    from zwgk import models as m

    utc = dt.timezone.utc
    with db.session(actor="bench") as s:
        prov = m.AdminUnit(name=PROVINCE, level="province", key=PROVINCE, origin="bench")
        s.add(prov)
        s.flush()
        domains = list(s.scalars(select(m.Domain.id).where(m.Domain.editions.isnot(None)).order_by(m.Domain.position)))[:9]
        s.execute(insert(m.AdminUnit), [dict(name=f"县{i:03d}", level="county", parent_id=prov.id, is_pilot=True,
                                             key=f"{PROVINCE}/县{i:03d}", origin="bench", position=i, version=1)
                                        for i in range(UNITS)])
        unit_ids = list(s.scalars(select(m.AdminUnit.id).where(m.AdminUnit.parent_id == prov.id).order_by(m.AdminUnit.id)))
        s.execute(insert(m.unit_pilot_domain), [dict(unit_id=u, domain_id=d) for u in unit_ids for d in domains])
        s.execute(text("CREATE TEMPORARY TABLE bench_domain (k INTEGER PRIMARY KEY, id INTEGER)"))
        s.execute(text("INSERT INTO bench_domain VALUES " + ",".join(f"({k}, {d})" for k, d in enumerate(domains))))
        dialect = db.engine.dialect.name
        true, false = ("1", "0") if dialect == "sqlite" else ("true", "false")
        created = bindparam("created", dt.datetime(2018, 7, 2, tzinfo=utc), type_=DateTime(timezone=True))
        first = unit_ids[0]
        s.execute(text(
            _series(dialect, items)
            + "INSERT INTO catalog_item (unit_id, domain_id, seq, level1, level2, content, basis, time_limit, subject,"
              " channels, audience_public, audience_specific, method_active, method_on_request, level_county,"
              " level_township, stages, status, is_example, created_at, updated_at, version) "
              f"SELECT {first} + (n % {UNITS}), d.id, n, '招生入学', '招生政策', '招生范围、招生条件',"
              " CASE WHEN n % 10 = 0 THEN NULL ELSE '《中华人民共和国义务教育法》' END, '每年7月底前',"
              " CASE WHEN n % 20 = 1 THEN '' ELSE '县教育局' END, '政府网站',"
              f" {true}, {false}, {true}, {false}, {true}, {false}, '[]', 'draft', {false}, :created, :created, 1"
              f" FROM seq JOIN bench_domain d ON d.k = (n / {UNITS}) % 9").bindparams(created))
        in_q3 = bindparam("in_q3", dt.datetime(2018, 8, 1, tzinfo=utc), type_=DateTime(timezone=True))
        before = bindparam("before", dt.datetime(2018, 5, 1, tzinfo=utc), type_=DateTime(timezone=True))
        s.execute(text(
            "INSERT INTO catalog_item_version (item_id, version, unit_key, status, deleted, snapshot, actor, at)"
            " SELECT i.id, 1, u.key, CASE WHEN i.id % 5 = 0 THEN 'published' ELSE 'draft' END,"
            f" {false}, '{{}}', 'bench', CASE WHEN i.unit_id % 2 = 0 THEN :in_q3 ELSE :before END"
            " FROM catalog_item i JOIN admin_unit u ON u.id = i.unit_id").bindparams(in_q3, before))
        from sqlalchemy import func

        items_by_unit = dict(s.execute(select(m.CatalogItem.unit_id, func.min(m.CatalogItem.id))
                                       .group_by(m.CatalogItem.unit_id)).all())
        s.execute(insert(m.PublicationRecord), [
            dict(catalog_item_id=item, subject=f"公开{k}", event_at=dt.datetime(2018, 7, 2 + k, 9),
                 published_at=dt.datetime(2018, 7, 3 + k * 10, 9), version=1)
            for item in items_by_unit.values() for k in range(2)])
        s.execute(text("DROP TABLE bench_domain"))
    if dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def measure(url: str, items: int) -> dict:
    from zwgk.db import Database
    from zwgk.evaluation import report, runs
    from zwgk.evaluation.compute import parse_period
    from zwgk.evaluation.systems import default_system
    from zwgk.plugin_manager import apply, get_plugin_manager

    db = Database(url)
    db.upgrade()
    apply(db, get_plugin_manager([]))
    t = time.perf_counter()
    build(db, items)
    built = time.perf_counter() - t
    period, system = parse_period("2018Q3"), default_system()
    t = time.perf_counter()
    with db.session(actor="bench") as s:
        rows = runs.compute(s, PROVINCE, period, system)
        run = runs.store_run(s, PROVINCE, period, system, rows, "bench")
        run_id = run.id
    evaluated = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp, db.session() as s:
        data = runs.report_data(s, runs.get_run(s, run_id))
        t = time.perf_counter()
        report.write_xlsx(data, Path(tmp) / "r.xlsx")
        xlsx = time.perf_counter() - t
        t = time.perf_counter()
        report.render_html(data)
        html = time.perf_counter() - t
        t = time.perf_counter()
        same = runs.rerun(s, runs.get_run(s, run_id))["same"]
        rerun = time.perf_counter() - t
    db.dispose()
    return {"items": items, "units": len(rows), "build": built, "evaluate": evaluated, "xlsx": xlsx, "html": html,
            "rerun": rerun, "same": same, "top": rows[0]["total"], "bottom": rows[-1]["total"]}


def main(argv: list[str]) -> None:
    pg = None
    if argv[:1] == ["--pg"]:
        pg, argv = argv[1], argv[2:]
    sizes = [int(a) for a in argv] or [10_000, 100_000, 1_000_000]
    print("| items | units | build | evaluate (score, rank, store) | re-run | .xlsx | HTML | totals |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|")
    for n in sizes:
        if pg:
            from sqlalchemy import create_engine, text
            from sqlalchemy.engine import make_url

            name = f"bench_eval_{uuid.uuid4().hex[:8]}"
            admin = create_engine(pg, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                r = measure(make_url(pg).set(database=name).render_as_string(hide_password=False), n)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
        else:
            with tempfile.TemporaryDirectory() as tmp:
                r = measure(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", n)
        print(f"| {r['items']:,} | {r['units']} | {r['build']:.1f} s | {r['evaluate']:.2f} s | {r['rerun']:.2f} s "
              f"({'same' if r['same'] else 'DIFFERS'}) | {r['xlsx']:.2f} s | {r['html']:.2f} s | "
              f"{r['top']} … {r['bottom']} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
