"""The parameter builder of the SQLite bulk INSERT gives what each column's processor gives, and the
statement with a chunk's constant columns written in stores what binding every value stores."""

import random

import pytest
from sqlalchemy import create_engine, insert

from zwgk import models as m
from zwgk.catalog_io import _column_values
from zwgk.db import json_dumps

KEYS = ["id", "unit_id", "domain_id", "level1", "channels", "audience_public", "audience_specific", "method_active",
        "method_on_request", "levels", "stages", "status", "is_example", "version", "source_file"]
VALUES = {
    "channels": [[], ["政府网站"], ["政府网站", "公开栏"], ["公开栏", "政府网站"], [""], [1], [True], [1.0], ["1"],
                 [["嵌套"]], [{"a": 1}], None, "政府网站", ("元组",)],
    "bool": [True, False, None, 0, 1],
    "text": ["招生入学", "", None, "x"],
}


def _compiled():
    engine = create_engine("sqlite://", json_serializer=json_dumps)
    compiled = insert(m.CatalogItem.__table__).compile(dialect=engine.dialect, column_keys=KEYS)
    binds = {bind.key: bind for bind in compiled.binds.values()}
    return compiled, binds, engine.dialect


def _row(rnd, i):
    row = {"id": i, "unit_id": 1, "domain_id": rnd.choice([1, 2]), "status": "draft", "version": 1,
           "source_file": "a.xlsx", "level1": rnd.choice(VALUES["text"])}
    for k in ("channels", "levels", "stages"):
        row[k] = list(v) if isinstance(v := rnd.choice(VALUES["channels"]), list) else v
    for k in ("audience_public", "audience_specific", "method_active", "method_on_request", "is_example"):
        row[k] = rnd.choice(VALUES["bool"])
    return row


@pytest.mark.parametrize("seed", range(4))
def test_generated_rows_equal_the_processors_value_by_value(seed):
    compiled, binds, dialect = _compiled()
    keys = [k for k in compiled.positiontup if k in KEYS]
    assert set(compiled.positiontup) <= set(KEYS)
    processors = compiled._bind_processors
    rnd = random.Random(seed)
    rows = [_row(rnd, i) for i in range(400)]
    hashable = [r for r in rows if not any(isinstance(r[k], list) and any(isinstance(x, (list, dict)) for x in r[k])
                                           for k in ("channels", "levels", "stages"))]
    for batch in (rows, hashable, hashable[:50] + hashable[:50]):  # lists seen before come from the memory
        want = [tuple(processors[k](r[k]) if k in processors else r[k] for k in keys) for r in batch]
        columns = _column_values(keys, binds, processors, batch)
        got = list(zip(*(columns[k] for k in keys)))
        assert got == want
        assert [[type(v) for v in row] for row in got] == [[type(v) for v in row] for row in want]


@pytest.mark.parametrize("seed", range(3))
def test_ids_given_beside_the_rows_equal_rows_that_carry_them(seed):
    """The SQLite writer hands each chunk's ids beside its rows instead of copying every row with an
    ``id`` key: the parameters are the same, on the fast path and on the plain one (unhashable lists)."""
    compiled, binds, dialect = _compiled()
    keys = [k for k in compiled.positiontup if k in KEYS]
    processors = compiled._bind_processors
    rnd = random.Random(seed)
    rows = [_row(rnd, 0) for _ in range(300)]
    for r in rows:
        del r["id"]
    hashable = [r for r in rows if not any(isinstance(r[k], list) and any(isinstance(x, (list, dict)) for x in r[k])
                                           for k in ("channels", "levels", "stages"))]
    for batch in (rows, hashable):
        ids = rnd.sample(range(1, 10**6), len(batch))
        assert _column_values(keys, binds, processors, batch, {"id": ids}) == \
            _column_values(keys, binds, processors, [dict(r, id=i) for i, r in zip(ids, batch)])


#: values a chunk's column may hold on every row, by the column's kind: equal ones of different
#: types (1, True, 1.0), text that needs quoting or looks like a parameter, a NUL, bytes
SCALARS = [None, 0, 1, -7, 1.0, 2.5, -2**63, 2**63 - 1, "", "draft", "it's", "''", "?", ":x", "%s", "道县 目录.csv",
           "a\x00b", "Ａ１", b"raw"]
POOLS = {"bool": [True, False, 0, 1], "json": [[], ["公开栏"], ["it's", "?"], ["政府网站", "公开栏"]], "scalar": SCALARS}
EQUAL = {"bool": [True, 1], "json": [["1"], ["1"]], "scalar": [1, True, 1.0]}
NOT_NULL = ("level1", "status", "version", "unit_id", "domain_id")


def _kind(key):
    if key in ("audience_public", "audience_specific", "method_active", "method_on_request", "is_example"):
        return "bool"
    return "json" if key in ("channels", "levels", "stages") else "scalar"


def _chunk(rnd, n):
    """Rows where each column is, at random, the same on every row, the same value in equal but
    different types, or varying (values the column's processor takes)."""
    from zwgk.catalog_io import _COLUMNS

    rows = [{} for _ in range(n)]
    for key in (*_COLUMNS, "unit_id", "domain_id", "source_file", "version"):
        kind = _kind(key)
        pool = [v for v in POOLS[kind] if v is not None or key not in NOT_NULL]
        how = rnd.choice(["same", "same", "equal", "vary"])
        same = rnd.choice(pool)
        for row in rows:
            value = same if how == "same" else rnd.choice(EQUAL[kind]) if how == "equal" else rnd.choice(pool)
            row[key] = list(value) if isinstance(value, list) else value
    return rows


