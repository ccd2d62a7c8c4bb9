"""The three built-in regional plugins, loaded together, against their documents."""

import json

import pytest
from sqlalchemy import select

from zwgk import models as m
from zwgk.catalog import required_elements, review_steps

ALL = "zhejiang,shandong,daoxian"
# 附件1 of 浙政办发〔2017〕82号: the named standards of its general / platform / evaluation part
ZJ_GENERAL = {
    "政务公开总则", "基层政务信息分类与编码规范", "政务公开目录编制要求",
    "机构和人员管理规范", "主动公开工作指南", "重大行政决策公开工作指南", "重大决策跟踪反馈和评估指南",
    "政务公开舆情信息管理指南", "举报投诉办理规范",
    "数据元规范", "政务公开平台建设技术规范", "信息安全技术要求",
    "绩效评价指标体系", "绩效考核规范", "满意度测评规范",
}
ZJ_DOMAINS = {"征地补偿", "拆迁安置", "保障性住房", "农村危房改造", "扶贫救灾", "市政服务", "公共资源交易", "义务教育"}


@pytest.fixture
def regions(make_app, regions_db_url):
    """The three plugins applied (from a template database: test_all_three… applies them by ``init``)."""
    return make_app(regions_db_url, plugins=ALL)


def export(run_cli, app, kind, region):
    result = run_cli(app, "export", kind, "--region", region)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_all_three_apply_then_change_nothing(make_app, loaded_db_url, run_cli):
    app = make_app(loaded_db_url, plugins=ALL)
    first = run_cli(app, "init")
    assert first.exit_code == 0, first.output
    for name in ("zhejiang", "shandong", "daoxian"):
        assert f"{name}: 新增 added 0" not in first.output
    again = run_cli(app, "init").output
    for name in ("national", "zhejiang", "shandong", "daoxian"):
        assert f"{name}: 新增 added 0  变更 changed 0" in again


def test_zhejiang_units_domains_and_standard_tree(regions, run_cli):
    units = export(run_cli, regions, "units", "zhejiang")
    assert sum(u["is_pilot"] for u in units) == 7
    assert {d["name"] for d in export(run_cli, regions, "domains", "zhejiang")} == ZJ_DOMAINS

    standards = export(run_cli, regions, "standards", "zhejiang")
    by_code = {s["code"]: s for s in standards}
    leaves = {s["title"] for s in standards if s["category"] != "domain"
              and not any(c["parent"] == s["code"] for c in standards) and s["parent"]}
    assert leaves == ZJ_GENERAL
    assert {s["category"] for s in standards if s["title"] in {"数据元规范", "满意度测评规范"}} == {"platform", "evaluation"}
    specs = [s for s in standards if s["category"] == "domain" and s["parent"] is None]
    assert {s["domain"] for s in specs} == ZJ_DOMAINS
    for spec in specs:
        subs = [s for s in standards if s["parent"] == spec["code"]]
        assert spec["planned"] == "2017-12" and all(s["planned"] == "2018-04" for s in subs)
        assert subs[-1]["title"] == "考核评价", spec["title"]
    assert [s["title"] for s in standards if s["parent"] == by_code["4"]["code"]][:2] == \
        ["保障性住房工程建设管理", "保障性住房申请审批程序"]


def test_zhejiang_responsibility_for_every_row_of_the_list(regions, run_cli):
    standards = export(run_cli, regions, "standards", "zhejiang")
    responsibilities = export(run_cli, regions, "responsibilities", "zhejiang")
    rows = [s for s in standards if s["parent"] or s["category"] == "domain"]  # every row of 附件1
    assert {r["standard"] for r in responsibilities} == {s["code"] for s in rows}
    by_std = {r["standard"]: r for r in responsibilities}
    assert by_std["1.1.1"]["responsible_units"] == ["省质监局"] and by_std["1.1.1"]["due"] == "2017-12"
    assert by_std["3"]["responsible_units"] == ["省建设厅", "省国土资源厅", "试点县(市、区)政府"]
    assert by_std["3.6"]["due"] == "2018-04"


