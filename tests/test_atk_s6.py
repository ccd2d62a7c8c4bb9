"""Session 6's merged changes attacked (s6-atk): what held is pinned here, what broke is fixed."""

import datetime as dt

import pytest

from .admin_helpers import login, seed
from .test_api_v1 import ITEM, token_for


@pytest.fixture
def dx_app(make_app, regions_db_url):
    app = make_app(regions_db_url, plugins="daoxian")
    seed(app)
    return app


def _date_message(c, accept):
    headers = {"Accept-Language": accept} if accept is not None else {}
    got = c.get("/api/v1/catalog_changes?region=道县&from=yesterday", headers=headers)
    assert got.status_code == 400, (accept, got.status_code)
    return got.get_json()["message"]


@pytest.mark.parametrize("accept, english", [
    ("*", False), ("en;q=0", False), ("en;q=0, zh;q=0", False), ("garbage,,;;q=x", False), ("", False),
    ("\u00e9\u00e9", False), ("en-GB;q=0.1, fr", True), ("fr, en;q=0.5", True), ("zh-TW, en;q=0.5", False), ("zh-Hant;q=0.9, en;q=0.8", False), ("zh_CN", False),
    ("x" * 4000, False), ("en;q=abc", False)])
def test_odd_accept_language_headers_never_fail_and_pick_a_language(dx_app, accept, english):
    message = _date_message(dx_app.test_client(), accept)
    assert ("Not a date" in message) == english and ("不是日期" in message) != english, (accept, message)


@pytest.mark.parametrize("logged_in", [False, True])
def test_a_chosen_language_wins_over_accept_language_under_api(dx_app, logged_in):
    c = dx_app.test_client()
    c.get("/lang/zh_Hans_CN")
    if logged_in:
        login(c, "dx_admin")  # the choice survives the login
    assert "不是日期" in _date_message(c, "en-US,en")
    c.get("/lang/en")
    assert "Not a date" in _date_message(c, "zh-CN,zh")
    assert "Not a date" in _date_message(c, "*")


@pytest.mark.parametrize("accept", ["en-US,en", "*", "garbage;;", "en;q=0"])
def test_pages_stay_chinese_first_whatever_accept_language_says(dx_app, accept):
    c = dx_app.test_client()
    for path in ("/catalog", "/login"):
        page = c.get(path, headers={"Accept-Language": accept})
        assert page.status_code == 200 and 'lang="zh' in page.get_data(as_text=True), (path, accept)
    login(c, "dx_admin")
    page = c.get("/admin/", headers={"Accept-Language": accept})
    assert page.status_code == 200 and "<title>工作台" in page.get_data(as_text=True)


@pytest.mark.parametrize("value", ["true", 1, 0, "√", None, [], {}, "false"])
def test_a_write_api_flag_that_is_not_a_json_boolean_is_refused_naming_it(dx_app, value):
    c = dx_app.test_client()
    auth = {"Authorization": f"Bearer {token_for(dx_app, 'dx_admin')}", "Accept-Language": "en"}
    got = c.post("/api/v1/catalog_items", json={**ITEM, "audience_public": value}, headers=auth)
    assert got.status_code == 400 and "audience_public" in str(got.get_json()), (value, got.get_json())


def test_every_skipped_section_or_header_row_is_listed_in_the_warning():
    """A workbook printed over many pages repeats its header on each: the warning names every skipped
    row, not the first ten (docs/catalog-intake.md: the warnings list the skipped rows)."""
    from .test_catalog_sections import HEADER, _read, _row

    rows = [HEADER]
    for n in range(1, 16):
        rows += [[f"第{'一二三四五六七八九十'[n % 10]}部分 部分{n}"] + [""] * 9, _row(n, "")]
    records, problems, warnings = _read(rows)
    assert problems == [] and len(records) == 15
    [warning] = [w for w in warnings if "分节行" in w]
    assert "跳过 15 个" in warning
    for n in range(1, 16):
        assert f"第{2 * n}行 row {2 * n} “第" in warning, n
    assert f"部分15”" in warning and "…" not in warning


def test_feedback_with_a_stored_date_outside_the_calendar_does_not_break_the_statistics(make_app, regions_db_url):
    """A feedback written in 1990 (a direct database write) and answered in 2025: the count from it would
    walk 35 years, so it is left out of the answer times; the statistics still come (they raised)."""
    import datetime as dt

    from sqlalchemy import select

    from zwgk import models as m
    from zwgk.participation import service as svc

    from .test_participation import published_item

    app = make_app(regions_db_url, plugins="daoxian", ZWGK_FEEDBACK_RATE="1000 per minute")
    item_id = published_item(app, DX_KEY)
    with app.extensions["zwgk.db"].session() as session:
        dx = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == DX_KEY))
        item = session.get(m.CatalogItem, item_id)
        old = svc.leave_feedback(session, dx, item, True, "问一")
        old.created_at = dt.datetime(1990, 1, 1, 2, tzinfo=dt.timezone.utc)
        svc.answer(old, "答一", True, "x", now=dt.datetime(2025, 4, 29, 2, tzinfo=dt.timezone.utc))
        good = svc.leave_feedback(session, dx, item, True, "问二")
        good.created_at = dt.datetime(2025, 4, 25, 2, tzinfo=dt.timezone.utc)
        svc.answer(good, "答二", True, "x", now=dt.datetime(2025, 4, 29, 2, tzinfo=dt.timezone.utc))
    with app.extensions["zwgk.db"].session() as session:
        s = svc.feedback_stats(session, DX_KEY)
        assert (s.total, s.answered) == (2, 2)
        assert s.answer_workdays == [3]


