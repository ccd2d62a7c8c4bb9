"""Errors that carried both languages in one string now reach a page or an API client in its
language (docs/i18n.md); the command line keeps both."""

import json
import re

import pytest

from .admin_helpers import DX, csrf, login, seed
from .evaluation_fixture import JIA, PROVINCE, build
from .test_api_v1 import ITEM, token_for
from .test_browser import live  # noqa: F401 - the fixture


@pytest.fixture
def eapp(make_app, loaded_db_url):
    app = make_app(loaded_db_url)
    build(app.extensions["zwgk.db"])
    return app


def _qn_id(app):
    from sqlalchemy import select

    from zwgk.evaluation import models as em

    with app.extensions["zwgk.db"].sessionmaker() as s:
        return s.scalar(select(em.Questionnaire.id).where(em.Questionnaire.code == "sat-2018"))


def test_survey_problems_follow_the_page_language(eapp, tmp_path):
    bad = tmp_path / "answers.csv"
    bad.write_text(f"unit,answered_on,q1,q2\n{JIA},2018-13-01,9,x\n测试省/无此县,2018-09-01,3,3\n", encoding="utf-8")
    c = eapp.test_client()
    login(c, "prov_admin")
    said = {}
    for lang in ("zh_Hans_CN", "en"):
        c.get(f"/lang/{lang}")
        page = c.post("/admin/surveys/import", data={
            "csrf_token": csrf(c, "/admin/surveys/"), "questionnaire": str(_qn_id(eapp)),
            "file": (open(bad, "rb"), "answers.csv")}, content_type="multipart/form-data", follow_redirects=True)
        said[lang] = page.get_data(as_text=True)
    zh, en = said["zh_Hans_CN"], said["en"]
    assert "answers.csv 第2行" in zh and "应为 1–5：9" in zh and "日期应为 YYYY-MM-DD" in zh and "找不到单位" in zh
    assert "must be within" not in zh and "row 2" not in zh and "unknown unit" not in zh
    assert "answers.csv row 2" in en and "must be within 1–5: 9" in en and "not a whole number: &#39;x&#39;" in en
    assert "unknown unit" in en and "第2行" not in en and "应为" not in en and "找不到单位" not in en


def test_a_survey_answer_without_a_date_is_said_in_the_page_language(eapp):
    c = eapp.test_client()
    login(c, "prov_admin")
    for lang, words, other in (("zh_Hans_CN", "作答日期：不是日期", "Invalid isoformat"),
                               ("en", "Answered on: not a date (YYYY-MM-DD)", "作答日期")):
        c.get(f"/lang/{lang}")
        page = c.post("/admin/surveys/respond", data={
            "csrf_token": csrf(c, "/admin/surveys/"), "questionnaire": str(_qn_id(eapp)), "unit": JIA,
            "answered_on": "", "q_q1": "3", "q_q2": "3"}, follow_redirects=True).get_data(as_text=True)
        assert words in page and other not in page, lang
        bad = c.post("/admin/surveys/respond", data={
            "csrf_token": csrf(c, "/admin/surveys/"), "questionnaire": str(_qn_id(eapp)), "unit": JIA,
            "answered_on": "2018-09-03", "q_q1": "7", "q_q2": ""}, follow_redirects=True).get_data(as_text=True)
        assert ("应为 1–5：7" in bad and "must be" not in bad) if lang != "en" else (
            "must be within 1–5: 7" in bad and "应为" not in bad)


def test_the_survey_command_line_keeps_both_languages(eapp):
    from zwgk.evaluation import survey

    with eapp.extensions["zwgk.db"].session() as s:
        with pytest.raises(survey.SurveyError) as err:
            survey.define(s, "x", "问卷", [{"code": "q1", "text": "满意吗", "scale": 1}])
    assert "问题 question 1" in str(err.value) and "量表应为 2–10 级 the scale must be 2–10" in str(err.value)


@pytest.fixture
def dx_app(make_app, regions_db_url):
    app = make_app(regions_db_url, plugins="daoxian")
    seed(app)
    return app


