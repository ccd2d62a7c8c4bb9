"""Measure the public side again on a database ``bench_public.py`` built and kept (run on demand):

    python bench/bench_public_kept.py URL          # everything measure_published measures
    python bench/bench_public_kept.py --quick URL  # search, /regions, the change list, a unit's catalog page
    python bench/bench_public_kept.py --goals URL  # the API first/deep page (unit+domain) and search only
    python bench/bench_public_kept.py --scan-pairs URL  # PostgreSQL search: GIN windows only vs newest rows first

URL: the SQLite file kept with ``bench_public.py --keep FILE`` (``sqlite:///FILE``) or the
PostgreSQL database of its last size.  The database is migrated to head first; the index of
migration 0022 on ``catalog_item_version (unit_key, item_id)`` is created if the database
reached 0022 before that index was part of it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_public as b  # noqa: E402


def info_of(url: str) -> tuple[dict, int]:
    import orjson
    from sqlalchemy import text

    from zwgk.db import Database

    db = Database(url)
    db.upgrade()
    with db.engine.begin() as c:
        c.execute(text("CREATE INDEX IF NOT EXISTS ix_catalog_item_version_unit_item "
                       "ON catalog_item_version (unit_key, item_id)"))
        units = [r[0] for r in c.execute(text("SELECT key FROM admin_unit WHERE key LIKE :p ORDER BY position"),
                                         {"p": b.PROVINCE + "/%"})]
        first = c.execute(text("SELECT min(item_id) FROM published_item")).scalar()
        n = c.execute(text("SELECT count(*) FROM published_item")).scalar()
        doms = c.execute(text("SELECT name, editions FROM domain ORDER BY position")).all()
    db.dispose()
    domains = [d for d, e in doms if 2019 in (orjson.loads(e) if isinstance(e, str) else (e or []))][:b.DOMAINS]
    return {"units": units, "domains": domains, "first_id": first}, n


def quick(url: str, info: dict) -> dict:
    client = b.make_app(url).test_client()
    rnd = random.Random(2)
    words = ["资助", "救助", "招生", "补偿", "处罚", "名单", "标准", "督导", "征收", "采购"]
    units = info["units"]
    return {
        "search one word": b.timed(client, [f"/search?q={quote(rnd.choice(words))}" for _ in range(200)]),
        "search two words": b.timed(client, [f"/search?q={quote(rnd.choice(words) + ' ' + rnd.choice(words))}"
                                             for _ in range(200)]),
        "regions page": b.timed(client, ["/regions"] * 50),
        "changes page (unit)": b.timed(client, [f"/catalog/changes?region={quote(rnd.choice(units))}"
                                                for _ in range(30)]),
        "catalog page unit": b.timed(client, [f"/catalog?region={quote(rnd.choice(units))}" for _ in range(50)]),
    }


def goals(url: str, info: dict, n: int) -> dict:
    """The measures with a p95 goal still open on PostgreSQL, with the same seeded URLs as
    ``measure_published``: the API first and deep page (unit+domain) and search (one, two words)."""
    from zwgk.api import encode_cursor

    client = b.make_app(url).test_client()
    rnd = random.Random(2)
    units, domains, first = info["units"], info["domains"], info["first_id"]
    first_urls, deep_urls = [], []
    for _ in range(200):
        u, d = rnd.randrange(b.UNITS), rnd.randrange(b.DOMAINS)
        base = f"/api/v1/catalog_items?unit={quote(units[u])}&domain={quote(domains[d])}&limit=50"
        first_urls.append(base)
        ids = [first + i for i in range(u + b.UNITS * d, n, b.UNITS * b.DOMAINS)]
        deep_urls.append(f"{base}&cursor={encode_cursor(ids[max(0, len(ids) - 60)] if ids else first)}")
    for _ in range(200):  # the province's deep pages draw here in measure_published: keep the words the same
        rnd.uniform(0.85, 0.95)
    words = ["资助", "救助", "招生", "补偿", "处罚", "名单", "标准", "督导", "征收", "采购"]
    one = [f"/search?q={quote(rnd.choice(words))}" for _ in range(200)]
    two = [f"/search?q={quote(rnd.choice(words) + ' ' + rnd.choice(words))}" for _ in range(200)]
    return {"api first page": b.timed(client, first_urls), "api deep page": b.timed(client, deep_urls),
            "search one word": b.timed(client, one), "search two words": b.timed(client, two)}


def scan_pairs(url: str, rounds: int = 2) -> list:
    """PostgreSQL's search two ways in the same process, alternating: ``NEWEST_SCAN`` = 0 (GIN
    windows only) and its committed value (the newest rows read in id order first); same URLs."""
    from zwgk import published

    client = b.make_app(url).test_client()
    rnd = random.Random(2)
    words = ["资助", "救助", "招生", "补偿", "处罚", "名单", "标准", "督导", "征收", "采购"]
    one = [f"/search?q={quote(rnd.choice(words))}" for _ in range(200)]
    two = [f"/search?q={quote(rnd.choice(words) + ' ' + rnd.choice(words))}" for _ in range(200)]
    kept, out = published.NEWEST_SCAN, []
    try:
        for r in range(rounds):
            for scan in (0, kept):
                published.NEWEST_SCAN = scan
                out.append({"round": r + 1, "NEWEST_SCAN": scan, "search one word": b.timed(client, one),
                            "search two words": b.timed(client, two)})
    finally:
        published.NEWEST_SCAN = kept
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--goals", action="store_true", help="only the API pages (unit+domain) and search")
    parser.add_argument("--scan-pairs", action="store_true", help="PostgreSQL search, GIN windows only vs as committed")
    parser.add_argument("--throughput", action="store_true")
    args = parser.parse_args()
    info, n = info_of(args.url)
    if args.scan_pairs:
        out = scan_pairs(args.url)
    elif args.goals:
        out = goals(args.url, info, n)
    else:
        out = quick(args.url, info) if args.quick else b.measure_published(args.url, info, n)
    if args.throughput and isinstance(out, dict):
        out["throughput"] = b.measure_throughput(args.url, info)
    print(json.dumps({n: out}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
