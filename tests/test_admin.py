"""The admin interface: every role × action × scope, login, history, language."""

import pytest
from sqlalchemy import select

from zwgk import models as m

from .admin_helpers import DX, FULL, csrf, loaded_version, login, seed

ITEMS = "/admin/catalog_item"


@pytest.fixture
def admin_app(make_app, regions_db_url):
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_LOGIN_RATE="1000 per minute")
    app.ids = seed(app)
    return app


def _items(app):
    with app.extensions["zwgk.db"].sessionmaker() as session:
        return {i.id: (i.level1, i.content, i.unit.key) for i in session.scalars(select(m.CatalogItem))}


def _form(unit_id, domain_id, level1, **extra):
    data = {"unit": str(unit_id), "domain": str(domain_id), "level1": level1, "status": "draft",
            "change_reason": "测试"}
    for k, v in {**FULL, **extra}.items():
        if isinstance(v, bool):
            if v:
                data[k] = "y"
        else:
            data[k] = v
    return data


def _ids(app, unit_key, domain):
    with app.extensions["zwgk.db"].sessionmaker() as session:
        unit = session.scalar(select(m.AdminUnit.id).where(m.AdminUnit.key == unit_key))
        dom = session.scalar(select(m.Domain.id).where(m.Domain.name == domain))
        return unit, dom


# role → the actions it may take on an item inside its scope (out of scope: nothing, for all but sys)
ALLOWED_IN = {
    "sys": {"list", "view", "create", "edit", "delete", "export"},
    "dx_admin": {"list", "view", "create", "edit", "delete", "export"},
    "dx_editor": {"list", "view", "create", "edit", "export"},
    "dx_reviewer": {"list", "view", "export"},
    "dx_viewer": {"list", "view", "export"},
}


@pytest.mark.matrix
@pytest.mark.parametrize("user", list(ALLOWED_IN))
@pytest.mark.parametrize("where", ["in", "out"])
@pytest.mark.parametrize("action", ["list", "view", "create", "edit", "delete", "export"])
def test_role_action_scope(admin_app, user, where, action):
    client = admin_app.test_client()
    assert login(client, user).status_code == 302
    allowed = action in ALLOWED_IN[user] and (where == "in" or user == "sys")
    item_id = admin_app.ids[where]
    before = _items(admin_app)
    unit_key = DX if where == "in" else "浙江省/杭州市/拱墅区"
    title = "招生入学" if where == "in" else "拱墅区招生"

    if action == "list":
        page = client.get(f"{ITEMS}/")
        assert page.status_code == 200
        assert (title in page.get_data(as_text=True)) == allowed
    elif action == "view":
        page = client.get(f"{ITEMS}/details/?id={item_id}")
        assert page.status_code == (200 if allowed else 404 if action in ALLOWED_IN[user] else 403)
    elif action == "export":
        page = client.get(f"{ITEMS}/export/csv/")
        assert page.status_code == 200
        assert (title in page.get_data(as_text=True)) == allowed
    elif action == "create":
        token = csrf(client, f"{ITEMS}/new/")
        unit_id, dom_id = _ids(admin_app, unit_key, "义务教育")
        client.post(f"{ITEMS}/new/", data={**_form(unit_id, dom_id, "新建事项"), "csrf_token": token})
        created = [v for v in _items(admin_app).values() if v[0] == "新建事项"]
        assert bool(created) == allowed
        if created:
            assert created[0][2] == unit_key
    elif action == "edit":
        token = csrf(client, f"{ITEMS}/edit/?id={admin_app.ids['in']}")  # a form this user can open, if any
        unit_id, dom_id = _ids(admin_app, unit_key, "义务教育")
        resp = client.post(f"{ITEMS}/edit/?id={item_id}",
                           data={**_form(unit_id, dom_id, title, content="已修改"), "csrf_token": token,
                                 "loaded_version": loaded_version(client, f"{ITEMS}/edit/?id={item_id}")})
        assert (_items(admin_app)[item_id][1] == "已修改") == allowed
        if not allowed:
            assert resp.status_code in (403, 404)
    elif action == "delete":
        token = csrf(client, f"{ITEMS}/")
        resp = client.post(f"{ITEMS}/delete/", data={"id": str(item_id), "csrf_token": token})
        assert (item_id not in _items(admin_app)) == allowed
        if not allowed:
            assert resp.status_code in (403, 404)
    if not allowed and action in ("create", "edit", "delete"):
        assert _items(admin_app) == before  # a refused request changes nothing


