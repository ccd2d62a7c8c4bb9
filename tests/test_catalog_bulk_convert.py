"""The generated parameter builder of the SQLite bulk INSERT gives what each column's processor gives."""

import random

import pytest
from sqlalchemy import create_engine, insert

from zwgk import models as m
from zwgk.catalog_io import _row_converter
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
    convert = _row_converter(keys, binds, processors, dialect)
    rnd = random.Random(seed)
    rows = [_row(rnd, i) for i in range(400)]
    hashable = [r for r in rows if not any(isinstance(r[k], list) and any(isinstance(x, (list, dict)) for x in r[k])
                                           for k in ("channels", "levels", "stages"))]
    for batch in (rows, hashable, hashable[:50] + hashable[:50]):  # lists seen before come from the memory
        want = [tuple(processors[k](r[k]) if k in processors else r[k] for k in keys) for r in batch]
        got = convert(batch)
        assert got == want
        assert [[type(v) for v in row] for row in got] == [[type(v) for v in row] for row in want]


@pytest.mark.parametrize("seed", range(3))
def test_ids_given_beside_the_rows_equal_rows_that_carry_them(seed):
    """The SQLite writer hands each chunk's ids beside its rows instead of copying every row with an
    ``id`` key: the parameters are the same, on the fast path and on the plain one (unhashable lists)."""
    compiled, binds, dialect = _compiled()
    keys = [k for k in compiled.positiontup if k in KEYS]
    processors = compiled._bind_processors
    with_ids = _row_converter(keys, binds, processors, dialect)
    beside = _row_converter(keys, binds, processors, dialect, ["id"])
    rnd = random.Random(seed)
    rows = [_row(rnd, 0) for _ in range(300)]
    for r in rows:
        del r["id"]
    hashable = [r for r in rows if not any(isinstance(r[k], list) and any(isinstance(x, (list, dict)) for x in r[k])
                                           for k in ("channels", "levels", "stages"))]
    for batch in (rows, hashable):
        ids = rnd.sample(range(1, 10**6), len(batch))
        assert beside(batch, ids) == with_ids([dict(r, id=i) for i, r in zip(ids, batch)])


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