def test_the_catalog_import_page_gives_the_schema_messages_in_its_language(dx_app, tmp_path):
    path = tmp_path / "目录.json"
    record = {k: v for k, v in ITEM.items() if k != "unit"}
    path.write_text(json.dumps([{**record, "audience_public": "maybe", "seq": "第一"}], ensure_ascii=False),
                    encoding="utf-8")
    c = dx_app.test_client()
    login(c, "dx_admin")
    for lang, words, other in (("zh_Hans_CN", "不是“√”或空白（是/否）", "Not a valid boolean."),
                               ("en", "Not a valid boolean.", "不是“√”或空白")):
        c.get(f"/lang/{lang}")
        page = c.post("/admin/catalog_import/", data={
            "unit": DX, "domain": "义务教育", "csrf_token": csrf(c, "/admin/catalog_import/"),
            "file": (open(path, "rb"), path.name)}, content_type="multipart/form-data").get_data(as_text=True)
        assert words in page and other not in page, lang


@pytest.mark.parametrize("accept, words, other", [
    ("en-US,en;q=0.9", "Not a date or time", "不是日期"), ("zh-CN,zh;q=0.9", "不是日期或时间", "Not a date"),
    (None, "不是日期或时间", "Not a date")])
def test_an_api_client_gets_its_accept_language(dx_app, accept, words, other):
    c = dx_app.test_client()
    headers = {"Accept-Language": accept} if accept else {}
    got = c.get("/api/v1/catalog_changes?region=道县&from=yesterday", headers=headers)
    assert got.status_code == 400 and words in got.get_json()["message"] and other not in got.get_json()["message"]
    auth = {**headers, "Authorization": f"Bearer {token_for(dx_app, 'dx_admin')}"}
    flag = c.post("/api/v1/catalog_items", json={**ITEM, "method_active": "yes"}, headers=auth).get_json()
    said = str(flag["errors"])
    assert ("Must be a JSON boolean" in said) == (accept is not None and accept.startswith("en")), said


def test_a_browser_page_stays_chinese_whatever_its_accept_language(dx_app):
    """Accept-Language counts for the API only: the pages are Chinese first until the switch says otherwise."""
    page = dx_app.test_client().get("/catalog", headers={"Accept-Language": "en-US,en"})
    assert page.status_code == 200 and 'lang="zh' in page.get_data(as_text=True)


@pytest.mark.browser
def test_survey_and_import_problems_in_the_browser_in_both_languages(live, tmp_path):  # noqa: F811
    from zwgk.evaluation import survey

    from .test_browser import SHOTS, _login

    app, base, browser = live
    SHOTS.mkdir(exist_ok=True)
    with app.extensions["zwgk.db"].session() as s:
        survey.define(s, "dx-sat", "道县满意度测评", [{"code": "q1", "text": "是否满意", "scale": 5}], scope=DX)
    answers = tmp_path / "answers.csv"
    answers.write_text(f"unit,answered_on,q1\n{DX},2025-13-01,9\n", encoding="utf-8")
    catalog = tmp_path / "目录.json"
    record = {k: v for k, v in ITEM.items() if k != "unit"}
    catalog.write_text(json.dumps([{**record, "audience_public": "maybe"}], ensure_ascii=False), encoding="utf-8")
    page = _login(browser, base, "dx_admin")
    for lang, said, import_said in (("zh_Hans_CN", "应为 1–5：9", "不是“√”或空白"), ("en", "must be within 1–5: 9",
                                                                              "Not a valid boolean.")):
        page.goto(f"{base}/lang/{lang}")
        page.goto(f"{base}/admin/surveys/")
        form = page.locator("form[action$='/admin/surveys/import']")
        form.locator("input[type=file]").set_input_files(str(answers))
        form.locator("button[type=submit], input[type=submit]").first.click()
        page.wait_for_load_state()
        assert said in page.inner_text("body"), lang
        page.screenshot(path=str(SHOTS / f"survey_problems_{lang}.png"), full_page=True)
        page.goto(f"{base}/admin/catalog_import/")
        page.set_input_files("#file", str(catalog))
        page.select_option("#unit", DX)
        page.fill("#domain", "义务教育")
        page.click("#import-submit")
        page.wait_for_selector("#import-result", timeout=60_000)
        assert import_said in page.inner_text("body"), lang
        page.screenshot(path=str(SHOTS / f"import_problems_{lang}.png"), full_page=True)


