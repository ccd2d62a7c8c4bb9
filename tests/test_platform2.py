"""Plugin platform 2.0 (issue 11): lifecycle, errors, documents and dates."""

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

import zwgk.plugin_manager as pmod
from zwgk import DataPlugin, DataError
from zwgk import models as m
from zwgk.documents import OUTSIDE, PolicyDocument
from zwgk.plugin_manager import PluginError, apply, get_plugin_manager, parse_enabled, remove

from .fakes import SRC, TEST_DOC, FakePlugin, domain, manager_with


def _current(session, model, origin):
    return sorted(o.key for o in session.scalars(select(model).where(model.origin == origin,
                                                                      model.retired_at.is_(None))))


# --------------------------------------------------------------------------
# Removed records and plugins remove
# --------------------------------------------------------------------------


def test_a_record_the_new_version_no_longer_provides_is_retired_not_deleted(db, make_app, loaded_db_url, run_cli):
    first = FakePlugin(domains=[domain("甲领域"), domain("乙领域")])
    apply(db, manager_with(fake=first))
    with db.session() as session:  # a catalog item depends on 乙领域
        unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == "湖南省"))
        dom = session.scalar(select(m.Domain).where(m.Domain.name == "乙领域"))
        session.add(m.CatalogItem(unit=unit, domain=dom, level1="某事项"))

    second = FakePlugin(domains=[domain("甲领域")])
    [_, report] = apply(db, manager_with(fake=second))
    assert report.counts["domains"]["removed"] == 1 and "已移除 removed 1" in report.render()
    with db.sessionmaker() as session:
        assert _current(session, m.Domain, "fake") == ["甲领域"]
        retired = session.scalar(select(m.Domain).where(m.Domain.name == "乙领域"))
        assert retired is not None and retired.retired_at is not None  # kept, for the item and history
        assert session.scalar(select(m.CatalogItem).where(m.CatalogItem.level1 == "某事项")).domain is retired
        change = session.scalars(select(m.Change).where(m.Change.entity == "domain",
                                                        m.Change.entity_id == retired.id)).all()[-1]
        assert "retired_at" in change.changes
    names = {d["name"] for d in json.loads(run_cli(make_app(loaded_db_url), "export", "domains").output)}
    assert "甲领域" in names and "乙领域" not in names  # hidden from current lists

    [_, again] = apply(db, manager_with(fake=second))  # nothing more to remove
    assert again.total("removed") == 0 and not again.changed_anything
    [_, back] = apply(db, manager_with(fake=first))  # provided again: current again
    assert back.counts["domains"]["changed"] == 1
    with db.sessionmaker() as session:
        assert _current(session, m.Domain, "fake") == ["乙领域", "甲领域"]


