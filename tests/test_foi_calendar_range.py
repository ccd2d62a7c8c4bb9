"""Stored dates outside the working-day calendar (an import, a direct database write, older data):
no deadline is counted, every place that shows one says so, and nothing fails.  New dates after today
are refused on entry (test_foi_workflow); these tests write the dates straight into the database."""

import datetime as dt
import re

import pytest
from sqlalchemy import select, update

from zwgk import models as m
from zwgk.foi import deadlines, service
from zwgk.foi.models import InfoRequest, RequestStep
from zwgk.timelimits import due_date, parse
from zwgk.workcalendar import DateOutOfRange, WorkCalendar, beijing_year

from .admin_helpers import DX, login, seed
from .test_browser import live  # noqa: F401 - the fixture

OUT = "日期超出工作日历范围"
OUT_EN = "Date outside the working-day calendar"


@pytest.fixture
def app(make_app, regions_db_url):
    app = make_app(regions_db_url, plugins="daoxian")
    seed(app)
    return app


def _stored(app, received: dt.date) -> tuple[int, str, str]:
    """A request registered normally, then its day of receipt overwritten in the database."""
    with app.extensions["zwgk.db"].session(actor="clerk") as s:
        req, secret = service.register(s, unit=DX, channel="in_person", description="道县义务教育招生范围",
                                       actor="clerk", applicant_name="张三", applicant_contact="13800000000",
                                       received_on=dt.date(2025, 9, 12))
        s.flush()
        rid, number = req.id, req.tracking_no
        s.execute(update(InfoRequest).where(InfoRequest.id == rid).values(received_on=received))
    return rid, number, secret


def _token(client, url):
    return re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True))[-1]


@pytest.mark.parametrize("received", [dt.date(9999, 12, 31), dt.date(2400, 1, 1), dt.date(1999, 5, 4),
                                      dt.date(1, 1, 1)])
def test_a_stored_date_outside_the_calendar_is_a_state_on_every_page(app, run_cli, received):
    rid, number, secret = _stored(app, received)
    staff = app.test_client()
    login(staff, "dx_admin")
    for url in ("/admin/foi_requests/", f"/admin/foi_requests/{rid}", "/admin/"):
        page = staff.get(url)
        assert page.status_code == 200 and OUT in page.get_data(as_text=True), url
    detail = staff.get(f"/admin/foi_requests/{rid}").get_data(as_text=True)
    assert f"{received.isoformat()}：{OUT}（2004-01-01 至" in detail
    staff.get("/lang/en")
    for url in ("/admin/foi_requests/", f"/admin/foi_requests/{rid}", "/admin/"):
        page = staff.get(url)
        assert page.status_code == 200 and OUT_EN in page.get_data(as_text=True), url
    assert "the date is outside the working-day calendar (2004-01-01 to" in staff.get(
        f"/admin/foi_requests/{rid}").get_data(as_text=True)

    due = run_cli(app, "due", "--region", DX)
    line = next(li for li in due.output.splitlines() if number in li)
    assert due.exit_code == 0 and line.startswith(OUT) and received.isoformat() in line
    assert f"{OUT} 1" in due.output.splitlines()[0]

    public = app.test_client()
    for lang, words in (("zh_Hans_CN", OUT), ("en", OUT_EN)):
        public.get(f"/lang/{lang}")
        page = public.post("/requests/track", data={"tracking_no": number, "secret": secret,
                                                    "csrf_token": _token(public, "/requests/track")})
        assert page.status_code == 200 and words in page.get_data(as_text=True)


def test_a_stored_period_of_millions_of_days_is_out_of_range_not_a_hang(app):
    rid, _, _ = _stored(app, dt.date(2025, 9, 12))
    with app.extensions["zwgk.db"].session(actor="clerk") as s:
        req = s.get(InfoRequest, rid)
        req.steps.append(RequestStep(kind="correction_requested", on=dt.date(2025, 9, 15), days=99_999_999,
                                     actor="clerk", at=dt.datetime.now(dt.timezone.utc)))
        s.flush()
        d = deadlines.compute(req, WorkCalendar.load(s), dt.date(2025, 10, 1))
    assert d.status == "out_of_range" and d.reply_due is None and OUT in d.lines[-1]


def test_a_request_in_the_year_after_the_calendar_is_still_counted_provisionally(app):
    rid, _, _ = _stored(app, dt.date(2025, 9, 12))
    with app.extensions["zwgk.db"].session(actor="clerk") as s:
        cal = WorkCalendar.load(s)
        last = max(cal.known_years)
        s.execute(update(InfoRequest).where(InfoRequest.id == rid).values(received_on=dt.date(last + 1, 12, 20)))
        s.expire_all()
        d = deadlines.compute(s.get(InfoRequest, rid), cal, dt.date(last + 1, 12, 28))
    # the reply period runs into the year after that: counted on weekends, flagged provisional
    assert d.status == "open" and d.provisional and d.reply_due.year == last + 2


