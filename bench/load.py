"""Load: 50 concurrent clients for 60 s against ``zwgk serve`` on PostgreSQL, loopback only.

    python bench/load.py [--clients 50] [--seconds 60] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Creates a fresh database ``zwgk_bench`` (all plugins), accounts and five shared catalog items,
starts ``zwgk serve`` on 127.0.0.1, and runs a mix: public reads (60 %), admin edits of the same
five items (30 %: open the edit page, save), catalog imports (10 %: a small CSV).  Then checks:
no 5xx; every refused stale save was answered with the refusal text; no lost or duplicated write
(each item's version and history rows match the saves that succeeded; the item count matches the
imports that succeeded).  Prints latency percentiles per kind of request (Markdown, for
docs/benchmarks.md).  Not a test: run on demand.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DX = "湖南省/永州市/道县"
PASSWORD = "bench-password-42"
ZWGK = str(Path(sys.executable).parent / "zwgk")


class Form(HTMLParser):
    def __init__(self):
        super().__init__()
        self.data, self.on, self.sel, self.area = {}, False, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "admin-form" in (a.get("class") or ""):
            self.on = True
        if not self.on:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind == "checkbox":
                if "checked" in a:
                    self.data[a["name"]] = a.get("value") or "y"
            elif kind not in ("submit", "button", "file"):
                self.data[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self.sel = a.get("name")
        elif tag == "option" and self.sel and "selected" in a:
            self.data[self.sel] = a.get("value") or ""
        elif tag == "textarea":
            self.area = a.get("name")
            self.data[self.area] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.on = False
        elif tag == "select":
            self.sel = None
        elif tag == "textarea":
            self.area = None

    def handle_data(self, data):
        if self.area:
            if not self.data[self.area]:
                data = data.lstrip("\r\n")
            self.data[self.area] += data


class Client:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect())

    def request(self, path, data=None, headers=None):
        body = None
        if isinstance(data, dict):
            body = urllib.parse.urlencode(data, doseq=True).encode()
        elif data is not None:
            body = data
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        start = time.perf_counter()
        try:
            with self.opener.open(req, timeout=120) as resp:
                status, text = resp.status, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode("utf-8", "replace")
        return status, text, time.perf_counter() - start

    def token(self, path):
        _, text, _ = self.request(path)
        found = re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', text)
        return found[-1] if found else ""

    def login(self, user):
        token = self.token("/login")
        status, _, _ = self.request("/login", {"username": user, "password": PASSWORD, "csrf_token": token})
        assert status == 302, f"login {user}: {status}"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return urllib.response.addinfourl(fp, headers, req.full_url, code)


def multipart(fields, file_field, filename, content):
    boundary = uuid.uuid4().hex
    parts = []
    for k, v in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
                 f"Content-Type: text/csv\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


CSV = ("序号,一级事项,二级事项,公开内容,公开依据,公开时限,公开主体,公开渠道和载体,全社会,主动,县级,领域\r\n"
       "1,{n}招生,招生政策,招生范围,《中华人民共和国义务教育法》,每年7月底前,县教育局,政府网站,√,√,√,义务教育\r\n"
       "2,{n}资助,资助政策,资助标准,《学生资助资金管理办法》,20个工作日内,县教育局,政府网站,√,√,√,义务教育\r\n"
       "3,{n}入学,入学结果,入学名单,《中华人民共和国义务教育法》,每年8月底前,县教育局,政府网站,√,√,√,义务教育\r\n")


def run(args):
    import psycopg
    from sqlalchemy import create_engine, func, select, text
    from sqlalchemy.engine import make_url

    admin_url = make_url(args.pg)
    name = "zwgk_bench"
    with psycopg.connect(admin_url.set(drivername="postgresql").render_as_string(hide_password=False),
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    instance = Path(tempfile.mkdtemp(prefix="zwgk-bench-"))
    env = {**os.environ, "ZWGK_DATABASE_URL": url, "ZWGK_INSTANCE_PATH": str(instance),
           "ZWGK_LOGIN_RATE": "100000 per minute", "ZWGK_SECRET_KEY": uuid.uuid4().hex}
    sh = lambda *a, **kw: subprocess.run([ZWGK, *a], env=env, check=True, capture_output=True, text=True, **kw)  # noqa
    t0 = time.time()
    sh("init")
    for i in range(args.editors):
        sh("users", "create", f"editor{i}", "--role", "region_admin", "--unit", DX, input=f"{PASSWORD}\n{PASSWORD}\n")
    for n in ("共享", "共享二"):
        seed = instance / f"seed-{n}.csv"
        seed.write_text(CSV.format(n=n), encoding="utf-8")
        sh("import", "catalog", str(seed), "--unit", DX)
    print(f"setup {time.time() - t0:.0f} s", file=sys.stderr)

    engine = create_engine(url)
    from zwgk import models as m

    with engine.connect() as conn:
        shared = conn.execute(select(m.CatalogItem.id, m.CatalogItem.version).order_by(m.CatalogItem.id)
                              .limit(5)).all()
        items_before = conn.scalar(select(func.count()).select_from(m.CatalogItem))
        change_mark = conn.scalar(select(func.max(m.Change.id))) or 0
    versions_before = dict(shared)
    ids = list(versions_before)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([ZWGK, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)

    lat = defaultdict(list)
    counts = defaultdict(int)
    saved = defaultdict(int)
    errors = []
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds

    def note(kind, status, took, text=""):
        with lock:
            lat[kind].append(took)
            counts[(kind, status)] += 1
            if status >= 500:
                errors.append((kind, status, text[:300]))

    def worker(n):
        client = Client(base)
        user = f"editor{n % args.editors}"
        client.login(user)
        rnd = random.Random(n)
        while time.monotonic() < deadline:
            r = rnd.random()
            if r < 0.6:
                path = rnd.choice(["/", f"/catalog?region={urllib.parse.quote(DX)}", "/api/v1/domains",
                                   f"/api/v1/catalog_items?region={urllib.parse.quote(DX)}"])
                status, text, took = client.request(path)
                note("public read", status, took, text)
            elif r < 0.9:
                item = rnd.choice(ids)
                status, text, took = client.request(f"/admin/catalog_item/edit/?id={item}")
                note("admin edit page", status, took, text)
                form = Form()
                form.feed(text)
                data = {**form.data, "content": f"{user} {time.time()}", "change_reason": "load"}
                status, text, took = client.request(f"/admin/catalog_item/edit/?id={item}", data)
                if status == 302:
                    note("admin save", status, took)
                    with lock:
                        saved[item] += 1
                elif status == 200 and ("未保存" in text or "已被他人修改" in text):
                    note("admin save refused (stale)", status, took)
                else:
                    note("admin save", status, took, text)
            else:
                token = client.token("/admin/catalog_import/")
                body, ctype = multipart({"unit": DX, "domain": "", "csrf_token": token}, "file", "load.csv",
                                        CSV.format(n=f"{n}-{rnd.random():.6f}").encode())
                status, text, took = client.request("/admin/catalog_import/", body, {"Content-Type": ctype})
                ok = status == 200 and "已导入 3" in text
                note("import (3 rows)", status, took, text)
                if ok:
                    with lock:
                        counts["imports ok"] += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    server.terminate()
    server.wait(timeout=30)

    with engine.connect() as conn:
        after = dict(conn.execute(select(m.CatalogItem.id, m.CatalogItem.version).where(m.CatalogItem.id.in_(ids))).all())
        history = dict(conn.execute(select(m.Change.entity_id, func.count()).where(
            m.Change.id > change_mark, m.Change.entity == "catalog_item", m.Change.action == "update",
            m.Change.entity_id.in_(ids)).group_by(m.Change.entity_id)).all())
        items_after = conn.scalar(select(func.count()).select_from(m.CatalogItem))
        versions = dict(conn.execute(select(m.CatalogItemVersion.item_id, func.count()).where(
            m.CatalogItemVersion.item_id.in_(ids)).group_by(m.CatalogItemVersion.item_id)).all())
    engine.dispose()

    problems = []
    for item in ids:
        if after[item] - versions_before[item] != saved[item]:
            problems.append(f"item {item}: version {versions_before[item]} → {after[item]}, saves {saved[item]}")
        if history.get(item, 0) != saved[item]:
            problems.append(f"item {item}: {history.get(item, 0)} history rows, saves {saved[item]}")
        if versions.get(item, 0) != after[item]:
            problems.append(f"item {item}: {versions.get(item, 0)} stored versions, version {after[item]}")
    if items_after - items_before != 3 * counts["imports ok"]:
        problems.append(f"items {items_before} → {items_after}, imports ok {counts['imports ok']}")

    total = sum(len(v) for v in lat.values())
    print(f"\n{args.clients} clients, {elapsed:.0f} s, {total} requests ({total / elapsed:.0f}/s), "
          f"PostgreSQL, zwgk serve (waitress, 8 threads), loopback\n")
    print("| request | count | p50 ms | p90 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind, values in sorted(lat.items()):
        values = sorted(values)
        q = lambda p: values[min(len(values) - 1, int(p * len(values)))] * 1000  # noqa: E731
        print(f"| {kind} | {len(values)} | {q(0.5):.0f} | {q(0.9):.0f} | {q(0.99):.0f} | {values[-1] * 1000:.0f} |")
    print()
    print("status counts:", {f"{k[0]} {k[1]}" if isinstance(k, tuple) else k: v for k, v in sorted(
        counts.items(), key=str)})
    print(f"5xx: {len(errors)}; saves {sum(saved.values())}; refused stale saves "
          f"{sum(v for k, v in counts.items() if isinstance(k, tuple) and k[0].startswith('admin save refused'))}; "
          f"imports {counts['imports ok']}")
    print("consistency:", "OK (versions, history rows and item counts match the successful writes)"
          if not problems else problems)
    for e in errors[:5]:
        print("ERROR", e)
    return 1 if errors or problems else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--editors", type=int, default=10)
    parser.add_argument("--pg", default=os.environ.get("ZWGK_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    sys.exit(run(parser.parse_args()))
