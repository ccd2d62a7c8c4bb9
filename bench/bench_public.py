"""The public side at a province's scale (run on demand, not in CI):

    python bench/bench_public.py [--db URL] [--throughput] [--keep FILE] 10000 100000 1000000
    python bench/bench_public.py --tails-only 1000000   # segment the numbered tails once, ahead

The rows are written in bulk by the driver (executemany on SQLite, COPY on PostgreSQL), the search
words by the app's own segmentation (each phrase once, each numbered tail once per number, kept
in a file); a sample is checked against what the app itself writes (``check_sample``).

For each size: a fresh database (SQLite file, or the PostgreSQL database named by --db, whose
tables are dropped first) with the national data, a generated province of 150 units, and N
items spread over 150 units × 26 domains (the 2019 list).  Content is generated: the words come
from a small list of phrases of real catalogs, each item's text is unique (a number), a few
percent are written in Traditional characters.  Then:

  drafts      N draft items and no published one: the public listing and a unit's catalog
              page must answer at once (#18: the public reads only ``published_item``)
  api first   /api/v1/catalog_items?unit=U&domain=D (first page of 50), random U and D
  api deep    the same filter, from a cursor near its end; and the whole province from 90 %
  search      /search?q=… with one word and with two words
  regions     /regions (counts from published_count) and a unit's /catalog/changes (first page)
  admin       /admin/catalog_item/ for a region administrator of one unit
  throughput  (--throughput) ``zwgk serve --threads 4`` against a bare Flask app serving the
              same JSON from memory under the same server, side by side, with ApacheBench
              (apache2-utils) on 127.0.0.1

Each latency is measured in the process with Flask's test client (no network), 200 requests,
and reported as median and p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROVINCE = "基准省"
UNITS = 150
DOMAINS = 26
#: phrases of the kind real catalogs use (one-level items, content elements); the data is generated
LEVEL1 = ["招生入学", "学生资助", "教育督导", "最低生活保障", "特困人员救助", "医疗救助", "临时救助", "就业服务",
          "职业培训", "社会保险登记", "养老服务补贴", "征地补偿", "房屋征收", "保障性住房分配", "农村危房改造",
          "涉农补贴发放", "财政预算", "财政决算", "政府采购", "工程建设项目", "环境影响评价", "行政处罚", "户籍办理",
          "食品安全抽检", "公共文化活动", "法律援助", "安全生产检查", "城市管理执法", "市政设施维护", "医疗机构执业"]
CONTENT = ["招生范围、招生条件、招生程序、录取结果", "资助对象、资助标准、资助名单", "督导报告、整改情况",
           "保障对象、保障标准、审核结果", "救助条件、救助标准、办理流程", "岗位信息、培训项目、补贴标准",
           "补偿标准、安置方式、征收范围", "分配对象、分配房源、分配结果", "项目名称、资金规模、实施主体",
           "处罚依据、处罚结果、救济途径", "办理条件、办理材料、办理时限", "抽检计划、抽检结果、不合格产品处置"]
BASIS = ["《中华人民共和国政府信息公开条例》", "《中华人民共和国义务教育法》", "《社会救助暂行办法》",
         "《中华人民共和国土地管理法》", "《中华人民共和国预算法》", "《中华人民共和国行政处罚法》"]
LIMITS = ["自信息形成或者变更之日起20个工作日内", "每年7月底前", "3个工作日内", "按季度", "实时"]
CHANNELS = ["政府网站", "政府网站、公示栏", "政务新媒体、公开查阅点", "政府网站、便民服务站、入户告知"]


def _percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def timed(client, urls: list[str], expect: int = 200) -> dict[str, float]:
    for url in urls[:5]:  # warm the caches of the database and the app
        client.get(url)
    times = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == expect, (url, response.status_code, response.get_data(as_text=True)[:300])
    return {"median": statistics.median(times), "p95": _percentile(times, 0.95)}


# --------------------------------------------------------------------------
# Generating the database
# --------------------------------------------------------------------------


def fresh_database(url: str | None, workdir: Path) -> str:
    from sqlalchemy import create_engine, text

    if url is None:
        return f"sqlite:///{workdir / 'bench.sqlite'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def _setup(url: str) -> tuple[list, list]:
    """The national data and the generated province of 150 counties; returns (units, domains)."""
    from sqlalchemy import insert, select

    from zwgk import models as m
    from zwgk.db import Database
    from zwgk.plugin_manager import apply, get_plugin_manager

    db = Database(url)
    db.upgrade()
    apply(db, get_plugin_manager([]))
    with db.engine.begin() as conn:
        units = m.AdminUnit.__table__
        prov = conn.execute(insert(units).returning(units.c.id), [dict(
            name=PROVINCE, level="province", key=PROVINCE, origin="bench", version=1, is_pilot=False,
            position=0)]).scalar_one()
        conn.execute(insert(units), [dict(name=f"基准县{u:03d}", level="county", key=f"{PROVINCE}/基准县{u:03d}",
                                          parent_id=prov, origin="bench", version=1, is_pilot=False, position=u)
                                     for u in range(UNITS)])
        unit_rows = conn.execute(select(units.c.id, units.c.key).where(units.c.parent_id == prov)
                                 .order_by(units.c.position)).all()
        dom_rows = conn.execute(select(m.Domain.id, m.Domain.name, m.Domain.editions).order_by(m.Domain.position)).all()
        dom_rows = [d for d in dom_rows if 2019 in (d.editions or [])][:DOMAINS]
    db.dispose()
    return unit_rows, dom_rows


def snapshots(n: int, unit_rows: list, dom_rows: list, seed: int = 14):
    """(index, unit row, domain row, snapshot) of the N items, in id order: the snapshot has the
    keys and order of ``zwgk.catalog_history.snapshot`` (checked against it after the build)."""
    from opencc import OpenCC

    from zwgk.catalog_history import SNAPSHOT_FIELDS

    rnd = random.Random(seed)
    to_traditional = lru_cache(maxsize=None)(OpenCC("s2t").convert)
    stage_sets = [["result"], ["service"], ["decision", "result"], ["execution"]]
    for i in range(n):
        unit, dom = unit_rows[i % UNITS], dom_rows[(i // UNITS) % DOMAINS]
        level1 = LEVEL1[rnd.randrange(len(LEVEL1))]
        content = CONTENT[rnd.randrange(len(CONTENT))]
        if rnd.random() < 0.03:  # 3 % written in Traditional characters
            level1, content = to_traditional(level1), to_traditional(content)
        values = dict(unit=unit.key, domain=dom.name, seq=i // (UNITS * DOMAINS) + 1, category=None, level1=level1,
                      level2=f"{level1}事项{i}", level3=None, content=f"{content}（第{i}号）",
                      basis=BASIS[rnd.randrange(len(BASIS))], time_limit=LIMITS[rnd.randrange(len(LIMITS))],
                      subject=f"{unit.key.rsplit('/', 1)[1]}人民政府", department=None,
                      channels=CHANNELS[rnd.randrange(len(CHANNELS))].split("、"), duration=None, audience_public=True,
                      audience_specific=rnd.random() < 0.2, method_active=True, method_on_request=rnd.random() < 0.1,
                      levels=["county", "township"] if rnd.random() < 0.5 else ["county"],
                      stages=stage_sets[i % 4], status="draft", is_example=False)
        yield i, unit, dom, {f: values[f] for f in SNAPSHOT_FIELDS}


@lru_cache(maxsize=None)
def _terms(text: str) -> str:
    from zwgk.textsearch import index_terms

    return " ".join(index_terms(text))


_NUMBERED = re.compile(r"(?=（第\d+号）$|事项\d+$)")
#: the words of the numbered tails (事项{i}, （第{i}号）), segmented once by the app's function and
#: kept in a file, so the SQLite and the PostgreSQL runs (and later runs) share the work
TAILS_FILE = Path(tempfile.gettempdir()) / "zwgk-bench-tails.tsv"
_tails: list[tuple[str, str]] = []


def tail_words(n: int) -> list[tuple[str, str]]:
    """For i < n: (the words of 事项{i}, the words of （第{i}号）), by ``index_terms``."""
    from zwgk.textsearch import index_terms

    if not _tails and TAILS_FILE.exists():
        with TAILS_FILE.open(encoding="utf-8") as f:
            for line in f:
                a, b = line.rstrip("\n").split("\t")
                _tails.append((a, b))
    if len(_tails) < n:
        with TAILS_FILE.open("a", encoding="utf-8") as f:
            for i in range(len(_tails), n):
                pair = (" ".join(index_terms(f"事项{i}")), " ".join(index_terms(f"（第{i}号）")))
                _tails.append(pair)
                f.write(f"{pair[0]}\t{pair[1]}\n")
    return _tails


def search_body(record: dict, i: int | None = None) -> str:
    """The words ``zwgk.published`` indexes for a record (``index_text`` over SEARCH_FIELDS), made
    by the app's own segmentation, each distinct phrase segmented once: a field is its phrase plus
    a numbered tail (事项{i}, （第{i}号）) that jieba cuts apart anyway, whose words are segmented
    once per number (:func:`tail_words`).  Checked against ``index_text`` on a sample after the build."""
    from zwgk.published import SEARCH_FIELDS
    from zwgk.textsearch import index_terms

    parts = []
    for f in SEARCH_FIELDS:
        value = record.get(f)
        if not value:
            continue
        head = _NUMBERED.split(value, maxsplit=1)[0]
        parts.append(_terms(head))
        tail = value[len(head):]
        if tail:
            if i is not None and tail == f"事项{i}":
                parts.append(_tails[i][0])
            elif i is not None and tail == f"（第{i}号）":
                parts.append(_tails[i][1])
            else:
                parts.append(" ".join(index_terms(tail)))
    return " ".join(p for p in parts if p)


def _copy(raw, table: str, columns: list[str], rows) -> None:
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


ITEM_COLS = ["id", "unit_id", "domain_id", "seq", "level1", "level2", "content", "basis", "time_limit", "subject",
             "channels", "audience_public", "audience_specific", "method_active", "method_on_request", "levels",
             "stages", "status", "is_example", "created_at", "updated_at", "version"]
VERSION_COLS = ["item_id", "version", "unit_key", "status", "deleted", "snapshot", "actor", "at"]
PUBLISHED_COLS = ["item_id", "version", "unit_id", "unit_key", "domain_id", "seq", "stages", "published_at", "record"]


def build(url: str, n: int, seed: int = 14) -> dict:
    """N draft items (``catalog_item`` and their first version), written in bulk by the driver:
    executemany on SQLite, COPY on PostgreSQL, ids given in order."""
    from zwgk.db import Database, json_dumps

    unit_rows, dom_rows = _setup(url)
    db = Database(url)
    pg = db.engine.dialect.name == "postgresql"
    now = dt.datetime.now(dt.timezone.utc)
    stamp = now if pg else now.strftime("%Y-%m-%d %H:%M:%S.%f")
    t0 = time.perf_counter()
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM catalog_item")
        first_id = cur.fetchone()[0] + 1
        chunk = 50000
        gen = snapshots(n, unit_rows, dom_rows, seed)
        while True:
            part = [next(gen, None) for _ in range(chunk)]
            part = [p for p in part if p is not None]
            if not part:
                break
            items, versions = [], []
            for i, unit, dom, snap in part:
                k = first_id + i
                items.append((k, unit.id, dom.id, snap["seq"], snap["level1"], snap["level2"], snap["content"],
                              snap["basis"], snap["time_limit"], snap["subject"], json_dumps(snap["channels"]),
                              snap["audience_public"], snap["audience_specific"], snap["method_active"],
                              snap["method_on_request"], json_dumps(snap["levels"]), json_dumps(snap["stages"]),
                              "draft", False, stamp, stamp, 1))
                versions.append((k, 1, unit.key, "draft", False, json_dumps(snap), "bench", stamp))
            if pg:
                _copy(raw, "catalog_item", ITEM_COLS, items)
                _copy(raw, "catalog_item_version", VERSION_COLS, versions)
            else:
                cur.executemany(f"INSERT INTO catalog_item ({', '.join(ITEM_COLS)}) VALUES "
                                f"({', '.join('?' * len(ITEM_COLS))})", items)
                cur.executemany(f"INSERT INTO catalog_item_version ({', '.join(VERSION_COLS)}) VALUES "
                                f"({', '.join('?' * len(VERSION_COLS))})", versions)
        if pg:
            cur.execute("SELECT setval(pg_get_serial_sequence('catalog_item', 'id'), (SELECT MAX(id) FROM catalog_item))")
        raw.commit()
    finally:
        raw.close()
    _analyze(db)
    draft_seconds = time.perf_counter() - t0
    db.dispose()
    return {"first_id": first_id, "units": [u.key for u in unit_rows], "domains": [d.name for d in dom_rows],
            "unit_rows": unit_rows, "dom_rows": dom_rows, "draft_seconds": draft_seconds, "n": n, "seed": seed}


def _analyze(db) -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def publish_all(url: str, info: dict) -> float:
    """What publishing every item leaves in ``published_item`` (version 1 published) and its search
    index, written in bulk by the driver.  The search words are the app's (see ``search_body``);
    on PostgreSQL the vector is ``to_tsvector('simple', words)`` in ``published_search`` as
    ``zwgk.published`` writes it, computed by the server from a staging table; the GIN index is
    rebuilt after the load."""
    from zwgk.db import Database, json_dumps
    from zwgk.published import FTS_TABLE

    db = Database(url)
    pg = db.engine.dialect.name == "postgresql"
    t0 = time.perf_counter()
    now = dt.datetime.now(dt.timezone.utc)
    stamp = now if pg else now.strftime("%Y-%m-%d %H:%M:%S.%f")
    first_id = info["first_id"]
    tail_words(info["n"])
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        if pg:
            cur.execute("DROP INDEX IF EXISTS ix_published_search_vector")
            cur.execute("CREATE TEMPORARY TABLE bench_stage (item_id integer, version integer, unit_id integer, "
                        "unit_key varchar(400), domain_id integer, seq integer, stages varchar(100), "
                        "published_at timestamptz, record json, body text)")
        gen = snapshots(info["n"], info["unit_rows"], info["dom_rows"], info["seed"])
        while True:
            part = [next(gen, None) for _ in range(50000)]
            part = [p for p in part if p is not None]
            if not part:
                break
            rows, bodies = [], []
            for i, unit, dom, snap in part:
                k = first_id + i
                snap = dict(snap, status="published")
                record = {**snap, "id": k, "version": 1, "published_at": now.isoformat()}
                body = search_body(snap, i)
                stages = "," + "".join(x + "," for x in snap["stages"])
                rows.append((k, 1, unit.id, unit.key, dom.id, snap["seq"], stages, stamp, json_dumps(record))
                            + ((body,) if pg else ()))
                bodies.append((k, body))
            if pg:
                _copy(raw, "bench_stage", PUBLISHED_COLS + ["body"], rows)
            else:
                cur.executemany(f"INSERT INTO published_item ({', '.join(PUBLISHED_COLS)}) VALUES "
                                f"({', '.join('?' * len(PUBLISHED_COLS))})", rows)
                cur.executemany(f"INSERT INTO {FTS_TABLE}(rowid, body) VALUES (?, ?)", bodies)
        if pg:
            cols = ", ".join(PUBLISHED_COLS)
            cur.execute(f"INSERT INTO published_item ({cols}) SELECT {cols} FROM bench_stage ORDER BY item_id")
            cur.execute("INSERT INTO published_search (item_id, unit_id, domain_id, search_vector) "
                        "SELECT item_id, unit_id, domain_id, to_tsvector('simple'::regconfig, body) FROM bench_stage "
                        "ORDER BY item_id")
            cur.execute("DROP TABLE bench_stage")
            cur.execute("CREATE INDEX ix_published_search_vector ON published_search USING gin (search_vector)")
        cur.execute("DELETE FROM published_count")  # as zwgk.published.recount: the kept counts per unit and domain
        cur.execute("INSERT INTO published_count (unit_id, domain_id, n) "
                    "SELECT unit_id, domain_id, count(*) FROM published_item GROUP BY unit_id, domain_id")
        cur.execute("UPDATE published_state SET generation = generation + 1 WHERE id = 1")
        raw.commit()
    finally:
        raw.close()
    _analyze(db)
    seconds = time.perf_counter() - t0
    check_sample(db, info)
    db.dispose()
    return seconds


def check_sample(db, info: dict, k: int = 40) -> None:
    """The bulk rows are what the app would have written: for a sample of items, the stored
    snapshot is ``catalog_history.snapshot`` of the ORM item, and the indexed words are
    ``index_text`` of the published record (PostgreSQL: the same ``to_tsvector``)."""
    from sqlalchemy import select, text

    from zwgk import models as m
    from zwgk.catalog_history import snapshot
    from zwgk.published import FTS_TABLE, PublishedItem, _search_body

    rnd = random.Random(99)
    ids = [info["first_id"] + rnd.randrange(info["n"]) for _ in range(k)]
    pg = db.engine.dialect.name == "postgresql"
    with db.session() as session:
        for item_id in ids:
            item = session.get(m.CatalogItem, item_id)
            stored = session.scalar(select(m.CatalogItemVersion.snapshot).where(m.CatalogItemVersion.item_id == item_id))
            assert snapshot(item) == stored, (item_id, snapshot(item), stored)
            row = session.get(PublishedItem, item_id)
            words = _search_body(row.record)
            if pg:
                same = session.scalar(text("SELECT search_vector = to_tsvector('simple'::regconfig, :w) FROM "
                                           "published_search WHERE item_id = :i"), {"w": words, "i": item_id})
                assert same, item_id
            else:
                body = session.scalar(text(f"SELECT body FROM {FTS_TABLE} WHERE rowid = :i"), {"i": item_id})
                assert body == words, (item_id, body, words)


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------


def make_app(url: str):
    from zwgk.app import create_app

    return create_app({"DATABASE_URL": url, "PLUGINS": "none", "SECRET_KEY": "bench", "ZWGK_LOGIN_RATE": "10000/minute"})


def measure_drafts(url: str, info: dict) -> dict:
    app = make_app(url)
    client = app.test_client()
    rnd = random.Random(1)
    units = info["units"]
    out = {
        "drafts api": timed(client, ["/api/v1/catalog_items"] * 100),
        "drafts api unit": timed(client, [f"/api/v1/catalog_items?unit={quote(rnd.choice(units))}" for _ in range(100)]),
        "drafts page unit": timed(client, [f"/catalog?region={quote(rnd.choice(units))}" for _ in range(100)]),
    }
    app.extensions["zwgk.db"].dispose()
    return out


def measure_published(url: str, info: dict, n: int) -> dict:
    from zwgk.api import encode_cursor

    app = make_app(url)
    client = app.test_client()
    rnd = random.Random(2)
    units, domains, first = info["units"], info["domains"], info["first_id"]
    per_cell = max(1, n // (UNITS * DOMAINS))

    def cell_ids(u: int, d: int) -> list[int]:
        return [first + i for i in range(u + UNITS * d, n, UNITS * DOMAINS)]

    first_urls, deep_urls = [], []
    for _ in range(200):
        u, d = rnd.randrange(UNITS), rnd.randrange(DOMAINS)
        base = f"/api/v1/catalog_items?unit={quote(units[u])}&domain={quote(domains[d])}&limit=50"
        first_urls.append(base)
        ids = cell_ids(u, d)
        cursor = encode_cursor(ids[max(0, len(ids) - 60)] if ids else first)
        deep_urls.append(f"{base}&cursor={cursor}")
    region_deep = [f"/api/v1/catalog_items?region={quote(PROVINCE)}&limit=50&cursor="
                   f"{encode_cursor(first + int(n * rnd.uniform(0.85, 0.95)))}" for _ in range(200)]
    words = ["资助", "救助", "招生", "补偿", "处罚", "名单", "标准", "督导", "征收", "采购"]
    one = [f"/search?q={quote(rnd.choice(words))}" for _ in range(200)]
    two = [f"/search?q={quote(rnd.choice(words) + ' ' + rnd.choice(words))}" for _ in range(200)]
    out = {
        "api first page": timed(client, first_urls),
        "api deep page": timed(client, deep_urls),
        "api deep page (province)": timed(client, region_deep),
        "search one word": timed(client, one),
        "search two words": timed(client, two),
        "catalog page (unit, domain)": timed(client, [u.replace("/api/v1/catalog_items?unit=", "/catalog?region=")
                                                      for u in first_urls[:100]]),
        "per cell": per_cell,
        "regions page": timed(client, ["/regions"] * 50),
        "changes page (unit)": timed(client, [f"/catalog/changes?region={quote(rnd.choice(units))}"
                                              for _ in range(30)]),
    }
    # the admin's list of one unit, as that unit's region administrator sees it
    from zwgk import accounts

    with app.extensions["zwgk.db"].session() as session:
        try:
            accounts.create_user(session, "bench_admin", "bench-password-1", "region_admin", units[0])
        except accounts.AccountError:  # a kept database measured again
            pass
    admin = app.test_client()
    page = admin.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    login = admin.post("/login", data={"username": "bench_admin", "password": "bench-password-1",
                                       "csrf_token": token.group(1) if token else ""})
    assert login.status_code == 302, login.status_code
    out["admin list (one unit)"] = timed(admin, ["/admin/catalog_item/"] * 30)
    app.extensions["zwgk.db"].dispose()
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int) -> None:
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


BARE = """
import sys, urllib.request
from flask import Flask, Response
from waitress import serve
body = urllib.request.urlopen(sys.argv[1]).read()
app = Flask("bare")
@app.get("/items")
def items():
    return Response(body, mimetype="application/json")
