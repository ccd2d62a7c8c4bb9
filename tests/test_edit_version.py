"""Issue 10, follow-up: an admin edit posted without the version it was loaded at
(``loaded_version``) — a script posting the form without the hidden field — or with one that is
no number is refused with a message and changes nothing, on every edit form of a versioned
record; the current version is accepted (``docs/security.md``, threat 2)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from zwgk import models as m
from zwgk.participation import models as pm

from .admin_helpers import DX, login, seed
from .test_security import form_of

REFUSED = {  # how the post carries loaded_version → what the page says (Chinese)
    "missing": "未保存：表单没有注明打开时记录的版本",
    "empty": "未保存：表单没有注明打开时记录的版本",
    "blank": "未保存：表单没有注明打开时记录的版本",
    "garbage": "未保存：表单中记录的版本号无效",
    "half garbage": "未保存：表单中记录的版本号无效",
    "stale": "未保存：您打开此记录后，它已被修改",
}


def _with(form: dict, how: str, current: str) -> dict:
    data = dict(form)
    version, _, mark = current.partition(":")
    if how == "missing":
        data.pop("loaded_version")
    else:
        data["loaded_version"] = {"empty": "", "blank": "  ", "garbage": "abc", "half garbage": f"{version}:x",
                                  "stale": f"{int(version) - 1}:{mark}", "current": current}[how]
    return data


@pytest.fixture
def admin_app(make_app, regions_db_url):
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_LOGIN_RATE="1000 per minute")
    app.ids = seed(app)
    with app.extensions["zwgk.db"].session(actor="test") as session:  # one record of each participation kind
        unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == DX))
        item = session.get(m.CatalogItem, app.ids["in"])
        session.add_all([
            pm.Feedback(unit=unit, item=item, useful=True, comment="请公开招生范围", status="pending"),
            pm.ConcernResponse(unit=unit, question="招生范围何时公布？", answer="7月底前", answered_on=dt.date(2026, 5, 6),
                               channel="网站"),
            pm.TopicPage(unit=unit, kind="news", title="工作动态", body="试点推进", published=False),
            pm.ParticipationSetting(unit=unit, contact_retention_days=90),
            m.PublicationRecord(catalog_item=item, subject="2026年招生范围", event_at=dt.datetime(2026, 6, 1, 9),
                                published_at=dt.datetime(2026, 6, 3, 9)),
        ])
        schedule = session.scalar(select(m.Schedule).order_by(m.Schedule.id).limit(1))
        if schedule is not None and session.scalar(select(m.ReportSubmission.id).limit(1)) is None:
            session.add(m.ReportSubmission(schedule=schedule, period="2026-05", submitted_on=dt.date(2026, 6, 5)))
        indicator = session.scalar(select(m.Indicator).order_by(m.Indicator.id).limit(1))
        if indicator is not None and session.scalar(select(m.Score.id).limit(1)) is None:
            session.add(m.Score(indicator=indicator, unit=unit, period="2026", value=90))
    return app


def _versioned_views(app):
    from zwgk.admin.views import ScopedModelView

    return {v.endpoint: v for v in app.extensions["zwgk.admin"]._views
            if isinstance(v, ScopedModelView) and issubclass(v.model, m.Versioned)}


def _first(app, model):
    with app.extensions["zwgk.db"].sessionmaker() as session:
        return session.scalar(select(model.id).order_by(model.id).limit(1))


def _row(app, model, pk):
    """The record as stored, every column (what "changes nothing" compares)."""
    with app.extensions["zwgk.db"].sessionmaker() as session:
        obj = session.get(model, pk)
        return {c.key: getattr(obj, c.key) for c in model.__mapper__.column_attrs}


def _text_field(model, form, selects):
    from sqlalchemy import String, Text

    room = {c.key: c.type.length or 10**6 for c in model.__table__.c if isinstance(c.type, (String, Text))}
    return next((k for k in form if k in room and k not in selects and k != "username"
                 and len(form[k] or "") + 10 <= room[k]), None)


#: versioned views none of whose records an admin form edits in these data (none yet)
NO_RECORD: set[str] = {"interpretation"}


def test_every_versioned_edit_form_carries_loaded_version(admin_app):
    client = admin_app.test_client()
    login(client, "sys")
    views = _versioned_views(admin_app)
    assert {"catalog_item", "account", "feedback", "topic_page", "standard"} <= set(views)
    for endpoint, view in views.items():
        pk = _first(admin_app, view.model)
        if pk is None:
            assert endpoint in NO_RECORD, endpoint
            continue
        form = form_of(client, f"/admin/{endpoint}/edit/?id={pk}").data
        assert form["loaded_version"].split(":")[0].isdigit(), endpoint


@pytest.mark.parametrize("how", list(REFUSED))
def test_an_edit_without_a_valid_current_loaded_version_is_refused_on_every_versioned_view(admin_app, how):
    client = admin_app.test_client()
    login(client, "sys")
    tried = 0
    for endpoint, view in _versioned_views(admin_app).items():
        pk = _first(admin_app, view.model)
        if pk is None:
            continue
        url = f"/admin/{endpoint}/edit/?id={pk}"
        parsed = form_of(client, url)
        form = parsed.data
        before = _row(admin_app, view.model, pk)
        edit = _text_field(view.model, form, parsed.selects)
        data = {**_with(form, how, form["loaded_version"]), "change_reason": "脚本"}
        if edit:  # the post changes a text, so that a save would show
            data[edit] = (form[edit] or "") + "（脚本）"
        page = client.post(url, data=data, follow_redirects=True)
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and REFUSED[how] in text, (endpoint, how)
        assert _row(admin_app, view.model, pk) == before, (endpoint, how)  # nothing changed
        tried += 1
    assert tried >= 15


def test_the_current_loaded_version_is_accepted_and_the_message_is_english_in_english(admin_app):
    client = admin_app.test_client()
    login(client, "dx_admin")
    pk = admin_app.ids["in"]
    url = f"/admin/catalog_item/edit/?id={pk}"
    form = form_of(client, url).data
    answer = client.post(url, data={**form, "content": "新的公开内容", "change_reason": "更正"})
    assert answer.status_code == 302
    after = _row(admin_app, m.CatalogItem, pk)
    assert after["content"] == "新的公开内容" and after["version"] == 2
    # in English: the same refusal in English words
    client.get("/lang/en?next=/admin/")
    form = form_of(client, url).data
    for how, words in (("missing", "Not saved: the form does not say which version"),
                       ("garbage", "Not saved: the form's version of the record is not valid")):
        page = client.post(url, data={**_with(form, how, form["loaded_version"]), "content": "脚本内容"},
                           follow_redirects=True)
        text = page.get_data(as_text=True).replace("&#39;", "'")
        assert words in text and "未保存" not in text, how
    assert _row(admin_app, m.CatalogItem, pk) == after
