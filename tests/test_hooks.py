"""Each hook of the contract, exercised through a plugin (the docs test checks they are all here)."""

import datetime as dt
from decimal import Decimal

import pytest
from flask_admin import BaseView, expose
from sqlalchemy import select

from zwgk import DataError, hookimpl
from zwgk import models as m
from zwgk.catalog import required_elements, review_steps, validate_item
from zwgk.plugin_manager import PluginError, admin_views, apply

from .fakes import SRC, FakePlugin, domain, manager_with


_pm = manager_with


def _of(session, model):
    return session.scalars(select(model).where(model.origin == "fake")).all()


def test_zwgk_plugin_info_names_title_region_and_contract(make_app, loaded_db_url, run_cli):
    app = make_app(loaded_db_url, plugins="zhejiang")
    out = run_cli(app, "plugins", "list").output
    assert "zhejiang" in out and "浙江省" in out


def test_zwgk_register_stages_cannot_redefine_the_five(db):
    fake = FakePlugin(stages=[{"code": "decision", "name": "决策", "source": SRC}])
    with pytest.raises(DataError, match="collides with national"):
        apply(db, _pm(fake=fake))


def test_zwgk_register_elements_and_element_requirements(db):
    fake = FakePlugin(
        elements=[{"code": "duration", "name": "公开时长", "source": SRC}],
        element_requirements=[{"scope": "湖南省", "element": "channels", "wording": "渠道", "source": SRC}])
    apply(db, _pm(fake=fake))
    with db.sessionmaker() as session:
        assert [e.name for e in _of(session, m.CatalogElement)] == ["公开时长"]
        codes = [r.element.code for r in required_elements(session, "湖南省/永州市/蓝山县")]
        assert codes == ["name", "basis", "content", "subject", "time_limit", "method", "channels"]
        assert "channels" not in [r.element.code for r in required_elements(session, "浙江省")]


def test_zwgk_register_domains_and_domain_aliases_and_domain_successions(db):
    fake = FakePlugin(domains=[domain("本地领域", editions=[])],
                      aliases=[{"alias": "低保", "domain": "社会救助", "source": SRC}],
                      successions=[{"predecessor": "本地领域", "successor": "社会救助", "kind": "renamed",
                                    "source": SRC}])
    apply(db, _pm(fake=fake))
    with db.sessionmaker() as session:
        assert [d.name for d in _of(session, m.Domain)] == ["本地领域"]
        assert [(a.alias, a.domain.name) for a in _of(session, m.DomainAlias)] == [("低保", "社会救助")]
        assert [(s.predecessor.name, s.successor.name)
                for s in _of(session, m.DomainSuccession)] == [("本地领域", "社会救助")]


def test_zwgk_register_units(db):
    fake = FakePlugin(units=[
        {"name": "测试镇", "level": "township", "parent": "湖南省/测试县", "source": SRC},
        {"name": "测试县", "level": "county", "parent": "湖南省", "is_pilot": True, "pilot_edition": 2019,
         "pilot_domains": ["扶贫", "救灾"], "source": SRC},
    ])
    apply(db, _pm(fake=fake))  # children listed first: the loader orders parents first
    with db.sessionmaker() as session:
        units = {u.key: u for u in _of(session, m.AdminUnit)}
        assert set(units) == {"湖南省/测试县", "湖南省/测试县/测试镇"}
        assert units["湖南省/测试县/测试镇"].parent.key == "湖南省/测试县"
        assert [d.name for d in units["湖南省/测试县"].pilot_domains] == ["扶贫", "救灾"]


def test_zwgk_register_pilot_programs(db):
    fake = FakePlugin(region="湖南省", pilot_programs=[
        {"scope": "湖南省", "title": "湖南试点", "edition": 2019, "unit_count": 3, "city_count": 1,
         "domains": ["城乡规划", "生态环境"], "source": SRC}])
    apply(db, _pm(fake=fake))
    with db.sessionmaker() as session:
        [prog] = _of(session, m.PilotProgram)
        # edition 2019: 城乡规划 is read as its successor 国土空间规划
        assert [d.name for d in prog.domains] == ["环境保护", "国土空间规划"]
        assert (prog.scope.key, prog.unit_count, prog.city_count) == ("湖南省", 3, 1)


