"""The annual report (政府信息公开工作年度报告) from the records, the admin pages and their scope."""

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from zwgk import models as m
from zwgk.foi import report as rp
from zwgk.foi import service
from zwgk.foi.models import AppealCase, InfoRequest
from zwgk.workcalendar import WorkCalendar

from .admin_helpers import DX, login, seed

D = dt.date
GS = "浙江省/杭州市/拱墅区"
REMEDIES = "如对本答复不服，可以自收到本答复之日起60日内向道县人民政府申请行政复议，或者6个月内向道县人民法院提起行政诉讼。"


@pytest.fixture
def app(make_app, regions_db_url):
    app = make_app(regions_db_url)
    seed(app)
    return app


def _req(session, name, kind, received, unit=DX):
    req, _ = service.register(session, unit=unit, channel="in_person", description=f"{name}所需信息", actor="clerk",
                              applicant_name=name, applicant_contact="138", applicant_kind=kind,
                              submitted_at=dt.datetime.combine(received, dt.time(2, 0), tzinfo=dt.timezone.utc))
    return req


def _reply(session, req, on, kind, reason=None):
    service.reply(session, req, on, kind, "clerk", reason=reason, remedies=REMEDIES)


def fixture_year(app):
    """Requests of 道县 around 2024, and one of another unit; returns tracking numbers by name."""
    db = app.extensions["zwgk.db"]
    with db.session(actor="clerk") as s:
        cal = WorkCalendar.load(s)
        r = {}
        r["R1"] = _req(s, "R1", "person", D(2023, 12, 20)); _reply(s, r["R1"], D(2024, 1, 10), "open")
        r["R2"] = _req(s, "R2", "person", D(2024, 3, 1)); _reply(s, r["R2"], D(2024, 3, 15), "open")
        r["R3"] = _req(s, "R3", "business", D(2024, 4, 1)); _reply(s, r["R3"], D(2024, 4, 20), "partly_open")
        r["R4"] = _req(s, "R4", "person", D(2024, 5, 6)); _reply(s, r["R4"], D(2024, 5, 20), "refused_secret", "属于国家秘密")
        r["R5"] = _req(s, "R5", "legal", D(2024, 6, 3))
        service.request_correction(s, r["R5"], D(2024, 6, 4), 5, "写明文号", "clerk")
        service.lapse(s, r["R5"], D(2024, 6, 20), "clerk", cal)
        r["R6"] = _req(s, "R6", "person", D(2024, 12, 20))  # still open at the end of the year
        r["R7"] = _req(s, "R7", "research", D(2024, 7, 1)); _reply(s, r["R7"], D(2024, 7, 10), "unavailable_not_held", "本机关不掌握")
        r["R8"] = _req(s, "R8", "person", D(2023, 11, 1)); _reply(s, r["R8"], D(2023, 11, 20), "open")
        r["R9"] = _req(s, "R9", "person", D(2025, 1, 5))
        r["R10"] = _req(s, "R10", "person", D(2024, 8, 1)); service.withdraw(s, r["R10"], D(2024, 8, 2), "clerk")
        r["X"] = _req(s, "X", "person", D(2024, 3, 1), unit=GS); _reply(s, r["X"], D(2024, 3, 5), "open")
        unit = s.scalar(select(m.AdminUnit).where(m.AdminUnit.key == DX))
        s.add_all([AppealCase(unit=unit, kind="reconsideration", filed_on=D(2024, 3, 10), outcome="upheld"),
                   AppealCase(unit=unit, kind="litigation_direct", filed_on=D(2024, 5, 10), outcome="pending"),
                   AppealCase(unit=unit, kind="reconsideration", filed_on=D(2023, 5, 10), outcome="corrected")])
        return {k: v.tracking_no for k, v in r.items()}