def test_editor_sees_only_the_domains_of_its_department(admin_app):
    client = admin_app.test_client()
    login(client, "dx_editor")
    text = client.get(f"{ITEMS}/").get_data(as_text=True)
    assert "招生入学" in text and "最低生活保障" not in text
    assert client.get(f"{ITEMS}/details/?id={admin_app.ids['other_domain']}").status_code == 404
    token = csrf(client, f"{ITEMS}/new/")
    unit_id, dom_id = _ids(admin_app, DX, "社会救助")
    page = client.post(f"{ITEMS}/new/", data={**_form(unit_id, dom_id, "越权事项"), "csrf_token": token})
    assert "不是本部门负责的领域" in page.get_data(as_text=True)
    assert not [v for v in _items(admin_app).values() if v[0] == "越权事项"]
    # status is not a form field: an editor submits; publishing is the region administrator's
    unit_id, dom_id = _ids(admin_app, DX, "义务教育")
    client.post(f"{ITEMS}/new/", data={**_form(unit_id, dom_id, "自行发布", status="published"), "csrf_token": token})
    with admin_app.extensions["zwgk.db"].sessionmaker() as session:
        item = session.scalar(select(m.CatalogItem).where(m.CatalogItem.level1 == "自行发布"))
        assert item.status == "draft"
    token = csrf(client, f"{ITEMS}/")
    for action in ("submit", "publish"):
        client.post(f"{ITEMS}/action/", data={"action": action, "rowid": [str(item.id)], "csrf_token": token})
    with admin_app.extensions["zwgk.db"].sessionmaker() as session:
        assert session.get(m.CatalogItem, item.id).status == "submitted"  # submitted, not published


def test_workflow_actions_follow_the_region_rules(admin_app):
    ids = admin_app.ids
    reviewer, admin = admin_app.test_client(), admin_app.test_client()
    login(reviewer, "dx_reviewer")
    login(admin, "dx_admin")

    def act(client, action):
        token = csrf(client, f"{ITEMS}/")
        return client.post(f"{ITEMS}/action/", data={"action": action, "rowid": [str(ids["in"])], "confirmed": "1",
                                                     "csrf_token": token}, follow_redirects=True)

    def status():
        with admin_app.extensions["zwgk.db"].sessionmaker() as session:
            return session.get(m.CatalogItem, ids["in"]).status

    act(admin, "submit")
    page = act(admin, "publish").get_data(as_text=True)
    assert status() == "submitted" and "保密审查" in page  # 道县: review and sign-off first
    act(admin, "review")  # not the administrator's step
    assert status() == "submitted"
    act(reviewer, "review")
    act(reviewer, "signoff")
    act(reviewer, "publish")  # not the reviewer's step
    assert status() == "signed"
    act(admin, "publish")
    assert status() == "published"


def test_region_admin_cannot_reach_another_regions_records_by_url(admin_app):
    client = admin_app.test_client()
    login(client, "zj_admin")
    with admin_app.extensions["zwgk.db"].sessionmaker() as session:
        sd = session.scalar(select(m.Obligation.id).where(m.Obligation.title == "重要政策解读材料主动发布"))
        dx_unit = session.scalar(select(m.AdminUnit.id).where(m.AdminUnit.key == DX))
        zj_std = session.scalar(select(m.Standard.id).where(m.Standard.key == "浙江省|1.1.1"))
    assert client.get(f"/admin/obligation/edit/?id={sd}").status_code == 404
    assert client.get(f"/admin/admin_unit/details/?id={dx_unit}").status_code == 404
    assert client.get(f"/admin/standard/edit/?id={zj_std}").status_code == 200
    assert "重要政策解读" not in client.get("/admin/obligation/").get_data(as_text=True)
    assert client.get("/admin/account/").status_code == 403  # users are the system administrator's