def test_plugins_remove_has_a_dry_run_and_retires_everything_of_the_plugin(make_app, regions_db_url, run_cli):
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")
    db = app.extensions["zwgk.db"]
    with db.sessionmaker() as session:
        before = len(_current(session, m.Obligation, "shandong"))
    assert before > 20

    dry = run_cli(app, "plugins", "remove", "shandong", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "试运行 dry run" in dry.output and f"obligations" in dry.output and "已移除 removed" in dry.output
    with db.sessionmaker() as session:
        assert len(_current(session, m.Obligation, "shandong")) == before  # nothing written

    done = run_cli(app, "plugins", "remove", "shandong")
    assert done.exit_code == 0, done.output
    with db.sessionmaker() as session:
        assert _current(session, m.Obligation, "shandong") == [] == _current(session, m.Schedule, "shandong")
        assert session.scalars(select(m.Obligation).where(m.Obligation.origin == "shandong")).all()  # not deleted
        assert _current(session, m.Obligation, "national") == _current(session, m.Obligation, "national")
        assert len(_current(session, m.Standard, "zhejiang")) > 0  # other plugins untouched
    exported = json.loads(run_cli(app, "export", "obligations").output)
    assert not [o for o in exported if (o.get("scope") or "").startswith("山东省")]

    national = run_cli(app, "plugins", "remove", "national")
    assert national.exit_code == 1 and "cannot be removed" in national.output


# --------------------------------------------------------------------------
# Enabling errors, broken plugins, YAML errors
# --------------------------------------------------------------------------


class _EP:
    def __init__(self, name, load):
        self.name, self.value, self.dist, self._load = name, f"tests.{name}", None, load

    def load(self):
        return self._load()


def _with_entry_points(monkeypatch, **extra):
    real = pmod.installed_entry_points()
    eps = {**real, **{name: _EP(name, load) for name, load in extra.items()}}
    monkeypatch.setattr(pmod, "installed_entry_points", lambda: eps)
    monkeypatch.setattr("zwgk.app.installed_entry_points", lambda: eps)


def _cli_env(tmp_path, **env):
    return {"ZWGK_INSTANCE_PATH": str(tmp_path / "instance"), "ZWGK_SECRET_KEY": "t",
            "ZWGK_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}", **env}


def test_unknown_or_national_in_zwgk_plugins_is_a_one_line_error(tmp_path):
    from zwgk.cli import main

    with pytest.raises(PluginError, match="national is always on"):
        parse_enabled("national", ["zhejiang"])
    for setting, named in (("hainan", "hainan"), ("national", "national"), ("zhejiang,nowhere", "nowhere")):
        result = CliRunner().invoke(main, ["db", "upgrade"], env=_cli_env(tmp_path, ZWGK_PLUGINS=setting))
        assert result.exit_code == 1, result.output
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and named in lines[0] and "Traceback" not in result.output, result.output


def test_a_broken_plugin_is_listed_as_broken_and_the_others_still_are(monkeypatch, tmp_path):
    from zwgk.cli import main

    def fails():
        raise ImportError("No module named 'zwgk_missing_dependency'")

    _with_entry_points(monkeypatch, kaput=fails)
    env = _cli_env(tmp_path, ZWGK_PLUGINS="zhejiang,kaput")
    served = CliRunner().invoke(main, ["db", "upgrade"], env=env)
    assert served.exit_code == 1
    assert "插件 kaput 无法加载" in served.output and len(served.output.strip().splitlines()) == 1

    listing = CliRunner().invoke(main, ["plugins", "list"], env=env)
    assert listing.exit_code == 0, listing.output
    lines = listing.output.splitlines()
    kaput = next(i for i, line in enumerate(lines) if line.startswith("kaput "))
    assert "无法加载 broken" in lines[kaput] and "zwgk_missing_dependency" in lines[kaput + 1]
    assert any(line.startswith("zhejiang ") and "启用 enabled" in line for line in lines)
    assert "standards 1" in listing.output or "standards" in listing.output


def test_an_impossible_unquoted_date_names_file_line_and_field(monkeypatch, tmp_path):
    from zwgk.cli import main

    data = tmp_path / "plugin" / "data"
    data.mkdir(parents=True)
    (data / "schedules.yaml").write_text(
        "records:\n"
        "- title: 进度\n"
        "  source: {file: 文件之外, section: 测试}\n"
        "  phases:\n"
        "  - name: 试点实施\n"
        "    ends_on: 2018-06-31\n", encoding="utf-8")
    plugin = DataPlugin(data, title="测试", region=None)
    with pytest.raises(DataError) as caught:
        plugin.zwgk_register_schedules()
    [problem] = caught.value.problems
    assert "schedules.yaml, 第6行 line 6" in problem.where and problem.field == "ends_on"
    assert "2018-06-31" in problem.message

    _with_entry_points(monkeypatch, baddate=lambda: plugin)
    env = _cli_env(tmp_path, ZWGK_PLUGINS="baddate")
    listing = CliRunner().invoke(main, ["plugins", "list"], env=env)
    assert listing.exit_code == 0 and "Traceback" not in listing.output, listing.output
    assert "第6行 line 6 ends_on" in listing.output
    init = CliRunner().invoke(main, ["init"], env=env)
    assert init.exit_code == 1 and "第6行 line 6 ends_on" in init.output


def test_nested_error_paths_are_counted_from_one_named_and_in_chinese(db):
    fake = FakePlugin(schedules=[{"title": "进度", "scope": "湖南省", "source": SRC, "phases": [
        {"name": "准备"}, {"name": "试点实施", "milestones": [{"title": "验收", "due_on": None}]}]}])
    with pytest.raises(DataError) as caught:
        apply(db, manager_with(fake=fake))
    [problem] = caught.value.problems
    assert problem.field == "阶段第2项「试点实施」 › 里程碑第1项「验收」.due_on"
    assert problem.message.startswith("不能为空")


def test_plugins_list_shows_the_hooks_really_implemented(make_app, loaded_db_url, run_cli):
    out = run_cli(make_app(loaded_db_url, plugins="shandong"), "plugins", "list").output
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("shandong "))
    hooks = next(line for line in lines[start:] if "钩子 hooks" in line)
    assert "zwgk_register_obligations" in hooks and "zwgk_review_steps" in hooks
    assert "zwgk_register_standards" not in hooks and "zwgk_register_domains" not in hooks