def test_the_import_page_counts_its_problems_in_each_language(dx_app, tmp_path):
    """"1 problem", "2 problems" in English; "1 处问题" in Chinese (the count, not "1 problems")."""
    record = {k: v for k, v in ITEM.items() if k != "unit"}
    c = dx_app.test_client()
    login(c, "dx_admin")
    for n, lang, words in ((1, "en", "1 problem; nothing was written."), (2, "en", "2 problems; nothing was written."),
                           (1, "zh_Hans_CN", "1 处问题，未写入任何内容。")):
        path = tmp_path / f"目录{n}.json"
        path.write_text(json.dumps([{**record, "audience_public": "maybe"}] * n, ensure_ascii=False), encoding="utf-8")
        c.get(f"/lang/{lang}")
        page = c.post("/admin/catalog_import/", data={
            "unit": DX, "domain": "义务教育", "csrf_token": csrf(c, "/admin/catalog_import/"),
            "file": (open(path, "rb"), path.name)}, content_type="multipart/form-data").get_data(as_text=True)
        assert words in page, (n, lang)
        assert "1 problems" not in page


EN, ZH = "en-US,en;q=0.9", "zh-CN,zh;q=0.9"
_CJK = re.compile(r"[\u3400-\u9fff（），。：“”]")


def _refusals(app, accept):
    """A refusal of each kind the API gives, asked with ``accept``: name → (status, body)."""
    c = app.test_client()
    lang = {"Accept-Language": accept} if accept else {}
    auth = {**lang, "Authorization": f"Bearer {token_for(app, 'dx_admin')}"}
    editor = {**lang, "Authorization": f"Bearer {token_for(app, 'dx_editor')}"}
    items = "/api/v1/catalog_items"
    made = c.post(items, json=ITEM, headers=auth).get_json()
    asked = {
        "401": c.post(items, json=ITEM, headers=lang),
        "403": c.post(items, json={**ITEM, "domain": "社会救助"}, headers=editor),
        "404": c.get(f"{items}/999999/current", headers=auth),
        "404 published": c.get(f"{items}/999999", headers=lang),
        "409 version": c.patch(f"{items}/{made['id']}", json={"version": made["version"] + 5, "content": "新"},
                               headers=auth),
        "400 cursor": c.get(f"{items}?cursor=xyz", headers=lang),
        "400 version": c.patch(f"{items}/{made['id']}", json={"content": "新"}, headers=auth),
        # the catalog checks: a required element missing (道县: 公开依据), a date that does not exist,
        # an unknown domain; then the schema's own (a text too long, a null 一级事项)
        "400 checks": c.post(items, json={**{k: v for k, v in ITEM.items() if k != "basis"},
                                          "time_limit": "2026年2月30日前", "domain": "无此领域"}, headers=auth),
        "400 schema": c.post(items, json={**ITEM, "level1": None, "seq": -1}, headers=auth),
        "400 columns": c.post(items, json={**ITEM, "level2": "长" * 300, "content": "a\x01"}, headers=auth),
    }
    c.post(f"{items}/{made['id']}/submit", headers=auth)
    asked["409 step"] = c.post(f"{items}/{made['id']}/submit", headers=auth)  # submitted already
    return {name: (got.status_code, got.get_json()) for name, got in asked.items()}