def test_request_table_matches_a_hand_count(app):
    """Hand count for 道县 2024 (received / closed):
    new in 2024 (received 2024): R2 R3 R4 R5 R6 R7 R10 = 7 — person R2 R4 R6 R10 = 4, business R3,
      legal R5, research R7;  carried in from 2023: R1 (closed 2024-01-10) = 1, person;
    handled in 2024: R1 R2 R3 R4 R5 R7 R10 = 7 — 予以公开 R1 R2 (person 2), 部分公开 R3 (business),
      不予公开/国家秘密 R4, 无法提供/不掌握 R7 (research), 其他处理/逾期不补正 R5 (legal), 其他 R10;
    carried into 2025: R6 = 1.   7 + 1 = 7 + 1.   R8 (all 2023), R9 (2025) and X (拱墅区) count nowhere."""
    n = fixture_year(app)
    with app.extensions["zwgk.db"].session() as s:
        rep = rp.build(s, DX, 2024)
        numbers = {i: t for t, i in ((t, s.scalar(select(InfoRequest.id).where(InfoRequest.tracking_no == t)))
                                     for t in n.values())}
        name = {i: k for k, t in n.items() for i, tt in numbers.items() if tt == t}

        def names(row, col="total"):
            return sorted(name[i] for i in rep.t3[row][col].ids)

        assert names("new") == ["R10", "R2", "R3", "R4", "R5", "R6", "R7"]
        assert [rep.t3["new"][c].value for c in ("person", "business", "research", "nonprofit", "legal", "other_org",
                                                 "total")] == [4, 1, 1, 0, 1, 0, 7]
        assert names("carried_in") == ["R1"]
        assert names("open") == ["R1", "R2"] and names("partly_open") == ["R3"]
        assert names("refused_secret") == ["R4"] and names("unavailable_not_held") == ["R7"]
        assert names("other_no_correction") == ["R5"] and names("other") == ["R10"]
        assert names("handled") == ["R1", "R10", "R2", "R3", "R4", "R5", "R7"]
        assert names("carried_out") == ["R6"]
        assert rep.t3["new"]["total"].value + rep.t3["carried_in"]["total"].value == \
            rep.t3["handled"]["total"].value + rep.t3["carried_out"]["total"].value
        assert sum(rep.t3[r]["total"].value for r in rp.T3_ROWS if r not in ("new", "carried_in", "handled",
                                                                                "carried_out")) == 7
        assert rep.t4["reconsideration"]["upheld"].value == 1 and rep.t4["reconsideration"]["total"].value == 1
        assert rep.t4["litigation_direct"]["pending"].value == 1


def test_every_figure_opens_the_records_behind_it(app):
    n = fixture_year(app)
    client = app.test_client()
    login(client, "dx_admin")
    page = client.get(f"/admin/foi_report/?unit={DX}&year=2024").get_data(as_text=True)
    links = re.findall(r'<a href="([^"]+)" data-cell="([^"]+)">(\d+)</a>', page)
    # every cell of tables 三 and 四 is a link (table 二 has no rows without catalog records)
    assert len(links) == len(rp.T3_ROWS) * len(rp.T3_COLUMNS) + len(rp.APPEAL_KINDS) * len(rp.T4_COLUMNS)
    opened = 0
    for href, cell, figure in links:
        if figure == "0" and opened > 40:
            continue
        listed = client.get(href.replace("&amp;", "&"))
        assert listed.status_code == 200, cell
        text = listed.get_data(as_text=True)
        rows = re.findall(r"<tr><td><a href=", text)
        assert len(rows) == int(figure), (cell, figure)
        opened += 1
    new_total = client.get(f"/admin/foi_report/records?unit={DX}&year=2024&cell=t3:new:total").get_data(as_text=True)
    for k in ("R2", "R3", "R4", "R5", "R6", "R7", "R10"):
        assert n[k] in new_total
    for k in ("R1", "R8", "R9", "X"):
        assert n[k] not in new_total
    # the workbook: the same figures, each a hyperlink to the same records
    wb = load_workbook(io.BytesIO(client.get(f"/admin/foi_report/xlsx?unit={DX}&year=2024").data))
    ws = wb.active
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    new_row = rows["一、本年新收政府信息公开申请数量"]
    assert [ws.cell(new_row, c).value for c in range(2, 9)] == [4, 1, 1, 0, 1, 0, 7]
    target = ws.cell(new_row, 8).hyperlink.target
    assert target.startswith("http://localhost/admin/foi_report/records?") and "cell=t3:new:total" in target
    from_xlsx = client.get(target.removeprefix("http://localhost")).get_data(as_text=True)
    assert len(re.findall(r"<tr><td><a href=", from_xlsx)) == 7
    # the applicants' names are in no report
    assert "R2所需信息" not in page and not any("R2所需信息" in str(c.value) for r in ws.iter_rows() for c in r)


