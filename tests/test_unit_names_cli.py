"""Every command that names a unit takes a unique name (道县) as well as its path (issue 12), and an
unknown name is an error, never an empty answer that reads as "nothing found"."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from zwgk import models as m

DX = "湖南省/永州市/道县"


@pytest.fixture
def app(make_app, regions_db_url):
    return make_app(regions_db_url)


def test_users_create_and_set_role_take_a_unique_unit_name(app, run_cli):
    made = run_cli(app, "users", "create", "dxa", "--role", "region_admin", "--unit", "道县",
                   "--password", "Passw0rd-123")
    assert made.exit_code == 0, made.output
    assert run_cli(app, "users", "set-role", "dxa", "--role", "viewer", "--unit", "拱墅区").exit_code == 0
    with app.app_context():
        user = app.extensions["zwgk.db"].scoped().scalar(select(m.User).where(m.User.username == "dxa"))
        assert (user.role, user.unit.key) == ("viewer", "浙江省/杭州市/拱墅区")
    unknown = run_cli(app, "users", "create", "x", "--role", "viewer", "--unit", "火星县", "--password", "Passw0rd-123")
    assert unknown.exit_code == 1 and "火星县" in unknown.output


def test_an_ambiguous_unit_name_lists_its_candidates(app, run_cli):
    with app.app_context():
        db = app.extensions["zwgk.db"]
        with db.session(actor="test") as session:
            parent = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == "浙江省"))
            session.add(m.AdminUnit(key="浙江省/道县", name="道县", level="county", parent=parent, origin="test"))
    out = run_cli(app, "users", "create", "x", "--role", "viewer", "--unit", "道县", "--password", "Passw0rd-123")
    assert out.exit_code == 1 and DX in out.output and "浙江省/道县" in out.output


def test_foi_and_participation_commands_take_a_unit_name_and_refuse_an_unknown_one(app, run_cli, tmp_path):
    out = tmp_path / "report.html"
    done = run_cli(app, "requests", "report", "道县", "2025", "-o", str(out))
    assert done.exit_code == 0, done.output
    assert "道县" in out.read_text(encoding="utf-8")
    assert run_cli(app, "requests", "frequent", "--region", "道县", "--from", "2025-01-01",
                   "--to", "2025-12-31").exit_code == 0
    assert run_cli(app, "participation", "stats", "--region", "道县").exit_code == 0
    for args in (("requests", "report", "火星县", "2025", "-o", str(out)),
                 ("requests", "frequent", "--region", "火星县", "--from", "2025-01-01", "--to", "2025-12-31"),
                 ("participation", "stats", "--region", "火星县"),
                 ("evaluation", "questionnaire", "q1", "--title", "t", "--question", "q1|满意吗|5",
                  "--scope", "火星县")):
        refused = run_cli(app, *args)
        assert refused.exit_code != 0 and "火星县" in refused.output, (args, refused.output)
    made = run_cli(app, "evaluation", "questionnaire", "q2", "--title", "t", "--question", "q1|满意吗|5",
                   "--scope", "道县")
    assert made.exit_code == 0, made.output
