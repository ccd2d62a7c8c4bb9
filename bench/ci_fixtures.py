"""What a test's fixtures cost, the old way and the new (docs/benchmarks.md, "CI time").

    python bench/ci_fixtures.py clone N URL   # N × CREATE DATABASE … TEMPLATE + DROP DATABASE (the old per-test database)
    python bench/ci_fixtures.py reset N URL   # N × a write and the worker clone put back (tests/conftest.py _PgSlot)
    python bench/ci_fixtures.py app eager|lazy N   # N × create_app with the three plugins, URL builders eager or lazy

URL: a PostgreSQL database to make the template and clones next to.  Run them in pairs with
bench/pairs.py.
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    mode, n = sys.argv[1], None
    if mode == "app":
        flavour, n = sys.argv[2], int(sys.argv[3])
        from werkzeug.routing.rules import Rule

        from tests import conftest  # makes the builders lazy

        if flavour == "eager":
            Rule._compile_builder = Rule._compile_builder.eager
        from zwgk.app import create_app
        from zwgk.db import Database

        url = f"sqlite:///{tempfile.mkdtemp()}/x.sqlite"
        Database(url).upgrade()
        for _ in range(n):
            create_app({"TESTING": True, "DATABASE_URL": url, "PLUGINS": "zhejiang,shandong,daoxian",
                        "SECRET_KEY": "x"}).extensions["zwgk.db"].dispose()
        return
    n, base = int(sys.argv[2]), sys.argv[3]
    import os

    os.environ["ZWGK_TEST_DATABASE_URL"] = base
    from sqlalchemy import create_engine, text

    from tests import conftest
    from zwgk.db import Database
    from zwgk.plugin_manager import apply, get_plugin_manager

    admin = conftest._pg_admin()
    template = f"zwgk_bench_{uuid.uuid4().hex[:8]}"
    db = Database(conftest._pg_create(admin, template))
    db.upgrade()
    apply(db, get_plugin_manager([]))
    db.dispose()
    import time

    start = time.monotonic()
    write = "UPDATE domain SET name = name || '改' WHERE id = (SELECT min(id) FROM domain)"
    try:
        if mode == "clone":
            for _ in range(n):
                name = f"zwgk_bench_{uuid.uuid4().hex[:8]}"
                engine = create_engine(conftest._pg_create(admin, name, template))
                with engine.begin() as conn:
                    conn.execute(text(write))
                engine.dispose()
                conftest._pg_drop(admin, name)
        else:
            slot = conftest._PgSlot(admin, template)
            for _ in range(n):
                engine = create_engine(slot.url)
                with engine.begin() as conn:
                    conn.execute(text(write))
                engine.dispose()
                slot.reset()
            slot.drop()
        print(f"{mode}: {(time.monotonic() - start) / n:.3f} s per test", file=sys.stderr)
    finally:
        conftest._pg_drop(admin, template)


if __name__ == "__main__":
    main()