#: what each refusal says, in Chinese and in English
SAID = {
    "401": ("需要有效的接口令牌", "A valid API token is required"),
    "403": ("不在您的权限范围内：湖南省/永州市/道县 / 社会救助", "Outside your scope: 湖南省/永州市/道县 / 社会救助"),
    "404": ("没有这个事项，或不在您的权限范围内", "No such item in your scope"),
    "404 published": ("没有这个已公开的事项", "No such published item"),
    "409 version": ("您读取的是第6版，现为第1版", "The item changed since version 6; it is now version 1"),
    "409 step": ("“接口新增事项”", "“接口新增事项” is Submitted: this step needs Draft"),
    "400 cursor": ("cursor 无效", "Invalid cursor"),
    "400 version": ("须提供读取时的版本", "The version read is required"),
    "400 checks": ("事项未通过校验", "The item is not valid"),
    "400 schema": None,
    "400 columns": None,
}


def _english_only(text):
    """No Chinese but the data: units, domains, the item's name, what a check quotes (“…”) and the
    document a required element comes from."""
    text = re.sub(r"“[^”]*”|\(per [^)]*\)", "", text)
    return not _CJK.search(text.replace("湖南省/永州市/道县", "").replace("社会救助", "").replace("无此领域", ""))


def _chinese_only(text):
    return not re.search(r"\b(the|is|a|not|no|valid|unknown|missing|required|must|field|item)\b", text, re.I)


@pytest.mark.parametrize("accept, english", [(EN, True), (ZH, False), ("fr-FR,fr", False), (None, False)])
def test_api_refusals_speak_the_clients_language(dx_app, accept, english):
    """401, 403, 404, 409 and the catalog checks' 400: one language, the client's (Accept-Language),
    else the deployment's (Chinese here); the JSON keeps its shape and its field names."""
    got = _refusals(dx_app, accept)
    expected = {"401": 401, "403": 403, "404": 404, "404 published": 404, "409 version": 409, "409 step": 409,
                "400 cursor": 400, "400 version": 400, "400 checks": 400, "400 schema": 400, "400 columns": 400}
    assert {name: status for name, (status, _) in got.items()} == expected, got
    for name, (_, body) in got.items():
        assert set(body) >= {"code", "status"}, name
        said = json.dumps({k: v for k, v in body.items() if k in ("message", "errors")}, ensure_ascii=False)
        if SAID[name] is not None:
            assert SAID[name][english] in body["message"], (name, body)
        assert (_english_only if english else _chinese_only)(said), (name, said)
    checks = got["400 checks"][1]["errors"]
    assert set(checks) == {"basis", "time_limit", "domain"}  # the fields keep their names
    text = json.dumps(checks, ensure_ascii=False)
    if english:
        assert "Missing required element “依据” (per " in text and "No such date in the time limit: “2026年2月30”" in text
        assert "Unknown domain: 无此领域" in text
    else:
        assert "缺少必填要素“依据”（依据 " in text and "公开时限中的日期不存在：“2026年2月30”" in text
        assert "找不到领域：无此领域" in text
    schema = got["400 schema"][1]["errors"]["json"]
    columns = got["400 columns"][1]["errors"]["json"]
    assert set(schema) == {"level1", "seq"} and set(columns) == {"level2", "content"}
    if english:
        assert schema == {"level1": ["Field may not be null."], "seq": ["seq must be between 0 and 2147483647"]}
        assert columns == {"level2": ["At most 200 characters."], "content": ["Contains a control character."]}
    else:
        assert schema == {"level1": ["不能为空"], "seq": ["序号应为 0 到 2147483647 之间的整数"]}
        assert columns == {"level2": ["不能超过200个字"], "content": ["含有控制字符"]}


def test_the_api_refusals_name_the_same_fields_as_before(dx_app):
    """The catalog checks, refused through the command line's validator, keep both languages there."""
    from zwgk.catalog import validate_item

    with dx_app.extensions["zwgk.db"].sessionmaker() as session:
        _, problems = validate_item(session, dx_app.extensions["zwgk.pm"],
                                    {**{k: v for k, v in ITEM.items() if k != "basis"}, "domain": "无此领域"})
    said = {p.field: p.message for p in problems}
    assert said["domain"] == "找不到领域 unknown domain '无此领域'"
    assert "缺少必填要素“依据” missing required element" in said["basis"]


@pytest.mark.parametrize("accept, words, other", [("zh-CN", "不是有效的 JSON", "Invalid JSON"),
                                                  ("en-GB;q=0.9, zh;q=0.8", "Invalid JSON body.", "不是有效")])