def test_bulk_delete_is_scoped(admin_app):
    client = admin_app.test_client()
    login(client, "dx_admin")
    token = csrf(client, f"{ITEMS}/")
    ids = admin_app.ids
    client.post(f"{ITEMS}/action/", data={"action": "delete", "rowid": [str(ids["in"]), str(ids["out"])],
                                          "csrf_token": token})
    left = _items(admin_app)
    assert ids["in"] not in left and ids["out"] in left  # the other region's row survived


def test_form_errors_from_the_schema_stand_next_to_the_field(admin_app):
    client = admin_app.test_client()
    login(client, "dx_admin")
    token = csrf(client, f"{ITEMS}/new/")
    unit_id, dom_id = _ids(admin_app, DX, "义务教育")
    page = client.post(f"{ITEMS}/new/", data={**_form(unit_id, dom_id, "缺渠道", channels=""), "csrf_token": token})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "缺少必填要素“渠道”" in text
    assert "invalid-feedback" in text or "help-block" in text  # rendered under the field
    assert not [v for v in _items(admin_app).values() if v[0] == "缺渠道"]


def test_an_edit_is_in_the_history_with_who_what_and_why(admin_app):
    client = admin_app.test_client()
    login(client, "dx_admin")
    item = admin_app.ids["in"]
    token = csrf(client, f"{ITEMS}/edit/?id={item}")
    unit_id, dom_id = _ids(admin_app, DX, "义务教育")
    client.post(f"{ITEMS}/edit/?id={item}",
                data={**_form(unit_id, dom_id, "招生入学", content="招生范围（2026年）", change_reason="按新政策更新"),
                      "csrf_token": token, "loaded_version": loaded_version(client, f"{ITEMS}/edit/?id={item}")})
    with admin_app.extensions["zwgk.db"].sessionmaker() as session:
        change = session.scalars(select(m.Change).where(m.Change.entity == "catalog_item", m.Change.entity_id == item,
                                                        m.Change.action == "update")).one()
    assert change.actor == "dx_admin" and change.reason == "按新政策更新"
    assert change.changes["content"] == ["招生范围、招生条件", "招生范围（2026年）"]
    history = client.get("/admin/change/").get_data(as_text=True)
    assert "按新政策更新" in history


def test_login_logout_and_protection(admin_app):
    client = admin_app.test_client()
    assert client.get("/admin/").status_code == 302  # closed until logged in
    assert client.get("/admin/catalog_item/").headers["Location"] == "/login?next=/admin/catalog_item/"
    bad = login(client, "dx_admin", "wrong password")
    assert bad.status_code == 401 and "用户名或密码错误" in bad.get_data(as_text=True)
    ok = login(client, "dx_admin")
    assert ok.headers["Location"] == "/admin/"
    cookie = ok.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.post("/logout").status_code == 400  # no CSRF token, no logout
    token = csrf(client, "/admin/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/admin/").status_code == 302


def test_no_redirect_to_another_host_after_login(admin_app):
    client = admin_app.test_client()
    page = client.get("/login?next=//evil.example/x")
    import re

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    resp = client.post("/login?next=//evil.example/x",
                       data={"username": "dx_admin", "password": "correct-horse-42", "csrf_token": token})
    assert resp.headers["Location"] == "/admin/"


def test_login_is_rate_limited(make_app, loaded_db_url):
    app = make_app(loaded_db_url, ZWGK_LOGIN_RATE="3 per minute")
    client = app.test_client()
    codes = [login(client, "nobody", "wrong password").status_code for _ in range(5)]
    assert codes[:3] == [401, 401, 401] and codes[3:] == [429, 429]


def test_chinese_first_and_english_by_switch(admin_app):
    client = admin_app.test_client()
    login(client, "sys")
    page = client.get("/admin/").get_data(as_text=True)
    assert "工作台" in page and "标准体系" in page and "各单位、各领域公开事项" in page
    client.get("/lang/en")
    page = client.get("/admin/").get_data(as_text=True)
    assert "Dashboard" in page and "Catalog items by unit and domain" in page
    page = client.get("/admin/standard/").get_data(as_text=True)
    assert "List" in page and "Title" in page  # Flask-Admin's own words and ours