def test_zhejiang_schedule_is_quarterly(regions, run_cli):
    [schedule] = export(run_cli, regions, "schedules", "zhejiang")
    assert schedule["report_cadence"] == "quarterly"
    dues = [ms["due_on"] for ph in schedule["phases"] for ms in ph["milestones"]]
    assert dues == ["2017-08-20", "2018-07-31", "2018-07-31", "2018-08-31"]


def test_daoxian_has_a_department_for_each_of_the_26_domains(regions, run_cli):
    rows = export(run_cli, regions, "responsibilities", "daoxian")
    by_domain = {r["domain"]: r for r in rows if r["domain"]}
    with regions.app_context():
        session = regions.extensions["zwgk.db"].scoped()
        of_2019 = {d.name for d in session.scalars(select(m.Domain)) if 2019 in d.editions}
    assert set(by_domain) == of_2019 and len(of_2019) == 26
    assert by_domain["环境保护"]["responsible"] == "生态环境道县分局"
    assert by_domain["环境保护"]["source"]["text"].startswith("5、生态环境领域")
    assert by_domain["国土空间规划"]["responsible"] == "自然资源局"  # written 城乡规划
    assert by_domain["征地补偿"]["responsible"] == "自然资源局"  # written 农村集体土地征收
    assert by_domain["就业创业"]["responsible"] == by_domain["社会保险"]["responsible"] == "人力资源和社会保障局"
    assert by_domain["公共文化服务"]["responsible_units"] == ["文体广旅局", "文物局"]


def test_daoxian_rules_and_leading_group_without_names(regions, run_cli):
    pm = regions.extensions["zwgk.pm"]
    assert review_steps(pm, "湖南省/永州市/道县") == ["review", "signoff"]
    assert review_steps(pm, "湖南省/永州市/蓝山县") == []
    with regions.app_context():
        session = regions.extensions["zwgk.db"].scoped()
        codes = [r.element.code for r in required_elements(session, "湖南省/永州市/道县")]
    assert sorted(codes) == sorted(["name", "content", "basis", "time_limit", "subject", "method", "channels", "audience"])
    everything = run_cli(regions, "export", "responsibilities", "--region", "daoxian").output
    assert "县政务公开领导小组" in everything
    for person in ("李天明", "李林", "何柏章", "熊鹏太"):
        assert person not in everything
    [schedule] = export(run_cli, regions, "schedules", "daoxian")
    assert [(p["starts_on"], p["ends_on"]) for p in schedule["phases"]] == [
        (None, "2020-09-30"), ("2020-10-08", "2020-12-20"), ("2020-12-21", "2020-12-31")]


def test_shandong_phases_reports_and_scope(regions, run_cli):
    [schedule] = export(run_cli, regions, "schedules", "shandong")
    assert schedule["report_cadence"] == "monthly" and schedule["report_to"] == "省政府办公厅"
    assert [(p["starts_on"], p["ends_on"]) for p in schedule["phases"]] == [
        ("2017-10-01", "2017-10-31"), ("2017-11-01", "2018-01-31"), ("2018-02-01", "2018-08-31"),
        ("2018-09-01", "2018-10-31")]
    dues = sorted(ms["due_on"] for ph in schedule["phases"] for ms in ph["milestones"])
    assert dues == ["2017-10-30", "2018-01-31", "2018-09-30", "2018-10-31"]
    [program] = export(run_cli, regions, "pilot_programs", "shandong")
    assert (program["unit_count"], program["city_count"], len(program["domains"])) == (30, 17, 25)
    units = export(run_cli, regions, "units", "shandong")
    assert [u["key"] for u in units] == ["山东省"]  # the 30 names are not in the text
    assert len(export(run_cli, regions, "domains", "shandong")) == 25
    pm = regions.extensions["zwgk.pm"]
    assert review_steps(pm, "山东省") == ["review"]
    with regions.app_context():
        session = regions.extensions["zwgk.db"].scoped()
        wording = {r.element.code: r.wording for r in required_elements(session, "山东省")}
    assert wording["time_limit"] == "规定时限" and wording["category"] == "类别" and len(wording) == 7


