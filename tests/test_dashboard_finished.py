"""The dashboard: a finished programme's milestones leave it, what remains is grouped by region (issue 13)."""

import pytest
from sqlalchemy import select

from zwgk import models as m

from .admin_helpers import DX, csrf, login, seed


@pytest.fixture
def admin_app(make_app, regions_db_url):
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_LOGIN_RATE="1000 per minute")
    app.ids = seed(app)
    return app


def test_a_finished_programme_leaves_the_dashboard_and_stays_in_the_record(admin_app):
    client = admin_app.test_client()
    login(client, "sys")
    page = client.get("/admin/").get_data(as_text=True)
    assert "完成验收工作" in page  # 道县's 2020 milestone, overdue
    assert page.count('class="due-region"') >= 2  # grouped by region
    assert f'<th colspan="3" class="bg-light">{DX}</th>' in page
    with admin_app.extensions["zwgk.db"].sessionmaker() as session:
        programme = session.scalar(select(m.PilotProgram.id).join(m.AdminUnit, m.PilotProgram.scope)
                                   .where(m.AdminUnit.key == DX))
    admin = admin_app.test_client()
    login(admin, "dx_admin")
    admin.post("/admin/pilot_program/action/", data={"action": "finish", "rowid": [str(programme)],
                                                     "csrf_token": csrf(admin, "/admin/pilot_program/")})
    with admin_app.extensions["zwgk.db"].sessionmaker() as session:
        assert session.get(m.PilotProgram, programme).finished_on is not None
    page = client.get("/admin/").get_data(as_text=True)
    assert "完成验收工作" not in page and f'<th colspan="3" class="bg-light">{DX}</th>' not in page
    assert "完成验收工作" in client.get("/admin/milestone/").get_data(as_text=True)  # kept in the record