def test_every_label_is_translated():
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    from zwgk.admin import MODEL_VIEWS
    from zwgk.admin.labels import LABELS

    from pathlib import Path

    base = Path(__file__).parent.parent / "core/translations/zh_Hans_CN/LC_MESSAGES/messages"
    with open(f"{base}.po", "rb") as f:
        po = read_po(f)
    with open(f"{base}.mo", "rb") as f:
        mo = read_mo(f)
    def plain(value):  # a plural message's id and strings are a sequence (a tuple from the .po, a list from the .mo)
        return tuple(value) if isinstance(value, (list, tuple)) else value

    assert ({plain(m.id): plain(m.string) for m in po if m.id}
            == {plain(m.id): plain(m.string) for m in mo if m.id}), "recompile the .mo"
    wanted = {str(v._args[0]) for v in LABELS.values()}
    wanted |= {str(x._args[0]) for row in MODEL_VIEWS for x in row[2:4]}
    missing = [w for w in wanted if not (po.get(w) and po.get(w).string)]
    assert not missing


def test_every_message_of_the_interface_has_a_chinese_translation():
    """Every string the code and the templates mark for translation is in the Chinese catalogue."""
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    core = Path(__file__).parent.parent / "core"
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
    found = {}
    for filename, lineno, message, *_ in extract_from_dir(
            str(core), [("**.py", "python"), ("**/templates/**.html", "jinja2")], keywords=keywords):
        found.setdefault(message if isinstance(message, str) else message[0], f"{filename}:{lineno}")
    assert "Checking every row" in found and "Import a catalog" in found  # the extraction reads both kinds
    with open(core / "translations/zh_Hans_CN/LC_MESSAGES/messages.po", "rb") as f:
        po = read_po(f)
    missing = {where: msg for msg, where in found.items() if not (po.get(msg) and po.get(msg).string)}
    assert not missing
    # babel keeps the last of two entries with one msgid: a duplicate would hide a translation
    import collections
    import re

    text = (core / "translations/zh_Hans_CN/LC_MESSAGES/messages.po").read_text(encoding="utf-8")
    ids = collections.Counter(re.findall(r'^msgid "(.+)"$', text, re.M))
    assert [msgid for msgid, n in ids.items() if n > 1] == []


def test_dashboard_counts_items_and_their_completeness(admin_app):
    client = admin_app.test_client()
    login(client, "dx_admin")
    page = client.get("/admin/").get_data(as_text=True)
    assert DX in page and "浙江省/杭州市/拱墅区" not in page  # scoped
    assert "100%" in page
    with admin_app.extensions["zwgk.db"].session() as session:
        item = session.get(m.CatalogItem, admin_app.ids["in"])
        item.channels = []  # 渠道 is one of 道县's 8 elements
    page = client.get("/admin/").get_data(as_text=True)
    assert "88%" in page  # 7 of 道县's 8 required elements on the 义务教育 row


def test_structure_tree_and_timeline_render(admin_app):
    client = admin_app.test_client()
    login(client, "sys")
    tree = client.get("/admin/structure/?region=浙江省").get_data(as_text=True)
    assert "<svg" in tree and "政务公开总则" in tree and "满意度测评规范" in tree and "考核评价" in tree
    line = client.get("/admin/timeline/?region=山东省&today=2018-02-15").get_data(as_text=True)
    assert "<svg" in line and "梳理编制事项标准目录" in line and "今天 2018-02-15" in line
    assert "http://" not in line.replace('xmlns="http://www.w3.org/2000/svg"', "")  # no CDN


def test_system_admin_enters_next_years_arrangement_in_the_admin(admin_app):
    import datetime as dt

    from zwgk.timelimits import due_date, parse
    from zwgk.workcalendar import WorkCalendar

    client = admin_app.test_client()
    login(client, "sys")
    token = csrf(client, "/admin/calendar_year/new/")
    client.post("/admin/calendar_year/new/", data={"year": "2027", "source": "国务院办公厅通知（测试）",
                                                   "entered_at": "2026-12-01 09:00:00", "csrf_token": token})
    token = csrf(client, "/admin/calendar_day/new/")
    client.post("/admin/calendar_day/new/", data={"day": "2027-01-01", "name": "元旦", "source": "测试",
                                                  "csrf_token": token})  # is_workday unticked: a day off
    with admin_app.extensions["zwgk.db"].sessionmaker() as session:
        result = due_date(parse("1个工作日内"), dt.date(2026, 12, 31), WorkCalendar.load(session))
    assert result.due == dt.date(2027, 1, 4) and not result.provisional  # Fri 01-01 off, weekend, Mon
    other = admin_app.test_client()
    login(other, "dx_admin")
    assert other.get("/admin/calendar_day/").status_code == 200  # everyone reads the calendar
    assert other.get("/admin/calendar_day/new/").status_code == 403  # only the system administrator edits it