def test_domains_of_a_region_come_from_its_programmes_and_pilot_units(app, run_cli):
    import json

    zhejiang = json.loads(run_cli(app, "export", "domains", "--region", "浙江省").output)
    assert len(zhejiang) == 8 and "征地补偿" in {d["name"] for d in zhejiang}
    hunan = json.loads(run_cli(app, "export", "domains", "--region", "湖南省").output)
    assert len(hunan) == 8 and "就业创业" in {d["name"] for d in hunan}


def test_zwgk_register_standards_and_responsibilities(db):
    fake = FakePlugin(
        standards=[
            {"code": "1.1", "title": "政务公开总则", "category": "general", "parent": "1", "scope": "湖南省",
             "planned": "2017-12", "source": SRC},
            {"code": "1", "title": "政务公开总体要求", "category": "general", "scope": "湖南省", "source": SRC},
            {"code": "2", "title": "征地补偿公开规范", "category": "domain", "domain": "农村集体土地征收",
             "scope": "湖南省", "status": "trial", "source": SRC},
        ],
        responsibilities=[{"scope": "湖南省", "task": "编制总则", "standard": "1.1", "responsible": "省质监局",
                           "responsible_units": ["省质监局"], "due": "2017-12", "source": SRC}])
    apply(db, _pm(fake=fake))
    with db.sessionmaker() as session:
        standards = {s.code: s for s in _of(session, m.Standard)}
        assert standards["1.1"].parent.code == "1" and standards["2"].domain.name == "征地补偿"
        [resp] = _of(session, m.Responsibility)
        assert (resp.standard.title, resp.due) == ("政务公开总则", "2017-12")


def test_zwgk_register_schedules_obligations_and_indicators(db):
    fake = FakePlugin(
        schedules=[{"scope": "湖南省", "title": "测试进度", "report_cadence": "monthly", "source": SRC,
                    "phases": [{"name": "第一阶段", "starts_on": "2020-10-08", "ends_on": "2020-12-20",
                                "milestones": [{"title": "完成公开", "due_on": "2020-12-20"}]}]}],
        obligations=[{"scope": "湖南省", "title": "政策解读", "rule_text": "文件公布后3个工作日内",
                      "domain": "卫生健康", "responsible": "各部门", "source": SRC}],
        indicators=[{"scope": "湖南省", "code": "A", "name": "政务公开", "min_weight": "4", "source": SRC},
                    {"scope": "湖南省", "code": "A.1", "name": "目录编制", "parent": "A", "weight": 2.5,
                     "source": SRC}])
    apply(db, _pm(fake=fake))
    with db.sessionmaker() as session:
        [ms] = _of(session, m.Milestone)
        assert ms.due_on == dt.date(2020, 12, 20) and ms.source_file == "test"  # source inherited
        assert ms.phase.schedule.report_cadence == "monthly"
        [ob] = _of(session, m.Obligation)
        assert ob.rule_text == "文件公布后3个工作日内" and ob.domain.name == "医疗卫生"
        inds = {i.code: i for i in _of(session, m.Indicator)}
    assert inds["A"].min_weight == Decimal("4.00") and inds["A.1"].weight == Decimal("2.50")
    assert inds["A.1"].parent_id == inds["A"].id


class Rules:
    @hookimpl
    def zwgk_validate_catalog_item(self, item, unit_path):
        if not unit_path.startswith("湖南省"):
            return []
        return [] if item.get("channels") else ["湖南要求写明公开渠道"]

    @hookimpl
    def zwgk_review_steps(self, unit_path):
        return ["signoff", "review"] if unit_path.startswith("湖南省") else []


ITEM = {"unit": "湖南省/永州市/蓝山县", "domain": "生态环境", "level1": "环境影响评价", "basis": "环评法",
        "content": "审批结果", "subject": "县生态环境局", "time_limit": "20个工作日内", "method_active": True}


