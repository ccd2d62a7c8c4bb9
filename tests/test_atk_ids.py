"""Ids and arguments no record can have answer 404 / 400, never a database error (attack review; on PostgreSQL
an id beyond 32 bits was an "integer out of range" 500 on every <int:…> page)."""

import pytest

from .admin_helpers import login
from .test_foi_workflow import app  # noqa: F401  (fixture)

BIG = 99999999999
DX = "湖南省/永州市/道县"


@pytest.mark.parametrize("url", [
    f"/admin/evaluation_runs/run/{BIG}", f"/admin/evaluation_runs/run/{BIG}/download/xlsx",
    f"/admin/evaluation_runs/compare?a={BIG}&b={BIG}", f"/admin/foi_requests/{BIG}", f"/admin/foi_requests/{BIG}/document",
    f"/admin/assessments/evidence/{BIG}", f"/item/{BIG}", f"/evaluation/{BIG}", f"/topic/{DX}/page/{BIG}",
    f"/interpretation/{BIG}/image", f"/documents/{BIG}/text"])
def test_an_id_beyond_any_record_is_a_404(app, url):
    client = app.test_client()
    login(client, "dx_admin")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", [f"/admin/foi_report/?unit={DX}&year=99999", f"/admin/foi_report/xlsx?unit={DX}&year=-1",
                                 f"/admin/foi_report/records?cell=x&unit={DX}&year=3000", "/documents?region=%00"])
def test_an_argument_no_page_can_answer_is_a_400(app, url):
    client = app.test_client()
    login(client, "dx_admin")
    assert client.get(url).status_code == 400


@pytest.mark.parametrize("raw", ["abc", "", str(BIG), "²"])
def test_deciding_an_assessment_by_an_id_that_is_no_id_is_a_400(make_app, loaded_db_url, raw):
    from .admin_helpers import csrf
    from .evaluation_fixture import build

    eapp = make_app(loaded_db_url)
    build(eapp.extensions["zwgk.db"])
    admin = eapp.test_client()
    login(admin, "prov_admin")
    token = csrf(admin, "/admin/assessments/")
    resp = admin.post("/admin/assessments/decide", data={"csrf_token": token, "id": raw, "decision": "accept"})
    assert resp.status_code == 400