def test_records_made_in_the_admin_get_a_natural_key(admin_app):
    client = admin_app.test_client()
    login(client, "dx_admin")
    with admin_app.extensions["zwgk.db"].sessionmaker() as session:
        dx = session.scalar(select(m.AdminUnit.id).where(m.AdminUnit.key == DX))
    token = csrf(client, "/admin/responsibility/new/")
    client.post("/admin/responsibility/new/", data={"scope": str(dx), "task": "编制目录", "responsible": "县政务公开办",
                                                    "due": "2026-12", "csrf_token": token})
    token = csrf(client, "/admin/admin_unit/new/")
    client.post("/admin/admin_unit/new/", data={"name": "寿雁镇", "level": "township", "parent": str(dx),
                                                "csrf_token": token})
    with admin_app.extensions["zwgk.db"].sessionmaker() as session:
        resp = session.scalar(select(m.Responsibility).where(m.Responsibility.task == "编制目录"))
        unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.name == "寿雁镇"))
    assert (resp.key, resp.origin) == (f"{DX}|编制目录", "admin")
    assert (unit.key, unit.origin) == (f"{DX}/寿雁镇", "admin")


def _upload(client, path, unit, domain="", dry_run=False):
    token = csrf(client, "/admin/catalog_import/")
    data = {"unit": unit, "domain": domain, "csrf_token": token,
            "file": (open(path, "rb"), path.name)}
    if dry_run:
        data["dry_run"] = "y"
    return client.post("/admin/catalog_import/", data=data, content_type="multipart/form-data")


def test_upload_a_catalog_in_the_admin(admin_app, tmp_path):
    from .test_catalog_io import ROWS, real_layout

    path = real_layout(tmp_path / "目录.xlsx", ROWS)
    admin = admin_app.test_client()
    login(admin, "dx_admin")
    before = len(_items(admin_app))
    page = _upload(admin, path, DX, "义务教育", dry_run=True).get_data(as_text=True)
    assert "全部有效（未写入）" in page and len(_items(admin_app)) == before
    page = _upload(admin, path, DX, "义务教育").get_data(as_text=True)
    assert "已导入 3" in page and len(_items(admin_app)) == before + 3
    # another region's unit is not offered, and posting it anyway is refused
    assert "浙江省/杭州市/拱墅区" not in admin.get("/admin/catalog_import/").get_data(as_text=True)
    page = _upload(admin, path, "浙江省/杭州市/拱墅区", "义务教育").get_data(as_text=True)
    assert "已导入" not in page and len(_items(admin_app)) == before + 3


def _upload_json(client, path, unit, domain="", dry_run=False):
    token = csrf(client, "/admin/catalog_import/")
    data = {"unit": unit, "domain": domain, "csrf_token": token, "file": (open(path, "rb"), path.name)}
    if dry_run:
        data["dry_run"] = "y"
    return client.post("/admin/catalog_import/", data=data, content_type="multipart/form-data",
                       headers={"Accept": "application/json"})


def _follow(client, answer):
    import time

    end = time.monotonic() + 30
    while time.monotonic() < end:
        status = client.get(answer["status"]).get_json()
        if status["finished"]:
            return status
        time.sleep(0.05)
    raise AssertionError("the import did not finish")