def test_a_local_domain_carries_its_region(db):
    fake = FakePlugin(region="湖南省", documents=[TEST_DOC], domains=[domain("新型农村合作医疗")])
    apply(db, manager_with(fake=fake))
    with db.sessionmaker() as session:
        local = session.scalar(select(m.Domain).where(m.Domain.name == "新型农村合作医疗"))
        national = session.scalar(select(m.Domain).where(m.Domain.name == "义务教育"))
        assert (local.region, national.region) == ("湖南省", None)


# --------------------------------------------------------------------------
# Checks against the documents and the national data
# --------------------------------------------------------------------------


def test_every_source_of_the_shipped_data_cites_a_declared_document_and_section():
    from zwgk.conformance import citation_problems
    from zwgk.plugin_manager import NATIONAL, collect

    pm = get_plugin_manager(["zhejiang", "shandong", "daoxian"])
    for name in (NATIONAL, "zhejiang", "shandong", "daoxian"):
        assert [str(p) for p in citation_problems(pm, name, collect(pm, name))] == [], name


def test_check_refuses_an_undeclared_document_and_a_section_not_in_the_text(monkeypatch):
    from zwgk.conformance import check_plugin

    plugin = FakePlugin(region="湖南省/永州市", documents=[], units=[
        {"name": "某镇", "level": "county", "parent": "湖南省/永州市",
         "source": {"file": "004_f45e28f35d19f70e.txt", "section": "九、（三）不存在的部分"}},
        {"name": "某乡", "level": "county", "parent": "湖南省/永州市",
         "source": {"file": "湘政办发〔2099〕1号", "section": "一"}},
        {"name": "某村", "level": "county", "parent": "湖南省/永州市",
         "source": {"file": OUTSIDE, "section": "行政区划（不是文件事实）"}}])
    _with_entry_points(monkeypatch, cites=lambda: plugin)
    problems = {(p.record, p.field): p.message for p in check_plugin("cites") if not p.warning}
    assert set(problems) == {("某镇", "source.section"), ("某乡", "source.file")}
    assert "九、" in problems[("某镇", "source.section")]
    assert "undeclared document" in problems[("某乡", "source.file")]