serve(app, host="127.0.0.1", port=int(sys.argv[2]), threads=4, _quiet=True)
"""


def _ab(url: str, requests: int, concurrency: int) -> float:
    out = subprocess.run(["ab", "-q", "-k", "-n", str(requests), "-c", str(concurrency), url],
                         capture_output=True, text=True, check=True).stdout
    failed = int(re.search(r"Failed requests:\s+(\d+)", out).group(1))
    non2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    assert failed == 0 and not non2xx, out
    return float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1))


def measure_throughput(url: str, info: dict, requests: int = 3000, concurrency: int = 8) -> dict:
    env = dict(os.environ, ZWGK_DATABASE_URL=url, ZWGK_PLUGINS="none", ZWGK_SECRET_KEY="bench")
    zwgk_port, bare_port = _free_port(), _free_port()
    zwgk = subprocess.Popen([sys.executable, "-m", "zwgk", "serve", "--threads", "4", "--port", str(zwgk_port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bare = None
    try:
        _wait(zwgk_port)
        unit, domain = info["units"][7], info["domains"][3]
        path = f"/api/v1/catalog_items?unit={quote(unit)}&domain={quote(domain)}&limit=50"
        real = f"http://127.0.0.1:{zwgk_port}{path}"
        bare = subprocess.Popen([sys.executable, "-c", BARE, real, str(bare_port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(bare_port)
        rounds = []
        for _ in range(2):  # side by side, alternating
            rounds.append((_ab(real, requests, concurrency), _ab(f"http://127.0.0.1:{bare_port}/items", requests,
                                                                  concurrency)))
        zwgk_rps = statistics.mean(r[0] for r in rounds)
        bare_rps = statistics.mean(r[1] for r in rounds)
        return {"zwgk req/s": zwgk_rps, "bare req/s": bare_rps, "ratio": zwgk_rps / bare_rps, "rounds": rounds}
    finally:
        for proc in (zwgk, bare):
            if proc is not None:
                proc.terminate()
                proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--db", help="a PostgreSQL URL (its public schema is dropped!); default: SQLite file")
    parser.add_argument("--throughput", action="store_true")
    parser.add_argument("--keep", help="keep the SQLite file of the last size here (a path)")
    parser.add_argument("--tails-only", action="store_true", help="only segment the numbered tails of max(sizes) items")
    args = parser.parse_args()
    if args.tails_only:
        tail_words(max(args.sizes))
        return
    results = {}
    for n in args.sizes:
        workdir = Path(tempfile.mkdtemp(prefix="zwgk-bench-"))
        try:
            url = fresh_database(args.db, workdir)
            info = build(url, n)
            row = {"drafts written s": info["draft_seconds"]}
            row.update(measure_drafts(url, info))
            row["published written s"] = publish_all(url, info)
            row.update(measure_published(url, info, n))
            if args.throughput:
                row["throughput"] = measure_throughput(url, info)
            results[n] = row
            print(json.dumps({n: row}, ensure_ascii=False, indent=1), flush=True)
            if args.keep and url.startswith("sqlite"):
                shutil.move(str(workdir / "bench.sqlite"), args.keep)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