def test_upload_by_script_runs_as_a_job_with_progress_and_a_result_page(admin_app, tmp_path):
    from .test_catalog_io import ROWS, real_layout

    path = real_layout(tmp_path / "目录.xlsx", ROWS)
    admin = admin_app.test_client()
    login(admin, "dx_admin")
    before = len(_items(admin_app))
    resp = _upload_json(admin, path, DX, "义务教育")
    assert resp.status_code == 202
    answer = resp.get_json()
    status = _follow(admin, answer)
    assert status == {"id": answer["job"], "phase": "done", "done": status["done"], "total": status["total"],
                      "finished": True, "filename": "目录.xlsx", "ok": True, "written": 3, "problems": 0,
                      "warnings": [], "error": None}
    assert len(_items(admin_app)) == before + 3
    page = admin.get(answer["result"]).get_data(as_text=True)
    assert "已导入 3" in page
    with admin_app.extensions["zwgk.db"].sessionmaker() as session:
        [change] = session.scalars(select(m.Change).where(m.Change.action == "import")).all()
        assert change.actor == "dx_admin" and change.reason == "import 目录.xlsx"

    # another user cannot see the job; a bad form is answered in JSON, field by field
    other = admin_app.test_client()
    login(other, "sys")
    assert other.get(answer["status"]).status_code == 404
    assert other.get(answer["result"]).status_code == 404
    resp = other.post("/admin/catalog_import/", data={"csrf_token": csrf(other, "/admin/catalog_import/"),
                                                      "unit": DX}, headers={"Accept": "application/json"})
    assert resp.status_code == 400 and "file" in resp.get_json()["errors"]


def test_a_job_with_problems_writes_nothing_and_offers_the_report(admin_app, tmp_path):
    from .test_catalog_io import ROWS, real_layout

    bad = [list(ROWS[0])]
    bad[0][3] = ""  # 公开内容 is required in 道县
    path = real_layout(tmp_path / "目录.xlsx", bad)
    admin = admin_app.test_client()
    login(admin, "dx_admin")
    before = len(_items(admin_app))
    answer = _upload_json(admin, path, DX, "义务教育").get_json()
    status = _follow(admin, answer)
    assert (status["ok"], status["written"], status["problems"]) == (False, 0, 1)
    assert len(_items(admin_app)) == before
    page = admin.get(answer["result"]).get_data(as_text=True)
    assert "缺少必填要素" in page and "下载错误报告" in page
    report = admin.get(answer["result"].replace("/result", "/errors.csv"))
    assert report.status_code == 200 and "第4行 row 4" in report.data.decode("utf-8-sig")
    assert "缺少必填要素" in report.data.decode("utf-8-sig")


def test_one_running_import_per_user(admin_app, tmp_path, monkeypatch):
    import threading

    import zwgk.importjobs as jobs_module

    from .test_catalog_io import ROWS, real_layout

    release = threading.Event()
    real = jobs_module.import_catalog

    def slow(*args, **kwargs):
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs_module, "import_catalog", slow)
    path = real_layout(tmp_path / "目录.xlsx", ROWS)
    admin = admin_app.test_client()
    login(admin, "dx_admin")
    first = _upload_json(admin, path, DX, "义务教育")
    assert first.status_code == 202
    assert admin.get(first.get_json()["status"]).get_json()["finished"] is False
    second = _upload_json(admin, path, DX, "义务教育")
    assert second.status_code == 429 and "仍在进行" in second.get_json()["errors"]["file"][0]
    release.set()
    assert _follow(admin, first.get_json())["written"] == 3


def test_upload_reports_row_problems_and_an_editor_stays_in_its_domains(admin_app, tmp_path):
    from .test_catalog_io import ROWS, real_layout

    path = real_layout(tmp_path / "目录.xlsx", ROWS)
    editor = admin_app.test_client()
    login(editor, "dx_editor")
    before = len(_items(admin_app))
    page = _upload(editor, path, DX, "社会救助").get_data(as_text=True)
    assert "处问题，未写入任何内容" in page and "不是本部门负责的领域" in page and "下载错误报告" in page
    assert len(_items(admin_app)) == before
    page = _upload(editor, path, DX, "义务教育").get_data(as_text=True)
    assert "已导入 3" in page
    viewer = admin_app.test_client()
    login(viewer, "dx_viewer")
    assert viewer.get("/admin/catalog_import/").status_code == 403