def test_check_warns_where_a_plugin_contradicts_the_national_data(monkeypatch):
    from zwgk.conformance import check_plugin

    src = {"file": "004_f45e28f35d19f70e.txt", "section": "二、工作任务"}
    plugin = FakePlugin(region="湖南省", units=[
        {"name": "新县", "level": "county", "parent": "湖南省/永州市", "is_pilot": True, "pilot_edition": 2017,
         "source": src}],
        pilot_programs=[{"scope": "湖南省", "title": "湖南试点", "edition": 2017, "unit_count": 1, "source": src}])
    _with_entry_points(monkeypatch, contra=lambda: plugin)
    found = check_plugin("contra")
    warnings = {(p.record, p.field) for p in found if p.warning}
    assert ("新县", "pilot_edition") in warnings and ("湖南试点", "unit_count") in warnings
    assert not [p for p in found if not p.warning]


def test_documents_are_listed_by_region_with_what_was_derived_from_them(make_app, regions_db_url, run_cli):
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")
    docs = json.loads(run_cli(app, "export", "documents", "--region", "山东省").output)
    assert [d["number"] for d in docs] == ["鲁政办发〔2017〕74号", "鲁政办发〔2018〕21号"]
    from zwgk.documents_web import derived_from

    with app.extensions["zwgk.db"].sessionmaker() as session:
        doc = session.scalar(select(PolicyDocument).where(PolicyDocument.number == "鲁政办发〔2018〕21号"))
        derived = derived_from(session, doc)
        sections = {(r.kind, r.section) for r in derived}
        assert ("obligations", "六、（三）加强政府信息公开审查和依申请公开工作") in sections


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------


@pytest.mark.parametrize("text,issued,expected", [
    ("今年年底前", dt.date(2018, 7, 4), dt.date(2018, 12, 31)),
    ("9月底前", dt.date(2018, 7, 4), dt.date(2018, 9, 30)),
    ("10月底前", dt.date(2018, 7, 4), dt.date(2018, 10, 31)),
    ("年底前", dt.date(2018, 7, 4), dt.date(2018, 12, 31)),
    ("年内出台实施方案", dt.date(2018, 7, 4), dt.date(2018, 12, 31)),
    ("每年7月底前", dt.date(2018, 7, 4), dt.date(2019, 7, 31)),  # says 每年: still yearly
])
def test_a_deadline_in_a_dated_document_is_in_its_year(text, issued, expected):
    from zwgk.timelimits import due_date, parse
    from zwgk.workcalendar import WorkCalendar

    rule = parse(text, issued)
    assert due_date(rule, dt.date(2019, 3, 1), WorkCalendar({}, set())).due == expected


@pytest.mark.parametrize("text,expected", [
    ("2018年8月底前", dt.date(2018, 8, 31)),
    ("2028年1月5日前", dt.date(2028, 1, 5)),
    ("2020年底前", dt.date(2020, 12, 31)),
])
def test_a_phrase_that_names_a_year_uses_it(text, expected):
    from zwgk.timelimits import due_date, parse
    from zwgk.workcalendar import WorkCalendar

    assert due_date(parse(text), dt.date(2025, 9, 30), WorkCalendar({}, set())).due == expected


def test_working_days_without_nei_are_a_period():
    from zwgk.timelimits import parse

    bare, with_nei = parse("15个工作日"), parse("15个工作日内")
    assert (bare.kind, bare.amount, bare.unit) == (with_nei.kind, with_nei.amount, with_nei.unit) == (
        "period", 15, "workday")


def test_deadline_command_reads_the_document_year(make_app, regions_db_url, run_cli):
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")
    out = run_cli(app, "deadline", "今年年底前", "--from", "2019-03-01", "--document", "鲁政办发〔2018〕21号").output
    assert "到期 due: 2018-12-31" in out and "一次性截止：2018年12月底前" in out