def test_the_range_follows_the_year_in_beijing():
    """At 16:30 UTC on 31 December it is already 1 January in Beijing: the range reaches the year after."""
    eve = dt.datetime(2031, 12, 31, 16, 30, tzinfo=dt.timezone.utc)
    assert beijing_year(eve) == 2032 and beijing_year(eve - dt.timedelta(hours=1)) == 2031
    known = set(range(2004, 2027))
    assert WorkCalendar({}, known, this_year=2032).last == dt.date(2033, 12, 31)
    assert WorkCalendar({}, known, this_year=2032).check(dt.date(2032, 1, 1))
    with pytest.raises(DateOutOfRange):
        WorkCalendar({}, known, this_year=2026).check(dt.date(2028, 1, 1))
    with pytest.raises(DateOutOfRange):
        WorkCalendar({}, known, this_year=2026).check(dt.date(2003, 12, 31))


@pytest.mark.parametrize("anchor", [dt.date(9999, 12, 31), dt.datetime(9999, 12, 31, 23), dt.date(1990, 1, 1)])
def test_a_time_limit_from_a_date_outside_the_calendar_has_no_due_date(anchor):
    cal = WorkCalendar({}, set(range(2004, 2027)), this_year=2026)
    for text in ("20个工作日内", "10日内", "24小时内", "1个月内"):
        result = due_date(parse(text), anchor, cal)
        assert result.due is None and result.out_of_range and OUT in result.note, text
        assert OUT in result.render()


def test_a_publication_record_far_in_the_future_is_listed_as_out_of_range(app, run_cli):
    with app.extensions["zwgk.db"].session(actor="clerk") as s:
        item = s.scalar(select(m.CatalogItem).limit(1))
        s.add(m.PublicationRecord(catalog_item=item, subject="招生公告（日期录错）", event_at=dt.datetime(9999, 12, 31, 9)))
    due = run_cli(app, "due")
    line = next(li for li in due.output.splitlines() if "招生公告（日期录错）" in li)
    assert due.exit_code == 0 and line.startswith(OUT)
    check = run_cli(app, "publications", "check")
    assert check.exit_code == 0 and any(li.startswith(OUT) for li in check.output.splitlines())
    staff = app.test_client()
    login(staff, "dx_admin")
    assert "招生公告（日期录错）" in staff.get("/admin/").get_data(as_text=True)


def test_the_deadline_command_says_out_of_range(app, run_cli):
    res = run_cli(app, "deadline", "20个工作日内", "--from", "9999-12-31")
    assert res.exit_code == 0 and OUT in res.output and "到期 due: 无 none" in res.output


@pytest.mark.browser
def test_out_of_range_in_the_browser_in_both_languages(live):  # noqa: F811
    from .test_browser import SHOTS, _login

    app, base, browser = live
    SHOTS.mkdir(exist_ok=True)
    rid, number, secret = _stored(app, dt.date(9999, 12, 31))
    page = _login(browser, base, "dx_admin")
    for lang, words in (("zh_Hans_CN", OUT), ("en", OUT_EN)):
        page.goto(f"{base}/lang/{lang}")
        for name, url in (("list", "/admin/foi_requests/"), ("detail", f"/admin/foi_requests/{rid}"),
                          ("dashboard", "/admin/")):
            page.goto(base + url)
            assert words in page.inner_text("body"), (lang, url)
            page.screenshot(path=str(SHOTS / f"foi_out_of_range_{name}_{lang}.png"), full_page=True)
        public = browser.new_page(viewport={"width": 1200, "height": 800})
        public.goto(f"{base}/lang/{lang}")
        public.goto(f"{base}/requests/track")
        public.fill("input[name=tracking_no]", number)
        public.fill("input[name=secret]", secret)
        public.click("form button[type=submit]")
        assert words in public.inner_text("body"), lang
        public.screenshot(path=str(SHOTS / f"foi_out_of_range_track_{lang}.png"), full_page=True)
        public.close()


@pytest.mark.parametrize("doc_on, published_on", [(dt.date(9999, 12, 31), dt.date(2025, 5, 1)),
                                                  (dt.date(2025, 4, 24), dt.date(9999, 12, 31)),
                                                  (dt.date(1999, 4, 24), None)])
def test_an_interpretation_with_a_date_outside_the_calendar(make_app, regions_db_url, doc_on, published_on):
    from zwgk.participation import service as svc
    from zwgk.participation.models import Interpretation

    from .test_participation import SD, _interpretation

    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")
    item_id, interp_id = _interpretation(app, SD, doc_on, published_on)
    with app.extensions["zwgk.db"].session() as session:
        t = svc.interpretation_timing(session, session.get(Interpretation, interp_id), today=dt.date(2025, 6, 1))
        assert (t.status, t.due, t.label) == ("out_of_range", None, OUT)
    if published_on is None:
        return  # not public yet: the admin's list shows the same label (the service's)
    client = app.test_client()
    page = client.get(f"/item/{item_id}")
    assert page.status_code == 200 and OUT in page.get_data(as_text=True)
    api = client.get(f"/api/v1/interpretations?region={SD}").get_json()["interpretations"]
    assert [(i["timing"], i["due_on"]) for i in api] == [("out_of_range", None)]
    client.get("/lang/en")
    assert OUT_EN in client.get(f"/item/{item_id}").get_data(as_text=True)
