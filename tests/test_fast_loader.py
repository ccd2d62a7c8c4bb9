"""The importer's fast path must give exactly what ``schema.load`` gives, or step aside."""

import random

import pytest
from marshmallow import Schema, ValidationError, fields, post_load

from zwgk.schemas import CatalogItemSchema, StageSchema, fast_loader

TYPED_ROW = {"unit": "湖南省/永州市/道县", "domain": "义务教育", "seq": 3, "level1": "招生入学", "level2": None,
             "content": "招生范围", "basis": "《义务教育法》", "time_limit": "每年7月底前", "subject": "县教育局",
             "channels": ["政府网站"], "audience_public": True, "audience_specific": False, "method_active": True,
             "method_on_request": False, "levels": ["county"], "stages": ["result"]}

# values a cell, a JSON record or a form may carry: right, wrong, and almost right
POOL = [None, "", " ", "x", " x ", "招生入学", "draft", "published", "bogus", 0, 1, 3, -2, 1.0, 2.5, True, False,
        "true", "1", "√", [], ["result"], ["decision", "service"], ["bogus"], [None], ("result",), {}, {"file": "a"},
        {"file": "a", "section": "b"}]


def _load(schema, raw):
    try:
        return schema.load(raw)
    except ValidationError:
        return "error"


def test_a_typed_row_takes_the_fast_path_and_equals_load():
    schema = CatalogItemSchema()
    fast = fast_loader(schema)
    loaded = fast(dict(TYPED_ROW))
    assert loaded is not None
    assert loaded == schema.load(dict(TYPED_ROW))
    assert loaded["status"] == "draft" and loaded["stages"] == ["result"] and loaded["source"] is None


# shapes=0: every record by field; 3: the first three key orders by shape, the rest by field;
# 10_000: every key order by shape
@pytest.mark.parametrize("shapes", [0, 3, 10_000])
@pytest.mark.parametrize("seed", range(4))
def test_random_rows_fast_path_agrees_with_load_or_steps_aside(seed, shapes):
    rnd = random.Random(seed)
    schema = CatalogItemSchema()
    fast = fast_loader(schema, shapes=shapes)
    names = list(schema.fields) + ["unknown_key"]
    taken = 0
    for _ in range(1500):
        raw = dict(TYPED_ROW)
        for name in rnd.sample(names, rnd.randint(1, 4)):
            if rnd.random() < 0.2:
                raw.pop(name, None)
            else:
                raw[name] = rnd.choice(POOL)
        if rnd.random() < 0.3:  # the same keys in another order (a JSON record, a form)
            raw = dict(rnd.sample(list(raw.items()), len(raw)))
        expected = _load(schema, dict(raw))
        got = fast(dict(raw))
        if got is not None:
            taken += 1
            assert got == expected, raw  # never accepts what load refuses, never differs
            assert list(got) == list(expected)  # the keys in load's order too
            if isinstance(got.get("channels"), list) and "channels" in raw:
                assert got["channels"] is not raw["channels"]  # a copy, as load gives
    assert taken > 100  # the fast path is really used, not always stepping aside


def test_rows_of_one_shape_agree_with_load_value_by_value():
    """An import's rows: the same keys in the same order, every value varied in turn."""
    rnd = random.Random(7)
    schema = CatalogItemSchema()
    fast = fast_loader(schema)
    names = list(TYPED_ROW)
    taken = 0
    for _ in range(3000):
        raw = dict(TYPED_ROW)
        for name in rnd.sample(names, rnd.randint(0, 3)):
            raw[name] = rnd.choice(POOL)
        expected = _load(schema, dict(raw))
        got = fast(raw)
        assert got is None or (got == expected and list(got) == list(expected)), raw
        taken += got is not None
    assert taken > 500


def test_schemas_it_cannot_vouch_for_get_no_fast_path():
    class WithHook(Schema):
        name = fields.String()

        @post_load
        def upper(self, data, **kwargs):
            return {k: v.upper() for k, v in data.items()}

    assert fast_loader(WithHook()) is None
    assert fast_loader(CatalogItemSchema(many=True)) is None
    # a nested record is always left to load
    assert fast_loader(StageSchema())({"code": "result", "name": "结果公开", "source": {"file": "a", "section": "b"}}) is None
