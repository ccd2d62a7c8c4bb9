"""The validator's shortcut (a typed row of a known unit and domain with every required element and
no impossible date: nothing to say, without the loop over the elements) gives exactly what the
full check gives, problem by problem."""

import random

import pytest

from zwgk import catalog as cat
from zwgk.catalog import ItemValidator

DX = "湖南省/永州市/道县"
ZJ = "浙江省/杭州市/拱墅区"


@pytest.fixture
def app(make_app, regions_db_url):
    return make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")


def _rows(seed, n=400):
    rnd = random.Random(seed)
    pick = rnd.choice
    for i in range(n):
        row = {"unit": pick([DX] * 8 + [ZJ, "湖南省/永州市/无此县"]), "domain": pick(["义务教育"] * 8 + ["无此领域"]),
               "level1": pick(["招生入学", "学生资助"]), "seq": i}
        for name in ("content", "basis", "subject", "time_limit", "category"):
            if rnd.random() < 0.97:
                row[name] = pick(["每年7月底前"] * 12 + ["", None, "每年2月30日前", "13月"] if name == "time_limit"
                                 else ["内容"] * 14 + ["", None])
        for name in ("audience_public", "audience_specific", "method_active", "method_on_request"):
            if rnd.random() < 0.9:
                row[name] = rnd.random() < 0.8
        if rnd.random() < 0.95:
            row["channels"] = pick([["政府网站"], ["政府网站"], [], ["公开栏", "政府网站"]])
        if rnd.random() < 0.05:
            row["seq"] = "bad"  # the schema refuses it: load's messages
        yield row


def _answers(validate, rows, start=0):
    out = []
    for n, row in enumerate(rows, start):
        data, problems = validate(dict(row), where=f"第{n}行")
        out.append((data, [(p.where, p.record, p.field, p.message) for p in problems]))
    return out


@pytest.mark.parametrize("seed", range(3))
def test_the_shortcut_says_what_the_full_check_says(app, monkeypatch, seed):
    with app.extensions["zwgk.db"].sessionmaker() as session:
        pm = app.extensions["zwgk.pm"]
        rows = list(_rows(seed))
        fast = _answers(ItemValidator(session, pm), rows)
        monkeypatch.setattr(cat, "_presence_test", lambda required: None)  # never the shortcut
        plain = _answers(ItemValidator(session, pm), rows)
    assert fast == plain
    assert sum(1 for _, problems in plain if not problems) > 50  # the shortcut had rows to take
    assert sum(1 for _, problems in plain if problems) > 50


def test_the_presence_test_is_the_loop_over_the_elements():
    required = [("name", ("level1",), "", "", ""), ("method", ("method_active", "method_on_request"), "", "", "")]
    test = cat._presence_test(required)
    for data in ({"level1": "a", "method_active": True}, {"level1": "a", "method_on_request": 1}, {"level1": "a"},
                 {"method_active": True}, {"level1": "", "method_active": True}, {}):
        assert test(data.get) == all(any(map(data.get, fields)) for _, fields, *_ in required)
    assert cat._presence_test([("x", None, "", "", "")]) is None
    assert cat._presence_test([])({}.get) is True


def test_the_fast_loader_is_generated_on_the_second_record_only(app, monkeypatch):
    """One form or API call validates one record: it does not pay for generating the fast path;
    an import's second record has it, and every record's answer is load's."""
    made = []
    real = cat.fast_loader
    monkeypatch.setattr(cat, "fast_loader", lambda schema: made.append(schema) or real(schema))
    with app.extensions["zwgk.db"].sessionmaker() as session:
        pm = app.extensions["zwgk.pm"]
        rows = list(_rows(7, n=60))
        validate = ItemValidator(session, pm)
        first = _answers(validate, rows[:1])
        assert made == []
        rest = _answers(validate, rows[1:], start=1)
        assert len(made) == 1
        monkeypatch.setattr(cat, "fast_loader", lambda schema: None)  # load for every record
        plain = _answers(ItemValidator(session, pm), rows)
    assert first + rest == plain