def test_report_and_requests_are_scoped_and_personal_data_stays_with_the_handling_unit(app):
    n = fixture_year(app)
    zj = app.test_client()
    login(zj, "zj_admin")
    assert zj.get(f"/admin/foi_report/?unit={DX}&year=2024").status_code == 404
    assert zj.get(f"/admin/foi_report/records?unit={DX}&year=2024&cell=t3:new:total").status_code == 404
    with app.extensions["zwgk.db"].session() as s:
        r6 = s.scalar(select(InfoRequest).where(InfoRequest.tracking_no == n["R6"]))
        x = s.scalar(select(InfoRequest).where(InfoRequest.tracking_no == n["X"]))
        r6_id, x_id = r6.id, x.id
    assert zj.get(f"/admin/foi_requests/{r6_id}").status_code == 404
    assert n["R6"] not in zj.get("/admin/foi_requests/?status=all").get_data(as_text=True)
    dx = app.test_client()
    login(dx, "dx_viewer")  # the handling unit's own account sees the applicant
    assert "R6" in dx.get(f"/admin/foi_requests/{r6_id}").get_data(as_text=True)
    assert dx.get(f"/admin/foi_requests/{x_id}").status_code == 404
    sys_admin = app.test_client()
    login(sys_admin, "sys")  # a system administrator sees the request, not the person
    page = sys_admin.get(f"/admin/foi_requests/{r6_id}").get_data(as_text=True)
    assert n["R6"] in page and "仅办理单位可见" in page and ">R6<" not in page
    # a viewer may read, not act
    token = re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', dx.get(f"/admin/foi_requests/{r6_id}").get_data(as_text=True))[-1]
    assert dx.post(f"/admin/foi_requests/{r6_id}/act", data={"action": "withdraw", "on": "2025-01-02",
                                                            "csrf_token": token}).status_code == 403


def test_proactive_figures_per_domain_from_the_catalog_and_publication_records(app, run_cli, tmp_path):
    """Table 二 counts, per domain, the unit's items published at the year's end and the year's
    publication records; each figure opens them; the CLI writes the same report to files."""
    from zwgk import workflow

    year = dt.date.today().year
    db = app.extensions["zwgk.db"]
    with db.session(actor="clerk") as s:
        ids = {k: s.scalar(select(m.CatalogItem.id).where(m.CatalogItem.level1 == v))
               for k, v in (("in", "招生入学"), ("other", "最低生活保障"), ("out", "拱墅区招生"))}
        pm = app.extensions["zwgk.pm"]
        for key in ("in", "out"):
            item = s.get(m.CatalogItem, ids[key])
            workflow.submit(s, item, "clerk")
            workflow.publish(s, item, "clerk", pm)
        now = dt.datetime.now().replace(microsecond=0)
        s.add_all([m.PublicationRecord(catalog_item_id=ids["in"], subject="招生范围公告", event_at=now,
                                       published_at=now),
                   m.PublicationRecord(catalog_item_id=ids["other"], subject="低保名单", event_at=now),
                   m.PublicationRecord(catalog_item_id=ids["out"], subject="拱墅区公告", event_at=now)])
    with db.session() as s:
        rep = rp.build(s, DX, year)
        assert rep.t2["义务教育"]["published"].ids == [ids["in"]]  # 拱墅区's item is another unit's
        assert rep.t2["义务教育"]["records"].value == 1 and rep.t2["义务教育"]["on_time"].value == 1
        assert rep.t2["社会救助"]["published"].value == 0  # a draft is not published
        assert rep.t2["社会救助"]["records"].value == 1 and rep.t2["社会救助"]["pending"].value == 1
    client = app.test_client()
    login(client, "dx_admin")
    listed = client.get(f"/admin/foi_report/records?unit={DX}&year={year}&cell=t2:义务教育:published")
    assert f"/admin/catalog_item/details/?id={ids['in']}" in listed.get_data(as_text=True)
    out = tmp_path / "report.html"
    assert "已写入" in run_cli(app, "requests", "report", DX, str(year), "-o", str(out)).output
    html = out.read_text(encoding="utf-8")
    assert "道县" in html and "cell=t2%3A%E4%B9%89%E5%8A%A1%E6%95%99%E8%82%B2%3Apublished" in html
    xlsx = tmp_path / "report.xlsx"
    run_cli(app, "requests", "report", DX, str(year), "-o", str(xlsx))
    ws = load_workbook(xlsx).active
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "义务教育")
    assert ws.cell(row, 2).value == 1 and ws.cell(row, 2).hyperlink.target.startswith("http://localhost:5000/admin/")
