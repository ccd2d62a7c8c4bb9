"""Issue 10: property-based tests (hypothesis) of the import bodies — generated CSV, JSON and
spreadsheets, through the importer and through the admin's upload.  Whatever the body: no
unhandled exception, and all or nothing (the rows written are all the rows, or none)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from zwgk import models as m
from zwgk.catalog_io import CatalogFileError, import_catalog

from .admin_helpers import DX, csrf, login, seed

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

HEADER = ["序号", "一级事项", "二级事项", "公开内容", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "全社会",
          "主动", "县级", "领域"]
# text a catalog cell may hold, with the awkward bits: marks, 同上, formula starts, full width, NUL-free
cell = st.one_of(st.sampled_from(["", "√", "同上", "义务教育", "社会救助", "每年7月底前", "=1+1", "7月32日", "ｘ", "招生",
                                  "published", "draft", "浙江省/杭州市/拱墅区", DX]),
                 st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                         max_size=30))
json_value = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                                    st.text(max_size=20).filter(lambda t: "\x00" not in t)),
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                      max_size=3), max_leaves=8)
FIELDS = ["unit", "domain", "level1", "level2", "content", "basis", "time_limit", "subject", "channels", "seq",
          "status", "stages", "audience_public", "method_active", "is_example", "duration", "category"]
record = st.dictionaries(st.sampled_from(FIELDS), json_value | cell, max_size=10)


@pytest.fixture
def app(make_app, regions_db_url):
    return make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_LOGIN_RATE="1000 per minute")


def _count(app):
    with app.extensions["zwgk.db"].sessionmaker() as session:
        return session.scalar(select(func.count()).select_from(m.CatalogItem))


def _import(app, path):
    """Import; check all or nothing and that nothing but a clear refusal escapes."""
    before = _count(app)
    db = app.extensions["zwgk.db"]
    try:
        with db.session(actor="hypothesis") as session:
            result = import_catalog(session, app.extensions["zwgk.pm"], path, DX, "义务教育")
            if not result.ok:
                session.rollback()
    except CatalogFileError:
        assert _count(app) == before
        return None
    after = _count(app)
    assert after - before == (result.written if result.ok else 0)
    if result.ok:
        assert result.written == result.rows
    else:
        assert all(p.where for p in result.problems)  # every problem says where
    return result


def _csv(rows):
    buf = io.StringIO()
    csv.writer(buf).writerows([HEADER, *rows])
    return buf.getvalue()


@SETTINGS
@given(rows=st.lists(st.lists(cell, min_size=0, max_size=len(HEADER) + 2), max_size=8))
def test_generated_csv_bodies_import_all_or_nothing(app, tmp_path, rows):
    path = tmp_path / "目录.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    _import(app, path)


@SETTINGS
@given(records=st.lists(record, max_size=6) | json_value)
def test_generated_json_bodies_import_all_or_nothing(app, tmp_path, records):
    path = tmp_path / "目录.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    result = _import(app, path)
    if result is not None and result.ok and result.written:  # whatever the records said: drafts of 道县
        with app.extensions["zwgk.db"].sessionmaker() as session:
            rows = session.execute(select(m.AdminUnit.key, m.CatalogItem.status).join(m.CatalogItem.unit).where(
                m.CatalogItem.source_file == "目录.json")).all()
            assert set(rows) == {(DX, "draft")}


@SETTINGS
@given(rows=st.lists(st.lists(cell, max_size=len(HEADER)), max_size=6))
def test_generated_spreadsheets_import_all_or_nothing(app, tmp_path, rows):
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in rows:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", c) for c in row])  # what a worksheet can hold
    path = tmp_path / "目录.xlsx"
    wb.save(path)
    _import(app, path)


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=st.binary(max_size=400) | st.lists(record, max_size=4).map(
    lambda r: json.dumps(r, ensure_ascii=False).encode()), name=st.sampled_from(["a.json", "a.csv", "a.xlsx"]))
def test_the_admin_upload_answers_every_body_without_a_500(app, body, name):
    if not hasattr(app, "seeded"):
        seed(app)
        app.seeded = True
    client = app.test_client()
    login(client, "dx_admin")
    before = _count(app)
    token = csrf(client, "/admin/catalog_import/")
    answer = client.post("/admin/catalog_import/", data={"unit": DX, "domain": "义务教育", "csrf_token": token,
                                                         "file": (io.BytesIO(body), name)},
                         content_type="multipart/form-data")
    assert answer.status_code < 500
    text = answer.get_data(as_text=True)
    if "已导入" not in text:
        assert _count(app) == before