def test_catalog_diff_in_the_admin_shows_changes_between_two_beijing_dates(admin_app):
    import datetime as dt

    from zwgk.catalog_history import BEIJING

    db = admin_app.extensions["zwgk.db"]
    ids = admin_app.ids
    with db.session(actor="dx_admin", reason="调整") as session:
        session.get(m.CatalogItem, ids["in"]).content = "招生范围、招生条件、招生结果"
        session.get(m.CatalogItem, ids["in"]).method_on_request = True
    with db.session() as session:  # the seed on 1 November, the change on 20 November at 10:00 Beijing time
        for v in session.scalars(select(m.CatalogItemVersion)):
            v.at = dt.datetime(2026, 11, 1, 9, tzinfo=BEIJING) if v.version == 1 else \
                dt.datetime(2026, 11, 20, 10, tzinfo=BEIJING)
    client = admin_app.test_client()
    login(client, "dx_admin")

    page = client.get(f"/admin/catalog_diff/?unit={DX}&from=2026-11-02&to=2026-11-20").get_data(as_text=True)
    assert "新增 0，删除 0，变更 1" in page
    assert "<del>招生范围、招生条件</del>" in page and "招生范围、招生条件、招生结果" in page
    assert "依申请" in page  # the element's Chinese name, its new value a √
    assert "最低生活保障" not in page  # unchanged items are not listed

    page = client.get(f"/admin/catalog_diff/?unit={DX}&from=2026-11-02&to=2026-11-19").get_data(as_text=True)
    assert "变更 0" in page and "此期间没有变化" in page  # the 20th is not in a range that ends on the 19th

    page = client.get(f"/admin/catalog_diff/?unit={DX}&to=2026-11-19").get_data(as_text=True)
    assert "新增 2，删除 0，变更 0" in page and "最低生活保障" in page and "最初" in page

    # outside the user's region, or a date that is not one: a message, no comparison
    page = client.get("/admin/catalog_diff/?unit=浙江省/杭州市/拱墅区").get_data(as_text=True)
    assert "不在您的范围内的单位" in page and "拱墅区招生" not in page
    page = client.get(f"/admin/catalog_diff/?unit={DX}&from=11月2日").get_data(as_text=True)
    assert "不是日期或时间" in page and "diff-summary" not in page
    assert "浙江省/杭州市/拱墅区" not in client.get("/admin/catalog_diff/").get_data(as_text=True)


def test_exports_of_the_catalog_list_and_of_a_selection_are_in_the_catalog_layout(admin_app, tmp_path):
    import io
    import json

    from openpyxl import load_workbook

    client = admin_app.test_client()
    login(client, "dx_admin")
    ids = admin_app.ids
    # a selection, through the list's bulk action: another region's id is simply not found
    token = csrf(client, f"{ITEMS}/")
    resp = client.post(f"{ITEMS}/action/", data={"action": "export_layout", "csrf_token": token,
                                                 "rowid": [str(ids["in"]), str(ids["out"])]})
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(resp.data)).active
    assert [c.value for c in sheet[3]][1:3] == ["一级事项", "二级事项"]  # the two-row header
    assert [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)] == ["招生入学"]
    # ... which imports back
    path = tmp_path / "selection.xlsx"
    path.write_bytes(resp.data)
    from zwgk.catalog_io import import_catalog

    with admin_app.extensions["zwgk.db"].session() as session:
        result = import_catalog(session, admin_app.extensions["zwgk.pm"], path, DX, dry_run=True)
    assert result.ok and result.rows == 1, [str(p) for p in result.problems]

    # the whole (filtered, scoped) list as JSON records and as CSV columns
    records = json.loads(client.get(f"{ITEMS}/export/json/").data)
    assert sorted(r["level1"] for r in records) == ["招生入学", "最低生活保障"]
    text = client.get(f"{ITEMS}/export/csv/").data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("序号,一级事项,二级事项,公开内容（要素）") and "拱墅区招生" not in text

    viewer = admin_app.test_client()
    login(viewer, "dx_viewer")  # may export, may not delete
    token = csrf(viewer, f"{ITEMS}/")
    assert viewer.post(f"{ITEMS}/action/", data={"action": "export_layout", "csrf_token": token,
                                                 "rowid": [str(ids["in"])]}).status_code == 200