def test_a_body_that_is_not_json_is_refused_in_the_clients_language(dx_app, accept, words, other):
    auth = {"Accept-Language": accept, "Authorization": f"Bearer {token_for(dx_app, 'dx_admin')}"}
    got = dx_app.test_client().post("/api/v1/catalog_items", data="{not json", content_type="application/json",
                                    headers=auth)
    assert got.status_code == 400
    [said] = got.get_json()["errors"]["json"]
    assert words in said and other not in said


def test_an_api_refusal_says_that_it_depends_on_the_accept_language(dx_app):
    # a 404 may be kept by a shared cache (RFC 9110 §15.1): it must not serve one client's language to another
    c = dx_app.test_client()
    for path in ("/api/v1/catalog_items/999999", "/api/v1/catalog_items?cursor=zzz"):
        got = c.get(path, headers={"Accept-Language": "en"})
        assert got.status_code in (400, 404) and "Accept-Language" in got.headers.get("Vary", ""), path


def test_every_problem_of_a_field_is_said_not_only_the_last(dx_app):
    auth = {"Accept-Language": "en", "Authorization": f"Bearer {token_for(dx_app, 'dx_admin')}"}
    item = {**ITEM, "time_limit": "2018年2月30日前起草，2018年6月31日前公开"}
    got = dx_app.test_client().post("/api/v1/catalog_items", json=item, headers=auth)
    assert got.status_code == 400, got.get_json()
    said = got.get_json()["errors"]["time_limit"]
    assert len(said) == 2 and "2018年2月30" in said[0] and "2018年6月31" in said[1], said


# --------------------------------------------------------------------------
# Session 8: the messages other modules made in both languages, under /api/
# --------------------------------------------------------------------------

TWIN = "浙江省/道县"  # a second unit named 道县: the name alone is no longer unique
CANDIDATES = ("湖南省/永州市/道县", TWIN)


def _twin(app):
    from sqlalchemy import select

    from zwgk import models as m

    with app.extensions["zwgk.db"].session() as session:
        parent = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == "浙江省"))
        session.add(m.AdminUnit(key=TWIN, name="道县", level="county", parent=parent, origin="test"))


def _said(body):
    """The words of a refusal: its message and its errors' messages (not the fields' names)."""
    errors = body.get("errors") or {}
    return " ".join([body.get("message") or "", *(m for v in errors.values() for m in v)])


def _one_language(said, english):
    """The words, the data taken out (unit names and paths, what the client wrote): no Chinese
    in English, no English word in Chinese."""
    for data in (*CANDIDATES, "道县", "火星"):
        said = said.replace(data, "")
    return _english_only(said) if english else not re.search("[A-Za-z]{2,}", said)


LANGUAGES = [(EN, True), (ZH, False), ("fr-FR,fr", False), (None, False)]


@pytest.mark.parametrize("accept, english", LANGUAGES)
def test_a_unit_name_that_is_not_unique_is_said_in_the_clients_language(dx_app, accept, english):
    """A body's unit and a query's region named by a name two units share: a 400 listing both paths,
    in the client's language (it was both at once)."""
    _twin(dx_app)
    c = dx_app.test_client()
    lang = {"Accept-Language": accept} if accept else {}
    auth = {**lang, "Authorization": f"Bearer {token_for(dx_app, 'dx_admin')}"}
    made = c.post("/api/v1/catalog_items", json={**ITEM, "unit": "道县"}, headers=auth)
    listed = [c.get(f"/api/v1/{path}?region=道县", headers=lang) for path in ("catalog_items", "units")]
    for got in (made, *listed):
        assert got.status_code == 400 and "Accept-Language" in got.headers.get("Vary", ""), got.get_json()
        said = _said(got.get_json())
        assert all(path in said for path in CANDIDATES), said
        assert ("is not unique" in said) == english and ("不唯一" in said) != english, said
        assert _one_language(said, english), said
    assert set(made.get_json()["errors"]) == {"unit"}  # the field keeps its name