def _stored_rows(engine):
    from sqlalchemy import text

    cols = [c.key for c in m.CatalogItem.__table__.c if c.key not in ("created_at", "updated_at")]
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT {', '.join(f'{c}, typeof({c})' for c in cols)} FROM catalog_item "
                                 "ORDER BY id")).all()


@pytest.mark.parametrize("seed", range(40))
def test_constant_columns_written_into_the_statement_store_what_binding_stores(seed):
    """A column holding one value on every row of a chunk is written as an SQL literal: SQLite
    stores the same value of the same type as when every row binds it; equal values of different
    types (1, True, 1.0) and a NUL stay bound."""
    from sqlalchemy import exc

    from zwgk.catalog_io import _executemany_compiled

    rnd = random.Random(seed)
    rows = _chunk(rnd, rnd.choice([2, 3, 40]))
    ids = list(range(10, 10 + len(rows)))
    stored, errors, statements = [], [], []
    for fast in (True, False):  # the same rows, through the compiled statement and through SQLAlchemy's INSERT
        engine = create_engine("sqlite://", json_serializer=json_dumps)
        m.CatalogItem.__table__.create(engine)
        with engine.begin() as conn:
            try:
                if fast:
                    real = conn.exec_driver_sql
                    conn.exec_driver_sql = lambda sql, params: statements.append(sql) or real(sql, params)
                    assert _executemany_compiled(conn, insert(m.CatalogItem.__table__), rows, ids)
                else:
                    conn.execute(insert(m.CatalogItem.__table__), [dict(r, id=i) for i, r in zip(ids, rows)])
            except exc.IntegrityError:  # a NULL where the column takes none: refused both ways
                errors.append(True)
            else:
                errors.append(False)
        stored.append(None if errors[-1] else _stored_rows(engine))
    assert errors[0] == errors[1]
    assert stored[0] == stored[1]
    if not errors[0]:
        values = statements[0].split("VALUES", 1)[1]
        assert values.count("?") < len(m.CatalogItem.__table__.c) - 2  # some columns were written in
        assert values.startswith(" (?,")  # the ids stay bound


def test_an_integer_sqlite_cannot_hold_is_refused_as_binding_refuses_it():
    """2**63 in every row is not written as a literal (SQLite would store it as a REAL): it is bound,
    and the driver refuses it."""
    from zwgk.catalog_io import _constant_literal, _sql_literal

    assert _sql_literal(2**63) is None and _sql_literal(-2**63 - 1) is None and _sql_literal(2**63 - 1) is not None
    assert _constant_literal([2**63, 2**63]) is None
    assert _constant_literal([1, True]) is None and _constant_literal([1.0, 1.0]) is None
    assert _constant_literal(["it's", "it's"]) == "'it''s'" and _constant_literal([None, None]) == "NULL"
    assert _constant_literal(["a\x00b", "a\x00b"]) is None and _constant_literal(["\ud800", "\ud800"]) is None


def test_a_chunk_of_one_value_per_column_still_writes_every_row():
    from zwgk.catalog_io import _executemany_compiled

    row = {"unit_id": 1, "domain_id": 2, "level1": "招生入学", "channels": [], "audience_public": False,
           "audience_specific": False, "method_active": True, "method_on_request": False, "levels": ["county"],
           "stages": [], "status": "draft", "is_example": False, "version": 1}
    engine = create_engine("sqlite://", json_serializer=json_dumps)
    m.CatalogItem.__table__.create(engine)
    with engine.begin() as conn:
        assert _executemany_compiled(conn, insert(m.CatalogItem.__table__), [dict(row) for _ in range(3)])
    assert len(_stored_rows(engine)) == 3


def _plain_item_row(data, source, example, pair):
    """The item row as it was built before the generated dict display (the reference)."""
    from zwgk.catalog_io import _COLUMNS

    row = dict(zip(_COLUMNS, map(data.get, _COLUMNS)))
    row.update(stages=row["stages"] or [], status="draft", is_example=bool(row["is_example"]) or example,
               unit_id=pair[0], domain_id=pair[1], source_file=source, version=1)
    return row


@pytest.mark.parametrize("seed", range(4))
def test_the_item_row_equals_the_plain_one_key_by_key_and_in_order(seed):
    from zwgk.catalog_io import _COLUMNS, _ITEM_ROW

    rnd = random.Random(seed)
    pool = [None, "", "x", 0, 1, True, False, [], ["result"], "published"]
    for _ in range(500):
        data = {c: rnd.choice(pool) for c in _COLUMNS if rnd.random() < 0.8}
        data.update(unit="u", domain="d", extra=rnd.choice(pool))
        source, example, pair = rnd.choice(["a.xlsx", "b.csv"]), rnd.choice([True, False]), (rnd.randint(1, 9), 7)
        fast, plain = _ITEM_ROW(data.get, source, example, pair), _plain_item_row(data, source, example, pair)
        assert list(fast.items()) == list(plain.items())
        assert [type(v) for v in fast.values()] == [type(v) for v in plain.values()]