def test_zwgk_validate_catalog_item_and_required_elements(db):
    pm = _pm(rules=Rules())
    with db.sessionmaker() as session:
        _, problems = validate_item(session, pm, dict(ITEM), where="目录.xlsx 第3行")
        assert [p.message for p in problems] == ["湖南要求写明公开渠道"]
        _, problems = validate_item(session, pm, dict(ITEM, channels=["政府网站"]))
        assert problems == []
        missing = {k: v for k, v in ITEM.items() if k not in ("basis", "method_active")}
        _, problems = validate_item(session, pm, dict(missing, channels=["政府网站"]), where="第4行")
        assert [(p.where, p.field) for p in problems] == [("第4行", "basis"), ("第4行", "method_active")]
        assert "缺少必填要素“依据”" in problems[0].message and "002_66f574390f353fca.txt" in problems[0].message
        data, problems = validate_item(session, pm, dict(ITEM, unit="浙江省/杭州市/拱墅区"))
        assert problems == [] and data["domain"] == "生态环境"
        data, problems = validate_item(session, pm, {"unit": "x", "domain": "y"}, where="第5行")
        assert data is None and [p.field for p in problems] == ["level1"]


def test_zwgk_review_steps(db):
    pm = _pm(rules=Rules())
    assert review_steps(pm, "湖南省/永州市/蓝山县") == ["review", "signoff"]
    assert review_steps(pm, "浙江省") == []


def test_zwgk_admin_views_must_return_views():
    class RegionView(BaseView):
        @expose("/")
        def index(self):
            return "ok"

    class Good:
        @hookimpl
        def zwgk_admin_views(self, admin, session):
            return [RegionView(name="地区视图", endpoint="region_view")]

    class Bad:
        @hookimpl
        def zwgk_admin_views(self, admin, session):
            return ["not a view"]

    views = admin_views(_pm(good=Good()), admin=None, session=None)
    assert [v.name for v in views] == ["地区视图"]
    with pytest.raises(PluginError, match="not a flask_admin BaseView"):
        admin_views(_pm(bad=Bad()), admin=None, session=None)


def test_zwgk_example_catalogs_are_imported_by_demo_and_marked(make_app, empty_db_url, run_cli, tmp_path):
    import json

    app = make_app(empty_db_url, plugins="zhejiang,shandong,daoxian")
    result = run_cli(app, "demo", "--no-serve")
    assert result.exit_code == 0, result.output
    assert "示例目录 example catalog: 湖南省/永州市/道县 义务教育 3 条" in result.output
    assert "演示管理员 demo administrator: admin /" in result.output
    demo = make_app(f"sqlite:///{tmp_path / 'instance' / 'demo.sqlite'}", plugins="zhejiang,shandong,daoxian")
    items = json.loads(run_cli(demo, "export", "catalog_items").output)
    assert len(items) == 8 and all(i["is_example"] for i in items)
    assert all(i["content"].startswith("示例") for i in items)
    assert {i["unit"] for i in items} == {"湖南省/永州市/道县", "山东省", "浙江省/杭州市/拱墅区"}


def test_the_demo_catalogs_export_and_import_back_to_identical_records(make_app, empty_db_url, run_cli, tmp_path):
    import json

    from sqlalchemy import delete

    from zwgk import models as m

    app = make_app(empty_db_url, plugins="zhejiang,shandong,daoxian")
    assert run_cli(app, "demo", "--no-serve").exit_code == 0
    demo = make_app(f"sqlite:///{tmp_path / 'instance' / 'demo.sqlite'}", plugins="zhejiang,shandong,daoxian")

    def records():
        rows = json.loads(run_cli(demo, "export", "catalog_items").output)
        for row in rows:
            assert row.pop("source")["file"].endswith(".xlsx")  # provenance: the file each came from
        return sorted(rows, key=lambda r: (r["unit"], r["domain"], r["seq"] or 0, r["level1"], r["level2"] or ""))

    before = records()
    units = sorted({r["unit"] for r in before})
    for n, unit in enumerate(units):
        result = run_cli(demo, "export-catalog", "--region", unit, "-o", str(tmp_path / f"{n}.xlsx"))
        assert result.exit_code == 0, result.output
    with demo.extensions["zwgk.db"].session() as session:
        session.execute(delete(m.CatalogItemVersion))
        session.execute(delete(m.CatalogItem))
    assert records() == []
    for n, unit in enumerate(units):
        result = run_cli(demo, "import", "catalog", str(tmp_path / f"{n}.xlsx"), "--unit", unit, "--example")
        assert result.exit_code == 0, result.output
    assert records() == before


