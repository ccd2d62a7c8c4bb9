"""Catalog import/export benchmark (run on demand: python bench/bench_catalog.py [ROWS ...]).

For each size: generate a catalog in the real two-row layout, then measure
  floor   — read it with python-calamine + one bulk INSERT of the rows (no validation, no history)
  import  — `import_catalog` with full validation, history and versions
  export  — `write_xlsx` of the imported items vs a bare streaming openpyxl write of the same rows
and the peak memory (ru_maxrss of a child process per measurement). SQLite file database.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNIT = "湖南省/永州市/道县"
ROW = ["", "招生入学", "招生政策", "招生范围、招生条件、招生程序", "《中华人民共和国义务教育法》", "每年7月底前",
       "县教育局", "政府网站、公示栏", "√", "", "√", "", "√", ""]


def generate(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("目录")
    ws.append(["道县义务教育领域政务公开事项标准目录"])
    ws.append(["序号", "公开事项", None, "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体",
               "公开对象", None, "公开方式", None, "公开层级", None])
    ws.append([None, "一级事项", "二级事项", None, None, None, None, None, "全社会", "特定群体", "主动", "依申请",
               "县级", "乡级"])
    for i in range(1, rows + 1):
        row = list(ROW)
        row[0] = str(i)
        row[2] = f"招生政策{i}"
        ws.append(row)
    wb.save(path)


def _prepared_db(tmp: Path) -> str:
    from zwgk.db import Database
    from zwgk.plugin_manager import apply, get_plugin_manager

    url = f"sqlite:///{tmp / 'bench.sqlite'}"
    db = Database(url)
    db.upgrade()
    apply(db, get_plugin_manager(["daoxian"]))
    db.dispose()
    return url


def floor(path: str, url: str, out) -> None:
    from python_calamine import CalamineWorkbook
    from sqlalchemy import insert, select

    from zwgk import models as m
    from zwgk.db import Database

    t = time.perf_counter()
    wb = CalamineWorkbook.from_path(path)
    rows = wb.get_sheet_by_name(wb.sheet_names[0]).to_python()[3:]
    db = Database(url)
    with db.engine.begin() as conn:
        unit = conn.execute(select(m.AdminUnit.id).where(m.AdminUnit.key == UNIT)).scalar()
        dom = conn.execute(select(m.Domain.id).where(m.Domain.name == "义务教育")).scalar()
        conn.execute(insert(m.CatalogItem), [
            dict(unit_id=unit, domain_id=dom, level1=r[1], level2=r[2], content=r[3], basis=r[4], time_limit=r[5],
                 subject=r[6], channels=[r[7]], audience_public=True, method_active=True, levels=["county"],
                 stages=[], status="draft", version=1) for r in rows])
    out.put(time.perf_counter() - t)
    out.put(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def full_import(path: str, url: str, out) -> None:
    from zwgk.catalog_io import import_catalog
    from zwgk.db import Database
    from zwgk.plugin_manager import get_plugin_manager

    t = time.perf_counter()
    db = Database(url)
    with db.session(actor="bench") as session:
        result = import_catalog(session, get_plugin_manager(["daoxian"]), Path(path), UNIT, "义务教育")
    assert result.ok, result.problems[:3]
    out.put(time.perf_counter() - t)
    out.put(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def export_both(url: str, tmp: str, out) -> None:
    from openpyxl import Workbook
    from sqlalchemy import select

    from zwgk import models as m
    from zwgk.catalog_io import item_row, write_xlsx
    from zwgk.db import Database

    db = Database(url)
    with db.sessionmaker() as session:
        items = session.scalars(select(m.CatalogItem).order_by(m.CatalogItem.id)).all()
        for i in items:
            i.domain  # noqa: B018  (load before timing)
        rows = [item_row(n, i) for n, i in enumerate(items, 1)]
        t = time.perf_counter()
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("x")
        for r in rows:
            ws.append(r)
        wb.save(f"{tmp}/bare.xlsx")
        bare = time.perf_counter() - t
        t = time.perf_counter()
        write_xlsx(items, Path(f"{tmp}/ours.xlsx"))
        ours = time.perf_counter() - t
    out.put(bare)
    out.put(ours)


def run(target, *args):
    q = mp.get_context("spawn").Queue()
    p = mp.get_context("spawn").Process(target=target, args=(*args, q))
    p.start()
    a, b = q.get(), q.get()
    p.join()
    return a, b


def main(sizes: list[int]) -> None:
    results = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            path = tmp / "catalog.xlsx"
            generate(path, n)
            url = _prepared_db(tmp)
            floor_s, floor_kb = run(floor, str(path), url)
            url = _prepared_db(Path(tempfile.mkdtemp(dir=tmp)))
            import_s, import_kb = run(full_import, str(path), url)
            bare_s, ours_s = run(export_both, url, str(tmp))
            results.append(dict(rows=n, file_mb=round(path.stat().st_size / 1e6, 2), floor_s=round(floor_s, 2),
                                import_s=round(import_s, 2), import_vs_floor=round(import_s / floor_s, 2),
                                import_peak_mb=round(import_kb / 1024), floor_peak_mb=round(floor_kb / 1024),
                                bare_export_s=round(bare_s, 2), export_s=round(ours_s, 2),
                                export_vs_bare=round(ours_s / bare_s, 2)))
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