@pytest.mark.parametrize("accept, english", LANGUAGES)
def test_a_region_that_cannot_be_resolved_is_said_in_the_clients_language(dx_app, accept, english):
    c = dx_app.test_client()
    lang = {"Accept-Language": accept} if accept else {}
    for path in ("catalog_items", "units", "domains", "catalog_changes"):
        got = c.get(f"/api/v1/{path}?region=火星", headers=lang)
        assert got.status_code == 400 and "Accept-Language" in got.headers.get("Vary", ""), (path, got.get_json())
        said = got.get_json()["message"]
        assert ("Unknown region: 火星" in said) == english and ("找不到地区：火星" in said) != english, said
        assert _one_language(said, english), said


@pytest.mark.parametrize("accept, english", LANGUAGES)
def test_a_body_too_large_is_refused_in_the_clients_language(make_app, regions_db_url, accept, english):
    app = make_app(regions_db_url, plugins="daoxian", MAX_CONTENT_LENGTH=64 * 1024)
    seed(app)
    lang = {"Accept-Language": accept} if accept else {}
    auth = {**lang, "Authorization": f"Bearer {token_for(app, 'dx_admin')}"}
    got = app.test_client().post("/api/v1/catalog_items", json={**ITEM, "content": "长" * 40_000}, headers=auth)
    assert got.status_code == 413 and "Accept-Language" in got.headers.get("Vary", "")
    body = got.get_json()
    assert body["code"] == 413 and str(64 * 1024) in body["message"], body
    said = _said(body)
    assert ("Request too large" in said) == english and ("请求过大" in said) != english, said
    assert _one_language(said, english), said


FULL_WIDTH = re.compile("[，。：；（）“”、！？]")


def _stale_refusal(app, lang, content, basis):
    """A and B open the same item; A saves two changes; B's form, opened before, is refused: the
    message B's page shows (in ``lang``)."""
    import html

    from sqlalchemy import select

    from zwgk import models as m

    from .test_security import form_of

    with app.extensions["zwgk.db"].sessionmaker() as session:
        item_id = session.scalar(select(m.CatalogItem.id).where(m.CatalogItem.level1 == "招生入学"))
    url = f"/admin/catalog_item/edit/?id={item_id}"
    a, b = app.test_client(), app.test_client()
    login(a, "dx_admin")
    login(b, "dx_admin")
    b.get(f"/lang/{lang}")
    form_a, form_b = form_of(a, url).data, form_of(b, url).data
    assert a.post(url, data={**form_a, "content": content, "basis": basis,
                             "change_reason": "A"}).status_code == 302
    page = b.post(url, data={**form_b, "subject": "乙", "change_reason": "B"}, follow_redirects=True)
    text = html.unescape(page.get_data(as_text=True))
    found = re.search(r"(Not saved|未保存)[^<]*", text)
    assert found, text
    return found.group(0).strip()


def test_the_stale_form_message_is_punctuated_as_its_language(dx_app):
    """English with ASCII punctuation (the values quoted "…"), Chinese with full-width (（）：“…”；)."""
    zh = _stale_refusal(dx_app, "zh_Hans_CN", "甲的新内容，含标点", "《新依据》")
    en = _stale_refusal(dx_app, "en", "乙的内容：含标点", "《又一依据》")
    assert "以下为期间的修改：dx_admin（" in zh and "公开内容：“招生范围、招生条件” → “甲的新内容，含标点”" in zh, zh
    assert "；公开依据：“《中华人民共和国义务教育法》” → “《新依据》”" in zh, zh
    assert re.search(r"Changed meanwhile: dx_admin \(\d{4}-\d\d-\d\d \d\d:\d\d\) ", en), en
    assert 'Content: "甲的新内容，含标点" → "乙的内容：含标点"' in en, en
    assert 'Basis: "《新依据》" → "《又一依据》"' in en, en
    words = re.sub(r'"[^"]*"', "", en)  # the values are data, as stored
    assert not FULL_WIDTH.search(words), words
    assert not re.search(r"[\u3400-\u9fff]", words), words
