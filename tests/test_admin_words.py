"""Every admin page and form, in both languages, as a region administrator: real names, no
English left in the Chinese interface, no Chinese in the English one (outside the data), times
in Beijing time (issue 13)."""

import datetime as dt
import html
import re

import pytest
from sqlalchemy import String, Text, select

from zwgk import models as m

from .admin_helpers import login, seed

#: words that are not interface text: language names of the switch, file formats, units
ALLOWED_EN = {"English", "CSV", "XLSX", "JSON", "xlsx", "csv", "json", "UTC", "MB",
              "xls", "docx", "html", "htm"}  # file types, written as their extensions in both languages
ALLOWED_ZH = {"中文"}


@pytest.fixture
def admin_app(make_app, regions_db_url):
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_LOGIN_RATE="1000 per minute")
    app.ids = seed(app)
    return app


def data_corpus(app) -> str:
    """Every stored text (names, titles, sources …): what a page may show in any language."""
    parts = []
    with app.extensions["zwgk.db"].sessionmaker() as session:
        for mapper in m.Base.registry.mappers:
            cols = [c for c in mapper.columns if isinstance(c.type, String | Text)]
            for row in session.execute(select(*cols)) if cols else ():
                parts.extend(str(v) for v in row if v)
    return "\n".join(parts)


def page_text(body: str) -> str:
    # scripts, styles, and Flask-Admin's hidden JSON (filter definitions, confirmations) are not read
    body = re.sub(r"<script.*?</script>|<style.*?</style>|<svg.*?</svg>|<div id=\"[a-z-]+-data\" class=\"d-none\">.*?</div>",
                  " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def foreign_words(text: str, lang: str, corpus: str) -> set[str]:
    if lang == "zh":
        words = set(re.findall(r"[A-Za-z]{2,}(?:[ ][A-Za-z]{2,})*", text)) - ALLOWED_EN
    else:
        words = set(re.findall(r"[\u4e00-\u9fff]+", text)) - ALLOWED_ZH
    return {w for w in words if w not in corpus and not all(part in corpus for part in w.split())}


def admin_pages(app, client) -> list[str]:
    """Every view's list; every list's create form, first details and edit pages."""
    urls = ["/admin/"]
    for view in app.extensions["zwgk.admin"]._views:
        if view.url != "/admin":
            urls.append(view.url + "/")
    more = []
    for url in urls:
        body = client.get(url).get_data(as_text=True)
        for kind in ("new", "details", "edit"):
            found = re.search(rf'href="({re.escape(url)}{kind}/[^"]*)"', body)
            if found:
                more.append(re.sub(r"&(amp;)?url=.*", "", html.unescape(found.group(1))))
    return urls + more


def test_every_model_has_a_name_of_its_own():
    for mapper in m.Base.registry.mappers:
        assert "__str__" in vars(mapper.class_), mapper.class_.__name__


def test_every_admin_page_speaks_one_language_and_names_its_records(admin_app):
    client = admin_app.test_client()
    assert login(client, "dx_admin").status_code == 302
    corpus = data_corpus(admin_app)
    problems = []
    pages = admin_pages(admin_app, client)
    assert len(pages) > 40
    for lang, code in (("zh", "zh_Hans_CN"), ("en", "en")):
        client.get(f"/lang/{code}")
        for url in pages:
            response = client.get(url)
            body = response.get_data(as_text=True)
            # the users' page is the system administrator's: the region administrator meets the 403 page
            assert response.status_code == (403 if url.startswith("/admin/account/") else 200), url
            assert "object at 0x" not in body, (lang, url)
            words = foreign_words(page_text(body), lang, corpus)
            if words:
                problems.append((lang, url, sorted(words)[:15]))
    assert not problems, "\n".join(map(str, problems))


def test_times_are_shown_in_beijing_time_and_said_once(admin_app):
    """After 16:00 UTC it is already the next day in Beijing."""
    db = admin_app.extensions["zwgk.db"]
    with db.session() as session:
        for change in session.scalars(select(m.Change)):
            change.at = dt.datetime(2026, 11, 23, 17, 30, tzinfo=dt.timezone.utc)
        item = session.get(m.CatalogItem, admin_app.ids["in"])
        item.created_at = dt.datetime(2026, 11, 23, 16, 5, tzinfo=dt.timezone.utc)
    client = admin_app.test_client()
    login(client, "dx_admin")
    for url in ("/admin/", "/admin/change/", f"/admin/catalog_item/details/?id={admin_app.ids['in']}"):
        text = page_text(client.get(url).get_data(as_text=True))
        assert "2026-11-24 01:30" in text or "2026-11-24 00:05" in text, url
        assert "2026-11-23 17:30" not in text and "2026-11-23 16:05" not in text, url
        assert text.count("北京时间") == 1, url


def test_change_history_is_in_words(admin_app):
    with admin_app.extensions["zwgk.db"].session(actor="dx_admin", reason="补充") as session:
        session.get(m.CatalogItem, admin_app.ids["in"]).method_on_request = True
    client = admin_app.test_client()
    login(client, "dx_admin")
    text = page_text(client.get("/admin/change/?sort=0&desc=1").get_data(as_text=True))
    assert "依申请公开: 否 → 是" in text
    assert "公开事项" in text and "catalog_item" not in text and '{"' not in text


def test_error_pages_speak_the_interface_language(admin_app):
    client = admin_app.test_client()
    login(client, "dx_admin")
    response = client.get("/admin/catalog_item/edit/?id=999999")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)
    assert "Not Found" not in response.get_data(as_text=True)
    assert client.get("/admin/account/").status_code == 403
    assert "无权访问" in client.get("/admin/account/").get_data(as_text=True)
    client.get("/lang/en")
    assert "Not found" in client.get("/nowhere").get_data(as_text=True)
    assert client.get("/favicon.ico").status_code == 200