@pytest.mark.parametrize("rule, responsible_part, domain", [
    ("文件公布后3个工作日内", "省政府各部门", None),
    ("在决定作出后24小时内在政府网站公开", "省食品药品监管局", "食品药品监管"),
    ("公告公示时间原则上不得少于10天", "省扶贫办", "扶贫救灾"),
    ("每年7月底前", "省教育厅", "义务教育"),
    ("按月", "省环保厅", "环境保护"),
    ("按季度", "省环保厅", "环境保护"),
    ("在完成审批程序后1个工作日内", "省法制办", None),
    ("年内不得少于2次", "省政府各部门", None),
    ("分值不低于4%", "省政府各部门", None),
    ("9月底前", "省政府有关部门", None),
    ("10月底前", "省政府有关部门", None),
    ("先审查后公开、一事一审，建立审查记录", "省政府各部门", None),
])
def test_shandong_obligations(regions, run_cli, rule, responsible_part, domain):
    obligations = export(run_cli, regions, "obligations", "shandong")
    matching = [o for o in obligations if o["rule_text"] == rule and responsible_part in o["responsible"]]
    assert matching, rule
    if domain:
        assert any(o["domain"] == domain for o in matching)
    for o in matching:
        assert o["source"]["file"] == "001_38f7583137ba7a7e.txt" and o["source"]["text"]


def test_shandong_names_are_simplified_with_the_traditional_text_kept(regions, run_cli):
    obligations = export(run_cli, regions, "obligations", "shandong")
    traditional = set("開審藥醫護報據戶區縣時數學業總體")
    for o in obligations:
        assert not traditional & set(o["title"] + o["rule_text"] + o["responsible"]), o["title"]
    assert any(traditional & set(o["source"]["text"]) for o in obligations)


@pytest.mark.parametrize("plugin, kind, find, field, edited", [
    ("zhejiang", m.Standard, {"key": "浙江省|1.1.1"}, "responsible", "省市场监管局"),
    ("shandong", m.Obligation, {"title": "重要政策解读材料主动发布"}, "rule_text", "文件公布后2个工作日内"),
    ("daoxian", m.Responsibility, {"task": "落实扶贫领域政务公开标准指引"}, "responsible", "乡村振兴局"),
])
def test_reapplying_keeps_an_administrators_edit(regions, run_cli, plugin, kind, find, field, edited):
    db = regions.extensions["zwgk.db"]
    with db.session(actor="admin") as session:
        [(col, value)] = find.items()
        setattr(session.scalar(select(kind).where(getattr(kind, col) == value)), field, edited)
    result = run_cli(regions, "plugins", "apply", plugin)
    assert result.exit_code == 0, result.output
    assert f"{plugin}: 新增 added 0  变更 changed 0  未变 unchanged" in result.output
    assert "保留修改 kept 1" in result.output and edited in result.output
    with db.sessionmaker() as session:
        assert getattr(session.scalar(select(kind).where(getattr(kind, col) == value)), field) == edited


def test_shandong_obligations_parse_into_rules(regions, run_cli):
    from zwgk.timelimits import parse

    obligations = export(run_cli, regions, "obligations", "shandong")
    kinds = {o["rule_text"]: parse(o["rule_text"]).kind for o in obligations}
    assert kinds["文件公布后3个工作日内"] == "period"
    assert kinds["在决定作出后24小时内在政府网站公开"] == "period"
    assert kinds["公告公示时间原则上不得少于10天"] == "display"
    assert kinds["每年7月底前"] == "deadline"
    assert kinds["按月"] == kinds["按季度"] == "cadence"
    assert kinds["年内不得少于2次"] == "count"
    assert kinds["长期公示"] == "qualitative"
    # the two that state no time rule are reported as such, not guessed
    assert {t for t, k in kinds.items() if k == "unparsed"} == {"分值不低于4%", "先审查后公开、一事一审，建立审查记录"}
