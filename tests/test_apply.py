"""Applying data: idempotent, never overwrites an administrator's edit, all or nothing."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from zwgk import DataError
from zwgk import models as m
from zwgk.plugin_manager import apply

from .fakes import FakePlugin, domain, manager_with


_pm = manager_with


def _domain(session, name):
    return session.scalar(select(m.Domain).where(m.Domain.name == name))


def _count(db, model):
    with db.sessionmaker() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_second_apply_writes_nothing(db):
    before = _count(db, m.Change)
    [report] = apply(db, _pm())
    assert report.total("added") == report.total("changed") == report.total("kept") == 0
    assert report.total("unchanged") > 250
    assert _count(db, m.Change) == before


def test_dry_run_reports_but_writes_nothing(db_url):
    from zwgk.db import Database

    db = Database(db_url)
    [report] = apply(db, _pm(), dry_run=True)
    assert report.total("added") > 250 and report.dry_run
    assert _count(db, m.Domain) == 0 and _count(db, m.AdminUnit) == 0
    db.dispose()


def _unit(session, key):
    return session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == key))


def test_reapply_keeps_an_administrators_edit_and_reports_it(db):
    with db.session(actor="admin", reason="更正写法") as session:
        _unit(session, "浙江省/杭州市/拱墅区").written_as = "杭州市拱墅区（已撤并）"
    changes_before = _count(db, m.Change)

    for _ in range(2):  # and again: still kept, still reported, nothing written
        [report] = apply(db, _pm())
        assert report.total("kept") == 1 and report.total("changed") == 0
        [diff] = report.differences
        assert (diff.kind, diff.key, diff.field) == ("units", "浙江省/杭州市/拱墅区", "written_as")
        assert diff.current == "杭州市拱墅区（已撤并）" and diff.incoming == "杭州市拱墅区"
        assert "保留管理员修改" in report.render()
    with db.sessionmaker() as session:
        assert _unit(session, "浙江省/杭州市/拱墅区").written_as == "杭州市拱墅区（已撤并）"
    assert _count(db, m.Change) == changes_before


def test_plugin_update_reaches_untouched_fields_but_not_edited_ones(db):
    fake = FakePlugin(domains=[domain("测试领域", "v1")])
    pm = _pm(fake=fake)
    [_, report] = apply(db, pm)
    assert report.total("added") == 1

    fake.lists["domains"] = [domain("测试领域", "v2")]
    [_, report] = apply(db, pm)
    assert report.counts["domains"]["changed"] == 1
    with db.sessionmaker() as session:
        assert _domain(session, "测试领域").description == "v2"

    with db.session(actor="admin") as session:
        d = _domain(session, "测试领域")
        d.description = "管理员改过"
        d.editions = [2019]
    fake.lists["domains"] = [domain("测试领域", "v3", position=7)]
    [_, report] = apply(db, pm)
    assert report.counts["domains"]["changed"] == 1  # position: nobody edited it
    assert sorted(d.field for d in report.differences) == ["description", "editions"]
    with db.sessionmaker() as session:
        d = _domain(session, "测试领域")
        assert (d.description, d.position, d.editions) == ("管理员改过", 7, [2019])


def test_every_change_is_in_the_history_with_who_and_why(db):
    with db.session(actor="张三", reason="更正别称") as session:
        _domain(session, "义务教育").description = "新说明"
    with db.sessionmaker() as session:
        last = session.scalars(select(m.Change).order_by(m.Change.id.desc())).first()
        assert (last.entity, last.action, last.actor, last.reason) == ("domain", "update", "张三", "更正别称")
        assert last.changes == {"description": [None, "新说明"]}
        applied = session.scalar(select(func.count()).where(m.Change.actor == "plugin:national",
                                                           m.Change.action == "create"))
        loaded_rows = sum(session.scalar(select(func.count()).select_from(model))
                          for model in m.TRACKED if hasattr(model, "origin"))
        assert applied == loaded_rows > 250


def test_a_stale_copy_cannot_be_saved(db):
    with db.sessionmaker() as first, db.sessionmaker() as second:
        a = _domain(first, "义务教育")
        b = _domain(second, "义务教育")
        a.description = "先保存"
        first.commit()
        b.description = "基于旧版本"
        with pytest.raises(StaleDataError):
            second.commit()
    with db.sessionmaker() as session:
        d = _domain(session, "义务教育")
        assert d.description == "先保存" and d.version == 2


def test_two_plugins_providing_the_same_record_are_refused(db):
    pm = _pm(one=FakePlugin(domains=[domain("同名领域")]), two=FakePlugin(domains=[domain("同名领域")]))
    with pytest.raises(DataError, match="collides with one"):
        apply(db, pm)
    with pytest.raises(DataError, match="collides with national"):
        apply(db, _pm(three=FakePlugin(domains=[domain("义务教育")])))
    assert _count(db, m.Domain) == 29


def test_malformed_data_file_names_file_record_and_field_and_writes_nothing(db, tmp_path):
    from zwgk import read_data_file

    path = tmp_path / "domains.yaml"
    path.write_text(
        "records:\n"
        "- {name: 好领域, editions: [], source: {file: x.txt, section: 一}}\n"
        "- {name: 坏类型, editions: 二〇一七, source: {file: x.txt, section: 一}}\n"
        "- {editions: [], source: {file: x.txt, section: 一}}\n"
        "- {name: 无出处, editions: [2018]}\n",
        encoding="utf-8")
    plugin = FakePlugin()
    plugin.lists["domains"] = read_data_file(path)
    with pytest.raises(DataError) as caught:
        apply(db, _pm(bad=plugin))
    lines = str(caught.value).splitlines()
    assert all(str(path) in line for line in lines)
    assert any("第2条 record 2（第3行 line 3） [坏类型] editions" in line and "应为列表 / Not a valid list" in line
               for line in lines)
    assert any("第3条 record 3" in line and "name: 缺少必填项 / Missing data for required field" in line for line in lines)
    assert any("第4条 record 4（第5行 line 5） [无出处] source" in line for line in lines)
    assert any("第4条 record 4（第5行 line 5） [无出处] editions › 第1项" in line for line in lines)
    assert _count(db, m.Domain) == 29


def test_unknown_reference_rolls_back_everything_already_merged(db, tmp_path):
    from zwgk import read_data_file

    (tmp_path / "aliases.yaml").write_text(
        "source_file: 文件.txt\nrecords:\n"
        "- {alias: 某别称, domain: 不存在的领域, source: {section: 附}}\n", encoding="utf-8")
    plugin = FakePlugin(domains=[domain("新领域")])
    plugin.lists["aliases"] = read_data_file(tmp_path / "aliases.yaml")
    with pytest.raises(DataError) as caught:
        apply(db, _pm(bad=plugin))
    [problem] = caught.value.problems
    assert "aliases.yaml, 第1条 record 1" in problem.where
    assert (problem.record, problem.field) == ("某别称", "domain")
    assert "不存在的领域" in problem.message
    with db.sessionmaker() as session:
        assert _domain(session, "新领域") is None  # the valid domain before it was rolled back too


def test_alias_in_a_reference_is_stored_as_the_canonical_domain(db):
    unit = {"name": "测试县", "level": "county", "parent": "湖南省", "is_pilot": True,
            "pilot_domains": ["生态环境", "卫生健康领域"], "source": {"file": "t", "section": "t"}}
    pm = _pm(fake=FakePlugin(units=[unit]))
    apply(db, pm)
    [_, again] = apply(db, pm)  # aliases must not look like a change on the second run
    assert again.total("changed") == 0 and again.total("unchanged") == 1
    with db.sessionmaker() as session:
        u = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == "湖南省/测试县"))
        assert sorted(d.name for d in u.pilot_domains) == ["医疗卫生", "环境保护"]
