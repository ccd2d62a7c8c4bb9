"""The public pages in both languages: the admin's switch (/lang/<code>) chooses; in Chinese no
English outside the data, in English no Chinese outside the data (issue 14).  The same approach as
the admin's test (tests/test_admin_words.py): every string stored in the database is data."""

import datetime as dt
import re

import pytest
from sqlalchemy import select

from zwgk import models as m
from zwgk.foi import service

from .admin_helpers import DX
from .test_admin_words import ALLOWED_EN, data_corpus, foreign_words, page_text
from .admin_helpers import publish

#: the search page's example of folding (the feature itself), written in both scripts on purpose
EXAMPLES = "政務公開 政务公开"
PAGES = ["/", "/regions", "/regions/湖南省", f"/regions/{DX}", f"/catalog?region={DX}",
         f"/catalog?region={DX}&domain=义务教育", "/catalog?region=火星", "/catalog/changes?region=" + DX
         + "&from=2020-01-01&to=2035-12-31", "/catalog/changes?region=" + DX + "&from=yesterday", "/standards",
         "/standards?region=山东省", "/search?q=招生", "/search?q=没有这个词", "/search?q=招生&domain=火星",
         "/documents", "/documents?region=山东省", "/evaluation", "/requests/new", "/requests/track",
         "/topic/", f"/topic/{DX}", "/topic/山东省", f"/feedback/{DX}"]


@pytest.fixture
def app(make_app, regions_db_url):
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_LOGIN_RATE="1000 per minute")
    app.item = publish(app, DX, level1="招生入学", level2="招生政策", stages=["decision", "result"],
                       category="教育类", levels=["county", "township"])
    with app.extensions["zwgk.db"].session(actor="editor") as session:  # a second version: public history
        session.get(m.CatalogItem, app.item).content = "招生范围、招生条件、招生程序"
    with app.extensions["zwgk.db"].session(actor="editor") as session:
        session.get(m.CatalogItem, app.item).status = "published"
    with app.extensions["zwgk.db"].session(actor="clerk") as session:
        req, app.secret = service.register(session, unit=DX, channel="online", description="2025年义务教育招生计划",
                                           actor="public", applicant_name="张三", applicant_contact="13800000000",
                                           submitted_at=dt.datetime(2025, 9, 28, 2, tzinfo=dt.timezone.utc))
        app.number = req.tracking_no
        service.confirm(session, req, dt.date(2025, 9, 29), "clerk")  # before 国庆: the calendar's facts
        service.consult(session, req, dt.date(2025, 10, 9), "third_party", "clerk")
    return app


def _tracked(client, app):
    page = client.get("/requests/track").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/requests/track", data={"tracking_no": app.number, "secret": app.secret,
                                                "csrf_token": token})


def _words(body, lang, corpus):
    text = re.sub(r"(?<![\w])/[\w/.?=&%-]+", " ", page_text(body))  # addresses shown as text (/api/v1/…)
    # the product's name and a file format stay as they are in Chinese
    return foreign_words(text, lang, corpus) - (ALLOWED_EN | {"SVG", "zwgk"} if lang == "zh" else set(EXAMPLES.split()))


def test_every_public_page_speaks_one_language(app):
    from zwgk.participation.public import DOCUMENTS

    # what the visitor typed is shown back; the topic pages cite their documents by these titles
    from zwgk.plugin_manager import describe_plugins

    corpus = data_corpus(app) + "\n火星\n没有这个词\n" + "\n".join(DOCUMENTS.values())
    corpus += "\n".join(f"{p.name}\n{p.title}\n{p.region}" for p in describe_plugins(app.extensions["zwgk.pm"]))
    client = app.test_client()
    pages = PAGES + [f"/catalog/items/{app.item}", f"/item/{app.item}"]
    problems = []
    for lang, code in (("zh", "zh_Hans_CN"), ("en", "en")):
        client.get(f"/lang/{code}")
        for url in pages:
            response = client.get(url)
            assert response.status_code in (200, 400, 404), url
            words = _words(response.get_data(as_text=True), lang, corpus)
            if words:
                problems.append((lang, url, sorted(words)[:15]))
        tracked = _tracked(client, app)
        assert tracked.status_code == 200
        words = _words(tracked.get_data(as_text=True), lang, corpus)
        if words:
            problems.append((lang, "/requests/track (a request)", sorted(words)[:15]))
    assert not problems, "\n".join(map(str, problems))


def test_the_switch_is_on_every_public_page_and_the_pages_say_their_language(app):
    client = app.test_client()
    page = client.get(f"/catalog?region={DX}").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and ">公开目录</a>" in page and ">一级事项</th>" in page
    switch = re.search(r'href="(/lang/en\?next=[^"]+)"', page).group(1).replace("&amp;", "&")
    back = client.get(switch)
    assert back.status_code == 302 and back.headers["Location"].endswith("/catalog?region=%E6%B9%96%E5%8D%97%E7%9C%81/"
                                                                       "%E6%B0%B8%E5%B7%9E%E5%B8%82/%E9%81%93%E5%8E%BF") \
        or "/catalog?region=" in back.headers["Location"]
    page = client.get(f"/catalog?region={DX}").get_data(as_text=True)
    assert '<html lang="en">' in page and ">Disclosure catalog</a>" in page and ">First-level item</th>" in page
    assert "Decision, Result" in page  # 五公开 by name in English
    assert 'href="/lang/zh_Hans_CN?next=' in page
    for url in ("/regions", "/search", "/requests/new"):
        assert 'href="/lang/zh_Hans_CN?next=' in client.get(url).get_data(as_text=True), url


def test_deadline_texts_of_a_request_follow_the_language(app):
    client = app.test_client()
    chinese = _tracked(client, app).get_data(as_text=True)
    assert "收到申请：2025-09-29（星期一）" in chinese and "征求第三方意见" in chinese and "received" not in chinese
    assert "2025-10-01 星期三 放假" in chinese
    client.get("/lang/en")
    english = _tracked(client, app).get_data(as_text=True)
    assert "Request received: 2025-09-29 (Monday); online: received on the day both sides confirm" in english
    assert "Opinions of a third party sought since 2025-10-09 (Thursday)" in english
    assert "2025-10-01 Wednesday: a holiday" in english and "收到申请" not in english
    status = re.search(r'<td id="status">([^<]*)<', english).group(1)
    assert status in ("Opinions being sought", "Overdue", "Being handled", "Due soon"), status  # in words