def test_every_admin_export_neutralises_cells_a_spreadsheet_would_run(admin_app):
    with admin_app.extensions["zwgk.db"].session(actor="test") as session:
        unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == DX))
        session.add(m.Responsibility(task="=cmd|' /C calc'!A0", responsible="@SUM(1)", responsible_units=[],
                                     scope=unit, key="x", origin="admin"))
    client = admin_app.test_client()
    login(client, "sys")
    text = client.get("/admin/responsibility/export/csv/").data.decode("utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in text and "'@SUM(1)" in text
    assert ",=cmd" not in text and ",@SUM" not in text


def test_versions_page_lists_changes_and_reverts_with_a_reason(admin_app):
    db = admin_app.extensions["zwgk.db"]
    item_id = admin_app.ids["in"]
    with db.session(actor="dx_editor", reason="补充内容") as session:
        session.get(m.CatalogItem, item_id).content = "改错了的内容"
    client = admin_app.test_client()
    login(client, "dx_admin")
    details = client.get(f"{ITEMS}/details/?id={item_id}").get_data(as_text=True)
    assert "本事项的版本与历史" in details
    page = client.get(f"{ITEMS}/versions/?id={item_id}").get_data(as_text=True)
    assert "v2" in page and "当前" in page and "补充内容" in page and "dx_editor" in page
    assert "<del class=\"text-danger\">招生范围、招生条件</del> → <span class=\"text-success\">改错了的内容</span>" in page

    token = csrf(client, f"{ITEMS}/versions/?id={item_id}")
    # no reason: refused, nothing changes
    client.post(f"{ITEMS}/revert/", data={"csrf_token": token, "id": item_id, "version": 1, "reason": ""})
    assert _items(admin_app)[item_id][1] == "改错了的内容"
    # no token: refused
    assert client.post(f"{ITEMS}/revert/", data={"id": item_id, "version": 1, "reason": "x"}).status_code == 400
    resp = client.post(f"{ITEMS}/revert/", data={"csrf_token": token, "id": item_id, "version": 1,
                                                 "reason": "恢复原内容"}, follow_redirects=True)
    assert "已恢复为第1版的内容，现为第3版" in resp.get_data(as_text=True)
    assert _items(admin_app)[item_id][1] == "招生范围、招生条件"
    with db.sessionmaker() as session:
        v3 = session.scalar(select(m.CatalogItemVersion).where(m.CatalogItemVersion.item_id == item_id,
                                                               m.CatalogItemVersion.version == 3))
        assert (v3.actor, v3.reason, v3.status) == ("dx_admin", "恢复原内容", "draft")

    # another region's item does not exist for this user; a viewer sees versions but cannot revert
    assert client.get(f"{ITEMS}/versions/?id={admin_app.ids['out']}").status_code == 404
    assert client.post(f"{ITEMS}/revert/", data={"csrf_token": token, "id": admin_app.ids["out"], "version": 1,
                                                 "reason": "x"}).status_code == 404
    viewer = admin_app.test_client()
    login(viewer, "dx_viewer")
    page = viewer.get(f"{ITEMS}/versions/?id={item_id}").get_data(as_text=True)
    assert "v3" in page and "恢复到此版本" not in page
    vtoken = csrf(viewer, f"{ITEMS}/versions/?id={item_id}")
    assert viewer.post(f"{ITEMS}/revert/", data={"csrf_token": vtoken, "id": item_id, "version": 2,
                                                 "reason": "x"}).status_code == 403
    assert _items(admin_app)[item_id][1] == "招生范围、招生条件"


def test_the_selection_export_puts_an_item_without_seq_first_on_every_database(admin_app):
    """The layout export of a selection orders as every catalog export (catalog_export.order_of):
    an item without 序号 before its domain's numbered ones, on PostgreSQL as on SQLite."""
    import io

    from openpyxl import load_workbook

    from .admin_helpers import publish

    made = [publish(admin_app, DX, domain="社会救助", seq=seq, level1=f"第{seq}项") for seq in (2, None, 1)]
    client = admin_app.test_client()
    login(client, "dx_admin")
    token = csrf(client, f"{ITEMS}/")
    resp = client.post(f"{ITEMS}/action/", data={"action": "export_layout", "csrf_token": token,
                                                 "rowid": [str(i) for i in made]})
    assert resp.status_code == 200
    sheet = load_workbook(io.BytesIO(resp.data)).active
    assert [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)] == ["第None项", "第1项", "第2项"]
