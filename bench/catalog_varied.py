"""A catalog whose rows vary the way real ones do, and the commands timed against each other (issue #18).

    python bench/catalog_varied.py generate OUT.xlsx ROWS [--refused] [--uniform]   # also .csv .xls .docx .json
    python bench/catalog_varied.py generate OUT.csv ROWS --utf8   # UTF-8 with a BOM (default: GB18030)
    python bench/catalog_varied.py template DB                 # a migrated database with 道县 applied
    python bench/catalog_varied.py floor FILE DB [--as-is]     # read (.xlsx/.xls calamine, .csv csv, .json orjson)
                                                               # + one executemany (PostgreSQL: one COPY)
    python bench/catalog_varied.py import FILE DB              # `zwgk import catalog`, the console script's entry
                                                               # called in this process (for profiling)
    python bench/catalog_varied.py import-library FILE DB      # the library call alone (no console script)
    python bench/catalog_varied.py fresh DB RUN                # RUN: an empty catalog to time against
    python bench/catalog_varied.py command FILE RUN            # the `zwgk import catalog …` line users type

DB is a SQLite file, or a PostgreSQL URL (postgresql+psycopg://…/db — a database of its own: its
catalog is emptied before every run).  On SQLite `floor` and `import` copy DB to a fresh file
first (both pay the same copy), so each run starts from the same empty catalog.  Each pair is
timed as whole processes, in turn (A B A B …), with `bench/pairs.py`, and the ratio taken
pair by pair.  `bench/import_matrix.py` times the console script itself (`.venv/bin/zwgk import
catalog …`, what `command` prints) against `floor --as-is`, each after `fresh` (not timed): neither
side pays a copy, and the import pays no second interpreter.

How the rows vary (nothing repeats row after row, so no cache does the work for it):
- 公开内容 is unique on every row; 二级事项 too;
- 公开时限 is one of the phrasings the documents use (DESIGN.md: 自信息形成或者变更之日起20个工作日内,
  3个工作日内, 24小时内, 每年7月底前, 按月, 按季度, 不少于10天);
- 公开主体 is one of 150 subjects (the 道县 plan's departments, 004, with their offices);
- 公开渠道和载体 are ■/□ boxes over five channels, at least one ticked;
- the marks are √ ✓ ● ☑ ■ chosen per row, and which boxes are ticked varies;
- about 3 % of rows are in Traditional characters with full-width digits;
- 一级事项 is vertically merged over groups of 1–6 rows; about 8 % of 公开依据 / 公开主体 cells say 同上;
- `--refused`: about 2 % of rows lack 公开依据 or carry an impossible date (the refused path);
- `--uniform`: the old best case, one row repeated (kept only as a labelled best case).
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNIT = "湖南省/永州市/道县"
DOMAIN = "义务教育"
TIME_LIMITS = ["自信息形成或者变更之日起20个工作日内", "3个工作日内", "24小时内", "每年7月底前", "按月", "按季度", "不少于10天"]
# the departments named in 道县's plan (004, 附件), each with its offices: 150 subjects
DEPTS = ["县发改局", "县教育局", "县税务局", "生态环境道县分局", "县民政局", "县自然资源局", "县财政局", "县卫健局",
         "县人力资源和社会保障局", "县应急管理局", "县住建局", "县文体广旅局", "县文物局", "县市场监管局", "县公安局",
         "县农业农村局", "县司法局"]
OFFICES = ["", "办公室", "政策法规股", "行政审批股", "综合股", "财务股", "监督股", "业务股", "信息中心"]
SUBJECTS = [d + o for d in DEPTS for o in OFFICES][:150]
CHANNELS = ["政府网站", "政务新媒体", "公开栏", "新闻发布会", "广播电视"]
LEVEL1 = ["招生入学", "学生资助", "教师管理", "校园安全", "教育收费", "督导评估", "课后服务", "营养改善"]
TICKS = ["√", "✓", "●", "☑", "■"]
TRAD = str.maketrans({"县": "縣", "学": "學", "资": "資", "务": "務", "内": "內", "员": "員", "费": "費",
                      "单": "單", "业": "業", "门": "門", "网": "網", "开": "開", "栏": "欄", "发": "發"})
FULL = str.maketrans("0123456789", "０１２３４５６７８９")
TOP = ["序号", "公开事项", None, "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "公开对象", None,
       "公开方式", None, "公开层级", None]
SUB = [None, "一级事项", "二级事项", None, None, None, None, None, "全社会", "特定群体", "主动", "依申请", "县级", "乡级"]
MERGES = ("A2:A3", "B2:C2", "D2:D3", "E2:E3", "F2:F3", "G2:G3", "H2:H3", "I2:J2", "K2:L2", "M2:N2")


def rows(n: int, refused: bool = False, uniform: bool = False, seed: int = 12):
    """(cells, merged_with_above) per row; the first row of each 一级事项 group has the name."""
    rnd = random.Random(seed)
    if uniform:
        row = ["", "招生入学", "", "招生范围、招生条件、招生程序", "《中华人民共和国义务教育法》", "每年7月底前", "县教育局",
               "政府网站、公示栏", "√", "", "√", "", "√", ""]
        for i in range(1, n + 1):
            out = list(row)
            out[0], out[2] = str(i), f"招生政策{i}"
            yield out, False
        return
    group_left = 0
    prev_basis = prev_subject = None
    for i in range(1, n + 1):
        first = group_left == 0
        if first:
            group_left = rnd.randint(1, 6)
            level1 = rnd.choice(LEVEL1)
        group_left -= 1
        basis = rnd.choice(["《中华人民共和国义务教育法》", "《学生资助资金管理办法》", "《中华人民共和国政府信息公开条例》",
                            "《校车安全管理条例》", "《教育督导条例》"])
        subject = rnd.choice(SUBJECTS)
        content = f"{rnd.choice(['实施方案', '办理结果', '申请条件', '工作程序', '名单公示'])}（第{i}项，{rnd.randint(1, 10**6)}）"
        time_limit = rnd.choice(TIME_LIMITS)
        chosen = rnd.sample(CHANNELS, rnd.randint(1, 3))
        boxes = " ".join(("■" if c in chosen else "□") + c for c in CHANNELS)
        tick = rnd.choice(TICKS)
        aud = rnd.choice([(1, 0), (0, 1), (1, 1)])
        meth = rnd.choice([(1, 0), (1, 1), (0, 1)])
        lev = rnd.choice([(1, 0), (0, 1), (1, 1)])
        basis_cell = "同上" if prev_basis == basis and rnd.random() < 0.5 else basis
        if rnd.random() < 0.08 and prev_basis is not None:
            basis_cell, basis = "同上", prev_basis
        subject_cell = subject
        if rnd.random() < 0.08 and prev_subject is not None:
            subject_cell, subject = "同上", prev_subject
        prev_basis, prev_subject = basis, subject
        cells = [str(i), level1 if first else "", f"二级事项{i}", content, basis_cell, time_limit, subject_cell, boxes,
                 *(tick if x else "" for x in aud), *(tick if x else "" for x in meth), *(tick if x else "" for x in lev)]
        if rnd.random() < 0.03:  # Traditional characters and full-width digits
            cells = [c.translate(TRAD).translate(FULL) if c not in ("同上",) else c for c in cells]
        if refused and rnd.random() < 0.02:
            if rnd.random() < 0.5:
                cells[4] = ""
            else:
                cells[5] = "每年2月30日前"
        yield cells, not first


def records(n: int, refused: bool = False, uniform: bool = False):
    """The same rows as item records (what `export-catalog -o x.json` writes and the importer reads):
    continuations and 同上 resolved, the ticked channels as a list, the tiers as codes."""
    level1 = basis = subject = None
    for cells, _ in rows(n, refused, uniform):
        level1 = cells[1] or level1
        basis = basis if cells[4] == "同上" else cells[4]
        subject = subject if cells[6] == "同上" else cells[6]
        boxes = cells[7].split(" ") if "■" in cells[7] else [cells[7]]
        chosen = [b[1:] for b in boxes if b.startswith("■")] if "■" in cells[7] else cells[7].split("、")
        yield {"level1": level1, "level2": cells[2], "content": cells[3], "basis": basis or None,
               "time_limit": cells[5], "subject": subject, "channels": chosen,
               "audience_public": bool(cells[8]), "audience_specific": bool(cells[9]),
               "method_active": bool(cells[10]), "method_on_request": bool(cells[11]),
               "levels": [t for t, c in (("county", cells[12]), ("township", cells[13])) if c]}


def generate(path: Path, n: int, refused: bool = False, uniform: bool = False, utf8: bool = False) -> None:
    title = "道县义务教育领域基层政务公开标准目录"
    suffix = path.suffix.lower()
    data = rows(n, refused, uniform)
    if suffix == ".xlsx":
        from openpyxl import Workbook

        from openpyxl.worksheet.cell_range import CellRange, MultiCellRange

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("义务教育")
        merges = list(MERGES)  # collected, then set once: MultiCellRange.add is linear in its size
        ws.append([title])
        ws.append(TOP)
        ws.append(SUB)
        start = None
        for r, (cells, continued) in enumerate(data, 4):
            if not continued:
                if start is not None and r - 1 > start:
                    merges.append(f"B{start}:B{r - 1}")
                start = r
            ws.append(cells)
        ws.merged_cells = MultiCellRange([CellRange(m) for m in merges])
        wb.save(path)
    elif suffix == ".csv":
        import csv

        # GB18030 as Excel on a Chinese Windows saves it; --utf8: UTF-8 with a BOM, as the export writes
        with path.open("w", encoding="utf-8-sig" if utf8 else "gb18030", newline="") as f:
            w = csv.writer(f)
            w.writerow([title])
            w.writerow([c or "" for c in TOP])
            w.writerow([c or "" for c in SUB])
            w.writerows(cells for cells, _ in data)
    elif suffix == ".json":
        import orjson

        path.write_bytes(orjson.dumps(list(records(n, refused, uniform))))
    elif suffix == ".xls":
        import xlwt

        wb = xlwt.Workbook(encoding="utf-8")
        ws = wb.add_sheet("义务教育")
        ws.write(0, 0, title)
        for c, t in enumerate(TOP):
            if t:
                ws.write(1, c, t)
        for c, t in enumerate(SUB):
            if t:
                ws.write(2, c, t)
        for r, (cells, _) in enumerate(data, 3):
            for c, v in enumerate(cells):
                if v:
                    ws.write(r, c, v)
        wb.save(str(path))
    elif suffix == ".docx":
        import docx

        doc = docx.Document()
        doc.add_paragraph(title)
        table = doc.add_table(rows=0, cols=len(TOP))
        for header in (TOP, SUB):
            cells = table.add_row().cells
            for c, t in enumerate(header):
                cells[c].text = t or ""
        for cells_in, _ in data:
            cells = table.add_row().cells
            for c, v in enumerate(cells_in):
                if v:
                    cells[c].text = v
        doc.save(path)
    else:
        raise SystemExit(f"unknown format {suffix}")


def _url(db: str) -> str:
    return db if "://" in db else f"sqlite:///{db}"


def template(db: str) -> None:
    from zwgk.db import Database
    from zwgk.plugin_manager import apply, get_plugin_manager

    database = Database(_url(db))
    database.upgrade()
    apply(database, get_plugin_manager(["daoxian"]))
    database.dispose()


def _fresh(db: str) -> str:
    """A SQLite template copied to a fresh file; a PostgreSQL database with its catalog emptied."""
    if "://" in db:
        import psycopg

        with psycopg.connect(_pg_dsn(db)) as conn:
            conn.execute("TRUNCATE catalog_item, catalog_item_version RESTART IDENTITY CASCADE")
            conn.execute("DELETE FROM change WHERE entity = 'catalog_item'")
        return db
    import atexit

    tmp = Path(tempfile.mkdtemp(prefix="zwgk-bench-"))
    atexit.register(shutil.rmtree, tmp, True)
    shutil.copy(db, tmp / "db.sqlite")
    return f"sqlite:///{tmp / 'db.sqlite'}"


def _pg_dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _read_floor(path: str) -> list[tuple]:
    """The cells of every data row, read the cheapest way for the format."""
    suffix = Path(path).suffix.lower()
    if suffix in (".xlsx", ".xls"):
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(path)
        data = wb.get_sheet_by_name(wb.sheet_names[0]).to_python()[3:]
    elif suffix == ".csv":
        import csv

        raw = Path(path).read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
        data = list(csv.reader(text.splitlines()))[3:]
    elif suffix == ".json":
        import orjson

        return [(r["level1"], r["level2"], r["content"], r["basis"], r["time_limit"], r["subject"],
                 orjson.dumps(r["channels"]).decode(), r["audience_public"], r["audience_specific"],
                 r["method_active"], r["method_on_request"], orjson.dumps(r["levels"]).decode())
                for r in orjson.loads(Path(path).read_bytes())]
    else:
        raise SystemExit(f"no floor for {suffix}")
    return [(r[1] or "-", r[2], r[3], r[4], r[5], r[6], '["' + str(r[7])[:20] + '"]', bool(r[8]), bool(r[9]),
             bool(r[10]), bool(r[11]), '["county"]') for r in data]


COLUMNS = ("unit_id, domain_id, level1, level2, content, basis, time_limit, subject, channels, audience_public,"
           " audience_specific, method_active, method_on_request, levels, stages, status, is_example, version,"
           " source_file")


def fresh(db: str, run: str) -> None:
    """``run``: the template ``db`` copied (SQLite), or ``db`` itself with its catalog emptied
    (PostgreSQL, where ``run`` must be ``db``) — what each timed run starts from."""
    if "://" in db:
        if run != db:
            raise SystemExit("PostgreSQL: RUN is the database itself")
        _fresh(db)
        return
    for leftover in (Path(run + "-wal"), Path(run + "-shm")):  # a WAL of an earlier run must not replay into the copy
        leftover.unlink(missing_ok=True)
    shutil.copy(db, run)


def command(path: str, run: str) -> list[str]:
    """``zwgk import catalog FILE --unit 道县 --domain 义务教育`` as users type it (the console script
    beside this Python), with the environment it needs: ``ZWGK_DATABASE_URL`` and ``ZWGK_PLUGINS``."""
    script = Path(sys.executable).with_name("zwgk")
    return [str(script), "import", "catalog", path, "--unit", "道县", "--domain", DOMAIN]


def command_env(run: str) -> dict[str, str]:
    return {"ZWGK_DATABASE_URL": _url(run), "ZWGK_PLUGINS": "daoxian"}


def floor(path: str, db: str, as_is: bool = False) -> None:
    """The least any importer must do: read the cells, one executemany (SQLite) or one COPY
    (PostgreSQL) of the rows.  ``as_is``: into ``db`` as it is (prepared by :func:`fresh`)."""
    url = _url(db) if as_is else _fresh(db)
    data = _read_floor(path)
    if url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        unit = conn.execute("select id from admin_unit where key = ?", (UNIT,)).fetchone()[0]
        dom = conn.execute("select id from domain where name = ?", (DOMAIN,)).fetchone()[0]
        conn.executemany(f"insert into catalog_item ({COLUMNS}) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,'[]','draft',0,1,?)",
                         [(unit, dom, *r, "bench") for r in data])
        conn.commit()
        return
    import psycopg

    with psycopg.connect(_pg_dsn(url)) as conn:
        unit = conn.execute("select id from admin_unit where key = %s", (UNIT,)).fetchone()[0]
        dom = conn.execute("select id from domain where name = %s", (DOMAIN,)).fetchone()[0]
        with conn.cursor().copy(f"COPY catalog_item ({COLUMNS}) FROM STDIN") as copy:
            for r in data:
                copy.write_row((unit, dom, *r, "[]", "draft", False, 1, "bench"))


def _limits_from_env() -> None:
    """ZWGK_IMPORT_MAX_ROWS / _FILE_SIZE / _UNZIPPED as the app would read them (this runs without
    an app, where the importer takes its defaults): for files of 1,000,000 rows."""
    import os

    from zwgk import catalog_readers
    from zwgk.settings import _bytes, _count

    for env, name, parse in (("ZWGK_IMPORT_MAX_ROWS", "MAX_ROWS", _count),
                             ("ZWGK_IMPORT_MAX_FILE_SIZE", "MAX_FILE_BYTES", _bytes),
                             ("ZWGK_IMPORT_MAX_UNZIPPED", "MAX_UNZIPPED_BYTES", _bytes)):
        if os.environ.get(env):
            setattr(catalog_readers, name, parse(os.environ[env]))


def do_import(path: str, db: str, expect_ok: bool = True) -> None:
    """``zwgk import catalog FILE --unit 道县 --domain 义务教育``: the console script's entry
    (``zwgk.console.main``, in this process), as users run it — settings from the environment
    (``ZWGK_PLUGINS`` defaults to the template's daoxian here), its output on stdout and stderr."""
    import os

    os.environ["ZWGK_DATABASE_URL"] = _fresh(db)
    os.environ.setdefault("ZWGK_PLUGINS", "daoxian")
    from zwgk.console import main as console

    t = time.perf_counter()
    try:
        code = console(["import", "catalog", path, "--unit", "道县", "--domain", DOMAIN])
    except SystemExit as exc:  # the command's failure (problems found), or the full command's end
        code = exc.code
    print(f"exit {code} in {time.perf_counter() - t:.2f} s", file=sys.stderr)
    if (code in (0, None)) != expect_ok:
        raise SystemExit(f"exit code {code}, expected {'success' if expect_ok else 'failure'}")


def do_import_library(path: str, db: str, expect_ok: bool = True) -> None:
    """The library call alone (``zwgk.catalog_io.import_catalog`` in a session): no console script,
    no settings read, no output — not what users run; kept to tell the two costs apart."""
    from zwgk.catalog_io import import_catalog
    from zwgk.db import Database
    from zwgk.plugin_manager import get_plugin_manager

    _limits_from_env()

    database = Database(_fresh(db))
    t = time.perf_counter()
    with database.session(actor="bench") as session:
        result = import_catalog(session, get_plugin_manager(["daoxian"]), Path(path), UNIT, DOMAIN)
        if not result.ok:
            session.rollback()
    if expect_ok and not result.ok:
        raise SystemExit("\n".join(str(p) for p in result.problems[:5]))
    print(f"rows {result.rows} written {result.written} problems {len(result.problems)} "
          f"in {time.perf_counter() - t:.2f} s", file=sys.stderr)


def main(argv: list[str]) -> None:
    cmd, *args = argv
    if cmd == "generate":
        generate(Path(args[0]), int(args[1]), "--refused" in args, "--uniform" in args, "--utf8" in args)
    elif cmd == "template":
        template(args[0])
    elif cmd == "floor":
        floor(args[0], args[1], "--as-is" in args)
    elif cmd == "fresh":
        fresh(args[0], args[1])
    elif cmd == "command":
        import shlex

        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in command_env(args[1]).items())
        print(env, shlex.join(command(args[0], args[1])))
    elif cmd == "import":
        do_import(args[0], args[1], "--refused" not in args)
    elif cmd == "import-library":
        do_import_library(args[0], args[1], "--refused" not in args)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
