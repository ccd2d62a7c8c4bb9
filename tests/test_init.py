"""``zwgk init`` and the national data it loads (国办发〔2017〕42号 and the 2019 list)."""

import json

import pytest
from sqlalchemy import func, select

from zwgk import models as m

# The attachment table of 002: province → number of pilot units, as the table says （共N个）.
PILOTS_PER_PROVINCE = {
    "北京市": 5, "内蒙古自治区": 7, "江苏省": 7, "云南省": 6, "陕西省": 7,
    "上海市": 5, "河南省": 8, "湖南省": 7, "广东省": 7, "贵州省": 6,
    "黑龙江省": 7, "浙江省": 7, "安徽省": 8, "四川省": 8, "宁夏回族自治区": 5,
}
GROUP_BEIJING = {"城乡规划", "重大建设项目", "财政预决算", "税收管理", "环境保护", "食品药品监管", "安全生产",
                 "公共文化服务", "公共法律服务"}
GROUP_SHANGHAI = {"就业创业", "社会救助", "社会保险", "户籍管理", "医疗卫生", "涉农补贴", "城市综合执法", "养老服务"}
GROUP_HEILONGJIANG = {"征地补偿", "拆迁安置", "保障性住房", "农村危房改造", "扶贫救灾", "市政服务", "公共资源交易", "义务教育"}


@pytest.fixture
def fresh(make_app, empty_db_url):
    return make_app(empty_db_url)


def test_init_loads_domains_provinces_and_pilot_units_then_changes_nothing(fresh, run_cli):
    first = run_cli(fresh, "init")
    assert first.exit_code == 0, first.output
    assert "新增 added 0" not in first.output.splitlines()[1]

    with fresh.app_context():
        session = fresh.extensions["zwgk.db"].scoped()
        domains = session.scalars(select(m.Domain)).all()
        assert sum(2017 in d.editions for d in domains) == 25
        assert sum(2019 in d.editions for d in domains) == 26
        assert session.scalar(select(func.count()).where(m.AdminUnit.level == "province")) == 15
        assert session.scalar(select(func.count()).where(m.AdminUnit.is_pilot)) == 100

    second = run_cli(fresh, "init")
    assert second.exit_code == 0, second.output
    assert "新增 added 0  变更 changed 0" in second.output
    assert "无变更 no changes" in second.output
    assert " added 1" not in second.output


def test_export_units_shows_pilot_units_with_their_domains(app, run_cli):
    result = run_cli(app, "export", "units", "--format", "json")
    assert result.exit_code == 0, result.output
    units = json.loads(result.output)
    pilots = [u for u in units if u["is_pilot"]]
    assert len(pilots) == 100
    per_province = {}
    for u in pilots:
        per_province[u["key"].split("/")[0]] = per_province.get(u["key"].split("/")[0], 0) + 1
    assert per_province == PILOTS_PER_PROVINCE
    by_key = {u["key"]: u for u in units}
    # the three groups of the merged 试点内容 column: rows 1–5, 6–10, 11–15
    assert set(by_key["北京市/东城区"]["pilot_domains"]) == GROUP_BEIJING
    assert set(by_key["贵州省/黔西南布依族苗族自治州/贞丰县"]["pilot_domains"]) == GROUP_SHANGHAI
    assert set(by_key["浙江省/杭州市/拱墅区"]["pilot_domains"]) == GROUP_HEILONGJIANG
    assert set(by_key["宁夏回族自治区/中卫市/海原县"]["pilot_domains"]) == GROUP_HEILONGJIANG
    # names as written, and where they come from
    gongshu = by_key["浙江省/杭州市/拱墅区"]
    assert gongshu["written_as"] == "杭州市拱墅区"
    assert gongshu["source"]["file"] == "002_66f574390f353fca.txt"
    assert "第12行" in gongshu["source"]["section"]
    assert by_key["河南省/长垣县"]["parent"] == "河南省"


def test_every_national_record_carries_its_source(db):
    with db.sessionmaker() as session:
        for model in (m.Domain, m.DomainAlias, m.DomainSuccession, m.AdminUnit, m.DisclosureStage,
                      m.CatalogElement, m.ElementRequirement, m.Responsibility, m.Schedule,
                      m.SchedulePhase, m.Milestone):
            rows = session.scalars(select(model)).all()
            assert rows, model
            missing = [r.key for r in rows if not (r.source_file and r.source_section)]
            assert not missing, (model.__name__, missing)


def test_national_schedule_and_minimum_elements(db):
    with db.sessionmaker() as session:
        dues = sorted(str(ms.due_on) for ms in session.scalars(select(m.Milestone)))
        assert dues == ["2017-08-31", "2018-08-31", "2018-09-30"]
        required = {r.element.code for r in session.scalars(select(m.ElementRequirement)
                                                            .where(m.ElementRequirement.scope == "national"))}
        assert required == {"name", "basis", "content", "subject", "time_limit", "method"}
        stages = [s.name for s in session.scalars(select(m.DisclosureStage).order_by(m.DisclosureStage.position))]
        assert stages == ["决策公开", "执行公开", "管理公开", "服务公开", "结果公开"]