def test_zwgk_request_steps_are_drawn_on_the_flowchart(make_app, regions_db_url):
    from zwgk.plugins.shandong import rules

    assert rules.request_steps("山东省/济南市") == ["接收", "登记", "办理", "调查", "答复"]
    assert rules.request_steps("浙江省") == []
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")
    client = app.test_client()
    sd = client.get("/topic/山东省/flowchart.svg").get_data(as_text=True)
    assert "依申请公开" in sd and sd.count('data-step="request"') == 5 and "调查" in sd
    dx = client.get("/topic/湖南省/永州市/道县/flowchart.svg").get_data(as_text=True)
    assert 'data-step="request"' not in dx and "依申请公开" not in dx
class _SystemsPlugin:
    def __init__(self, systems):
        self.systems = systems

    @hookimpl
    def zwgk_register_indicator_systems(self):
        return self.systems


def test_zwgk_register_indicator_systems_extend_the_default_and_weights_are_checked():
    from zwgk.evaluation.systems import SystemError, leaves, system_for

    extend = {"code": "hn", "title": "湖南省考核评价指标体系（测试）", "version": "2", "scope": "湖南省",
              "base": "zwgk-default", "remove": ["satisfaction"], "source": SRC,
              "indicators": [{"code": "completeness", "name": "目录完整性", "weight": "40", "method": "computed",
                              "compute": "completeness"}]}
    pm = _pm(fake=_SystemsPlugin([extend]))
    system = system_for(pm, "湖南省/永州市/道县")
    assert system["code"] == "hn" and system["version"] == "2"
    assert [(n["code"], n["weight"]) for n in system["indicators"]][:2] == [("completeness", "40.00"),
                                                                            ("coverage", "20.00")]
    assert "satisfaction" not in [n["code"] for n in leaves(system["indicators"])]
    assert system_for(pm, "浙江省")["code"] == "zwgk-default"  # outside the plugin's region
    # a re-weighting that leaves a level at 110 is refused, naming the level
    bad = dict(extend, remove=[])
    with pytest.raises(SystemError, match="110"):
        system_for(_pm(fake=_SystemsPlugin([bad])), "湖南省")
    wrong_method = dict(extend, code="x", base=None, indicators=[{"code": "a", "name": "甲", "weight": "100",
                                                                  "method": "computed"}])
    with pytest.raises(SystemError, match="compute"):
        system_for(_pm(fake=_SystemsPlugin([wrong_method])), "湖南省")
def test_zwgk_register_documents_are_records_and_sources_must_cite_them(db, monkeypatch):
    from zwgk.conformance import citation_problems
    from zwgk.documents import PolicyDocument
    from zwgk.plugin_manager import collect

    doc = {"number": "琼政办发〔2099〕1号", "title": "测试文件", "issuer": "测试", "issued_on": "2099-01-02",
           "level": "province", "region": "湖南省", "url": "测试数据，不是真实文件"}
    fake = FakePlugin(region="湖南省", documents=[doc], units=[
        {"name": "某县", "level": "county", "parent": "湖南省", "source": {"file": "琼政办发〔2099〕1号", "section": "一"}},
        {"name": "另县", "level": "county", "parent": "湖南省", "source": {"file": "未声明.txt", "section": "一"}}])
    pm = _pm(fake=fake)
    problems = citation_problems(pm, "fake", collect(pm, "fake"))
    assert [(p.record, p.field) for p in problems] == [("另县", "source.file")]
    assert "未声明.txt" in problems[0].message
    apply(db, pm)
    with db.sessionmaker() as session:
        [stored] = _of(session, PolicyDocument)
        assert (stored.key, stored.issued_on, stored.status) == ("琼政办发〔2099〕1号", dt.date(2099, 1, 2), "in_force")