def test_the_2018_obligations_fall_due_on_their_2018_dates(regions_db_url):
    from zwgk.db import Database
    from zwgk.tracking import check_publication
    from zwgk.workcalendar import WorkCalendar

    db = Database(regions_db_url)
    expected = {"完成省基层政务公开标准化规范化试点验收": dt.date(2018, 9, 30),
                "报送试点成果和总体情况（每个试点领域报送一套公开标准规范建议）": dt.date(2018, 10, 31),
                "完成主动公开基本目录的编制工作": dt.date(2018, 12, 31),
                "政务热线电话清理整合情况报上一级政府办公厅（室）备案": dt.date(2018, 12, 31),
                "推进重大建设项目批准和实施领域政府信息公开的实施方案出台": dt.date(2018, 12, 31),
                "推进公共资源配置领域政府信息公开的实施方案出台": dt.date(2018, 12, 31),
                "推进社会公益事业建设领域政府信息公开的实施方案出台": dt.date(2018, 12, 31),
                "政府网站部署IPv6，门户网站相关改造": dt.date(2018, 12, 31),
                "全省政务公开工作人员轮训一遍": dt.date(2018, 12, 31)}
    try:
        with db.sessionmaker() as session:
            cal = WorkCalendar.load(session)
            obligations = {o.title: o for o in session.scalars(select(m.Obligation).where(
                m.Obligation.origin == "shandong"))}
            for title, due in expected.items():
                rec = m.PublicationRecord(obligation=obligations[title], subject="测试",
                                          event_at=dt.datetime(2019, 3, 1, tzinfo=dt.timezone.utc))
                session.add(rec)
                check = check_publication(rec, cal, dt.date(2019, 3, 1))
                assert (title, check.due, check.status) == (title, due, "overdue")
            for title in ("义务教育学校招生结果公开", "重大、特大法定传染病疫情向社会公布", "发布解读全省住房公积金年度报告",
                          "“僵尸”企业处置和亏损企业治理结果公示公告", "安全生产不良记录“黑名单”向社会公布"):
                assert obligations[title].source_text and obligations[title].source_section
            threes = [o for t, o in obligations.items() if t.startswith("“3545”改革")]
            assert sorted(o.rule_text[:3] for o in threes) == ["3个工", "45个", "5个工"]
            session.rollback()
    finally:
        db.dispose()


# --------------------------------------------------------------------------
# zwgk.testing
# --------------------------------------------------------------------------


def test_the_testing_helpers_a_plugin_author_uses(tmp_path):
    from zwgk import testing

    assert testing.check("shandong") == []
    with testing.scratch_database(tmp_path) as db:
        first = testing.apply_plugins(db, "shandong")
        assert first["shandong"].total("added") > 0 and set(first) == {"national", "shandong"}
        obligations = testing.records(db, "obligations")
        key = "山东省|完成省基层政务公开标准化规范化试点验收"
        assert obligations[key]["rule_text"] == "9月底前"
        assert testing.remove_plugin(db, "shandong", dry_run=True).total("removed") > 0
        assert key in testing.records(db, "obligations")  # a dry run
        testing.remove_plugin(db, "shandong")
        assert key not in testing.records(db, "obligations") and key in testing.records(db, "obligations",
                                                                                          current=False)
    app = testing.make_app(tmp_path / "app", "shandong")
    assert app.test_client().get("/documents?region=山东省").status_code == 200
    app.extensions["zwgk.db"].dispose()


def test_a_declared_text_must_be_shipped(tmp_path):
    from zwgk.conformance import citation_problems
    from zwgk.plugin_manager import collect

    data = tmp_path / "data"
    data.mkdir()
    (data / "documents.yaml").write_text(
        "- {number: 测试发〔2099〕2号, title: 测试文件（不是真实文件）, issuer: 测试机关, issued_on: 2099-01-02,"
        " level: province, text_file: missing.txt}\n", encoding="utf-8")
    plugin = DataPlugin(data, title="测试", region=None)
    pm = manager_with(shipped=plugin)
    [problem] = citation_problems(pm, "shipped", collect(pm, "shipped"))
    assert problem.field == "text_file" and "missing.txt" in problem.message
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "missing.txt").write_text("一、测试\n", encoding="utf-8")
    assert citation_problems(pm, "shipped", collect(pm, "shipped")) == []
