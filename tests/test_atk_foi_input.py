"""依申请公开 step forms against hostile input (attack review): every refusal is in words, nothing changes,
and no value can make the request's pages fail."""

from sqlalchemy import select

from zwgk.foi.models import InfoRequest, RequestStep

from .admin_helpers import login
from .test_foi_workflow import D, _register, _token, app  # noqa: F401  (fixture)


def _act(client, url, **form):
    return client.post(url + "/act", data={"csrf_token": _token(client, url), **form}, follow_redirects=True)


def test_a_huge_correction_period_or_odd_numbers_are_refused_and_the_page_still_opens(app):
    rid, _ = _register(app, received=D(2025, 3, 3))
    client = app.test_client()
    login(client, "dx_admin")
    url = f"/admin/foi_requests/{rid}"
    for days in ("99999999", "61", "²", "1" * 40):
        page = _act(client, url, action="correction", on="2025-03-04", days=days, note="补正")
        assert page.status_code == 200 and "days" in page.get_data(as_text=True)
    with app.extensions["zwgk.db"].session() as s:
        assert s.scalars(select(RequestStep).where(RequestStep.kind == "correction_requested")).all() == []
    assert _act(client, url, action="correction", on="2025-03-04", days="60", note="补正").status_code == 200
    assert client.get(url).status_code == 200
    assert client.get("/admin/foi_requests/").status_code == 200


def test_classifying_with_an_unknown_domain_or_a_huge_topic_is_refused(app):
    rid, _ = _register(app, received=D(2025, 3, 3))
    client = app.test_client()
    login(client, "dx_admin")
    url = f"/admin/foi_requests/{rid}"
    assert "domain_id" in _act(client, url, action="classify", topic="招生", domain_id="999999").get_data(as_text=True)
    assert "topic" in _act(client, url, action="classify", topic="题" * 301, domain_id="").get_data(as_text=True)
    with app.extensions["zwgk.db"].session() as s:
        req = s.get(InfoRequest, rid)
        assert (req.topic, req.domain_id) == (None, None)