DX_KEY = "湖南省/永州市/道县"


@pytest.mark.parametrize("field, value", [("days", 99_999_999), ("on", "9999-12-30")])
def test_a_stored_correction_period_outside_the_calendar_is_a_refusal_not_a_crash(regions_db_url, field, value):
    import datetime as dt

    from zwgk.db import Database
    from zwgk.foi import service
    from zwgk.workcalendar import WorkCalendar

    from .test_foi_deadlines import _new

    database = Database(regions_db_url)
    try:
        with database.session(actor="clerk") as session:
            req = _new(session)
            cal = WorkCalendar.load(session)
            service.request_correction(session, req, dt.date(2025, 9, 16), 10, "写明文号", "clerk")
            [asked] = [s for s in req.steps if s.kind == "correction_requested"]
            setattr(asked, field, dt.date.fromisoformat(value) if field == "on" else value)
            for act in (service.receive_correction, service.lapse):
                with pytest.raises(service.FoiError, match="日期超出工作日历范围.*outside the working-day calendar"):
                    act(session, req, dt.date(2025, 9, 19) if field == "days" else dt.date(9999, 12, 31), "clerk", cal)
    finally:
        database.dispose()


@pytest.mark.parametrize("accept, english", [("fr", True), ("de, es;q=0.5", True), ("zh-HK", False), (None, True)])
def test_an_api_client_without_zh_or_en_gets_the_deployments_language(make_app, regions_db_url, accept, english):
    """docs/i18n.md: zh…, en…; anything else: the deployment's ZWGK_LANGUAGE (here English)."""
    app = make_app(regions_db_url, plugins="daoxian", ZWGK_LANGUAGE="en")
    message = _date_message(app.test_client(), accept)
    assert ("Not a date" in message) == english and ("不是日期" in message) != english, (accept, message)


def test_rows_whose_probed_cells_start_otherwise_are_never_examined(monkeypatch):
    """docs/catalog-intake.md, the cost of the section and header checks: a row is examined only when
    its first cell, first imported cell or 一级事项 starts with a numeral, （, 第, 公, 事 or a space."""
    import zwgk.catalog_readers as cr

    from .test_catalog_sections import HEADER, _read, _row

    seen = []
    real = cr._section_or_header

    def counting(value, *args):
        seen.append(value)
        return real(value, *args)

    monkeypatch.setattr(cr, "_section_or_header", counting)
    plain = [_row(n, level1) for n, level1 in enumerate(["招生入学", "学生资助", "低保", "Z计划", "1、招生"], 1)]
    records, problems, _ = _read([HEADER, *plain])
    assert len(records) == 5 and problems == [] and seen == []
    marked = [_row(6, "一、招生入学"), _row(7, "公开事项清单"), _row(8, "（一）入学"), _row(9, "第二批"), _row(10, " 事项")]
    records, problems, _ = _read([HEADER, *plain, *marked])
    assert len(records) == 10 and [v.strip() for v in seen] == ["一、招生入学", "公开事项清单", "（一）入学", "第二批", "事项"]


@pytest.mark.parametrize("published_at", [dt.datetime(9999, 12, 31, 9), dt.datetime(1999, 5, 4, 9)])
def test_a_publication_published_outside_the_calendar_is_out_of_range_not_a_crash(make_app, regions_db_url,
                                                                                  run_cli, published_at):
    """The event inside the range, its publication stored at 9999-12-31 or 1999-05-04: counting how late it
    was would walk the gap, so it is the state 日期超出工作日历范围 (it raised DateOutOfRange)."""
    from sqlalchemy import select

    from zwgk import models as m

    app = make_app(regions_db_url, plugins="daoxian")
    seed(app)
    with app.extensions["zwgk.db"].session(actor="clerk") as s:
        item = s.scalar(select(m.CatalogItem).limit(1))
        s.add(m.PublicationRecord(catalog_item=item, subject="招生公告（发布日期录错）", event_at=dt.datetime(2025, 5, 6, 9),
                                  published_at=published_at))
    check = run_cli(app, "publications", "check")
    assert check.exit_code == 0, check.output
    line = next(li for li in check.output.splitlines() if "招生公告（发布日期录错）" in li)
    assert line.startswith("日期超出工作日历范围"), line
    assert run_cli(app, "due").exit_code == 0
    staff = app.test_client()
    login(staff, "dx_admin")
    assert staff.get("/admin/").status_code == 200


@pytest.mark.parametrize("block", [1 << 12, 7])  # under the limit, as the 4 MB blocks are under 16 MB
def test_a_record_just_over_the_limit_is_refused_and_one_at_the_limit_read(tmp_path, monkeypatch, block):
    """docs/security.md: a record over 16 MB is refused naming it.  The limit was checked only before
    reading another block, so a record up to a block over it was read (16.1 MB at the 4 MB blocks)."""
    import zwgk.catalog_readers as cr

    limit = 100_000
    monkeypatch.setattr(cr, "MAX_JSON_RECORD_BYTES", limit)
    path = tmp_path / "c.json"
    for size, refused in ((limit, False), (limit + 1, True), (limit + 5_000, True)):
        record = '{"b": "' + "x" * (size - 9) + '"}'
        assert len(record.encode()) == size
        path.write_text('[{"a": 1}, ' + record + ', {"c": 3}]', encoding="utf-8")
        rows = cr._JsonRows.__new__(cr._JsonRows)
        rows.BLOCK = block
        rows.__init__(path)
        if refused:
            with pytest.raises(cr.CatalogFileError, match="第2条记录超过.*record 2 is larger than"):
                list(rows)
        else:
            assert [r for (r,) in rows][2] == {"c": 3}
