"""``zwgk evaluate`` and ``zwgk evaluation …`` (runs, re-run, compare, publish, systems, surveys)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

FORMATS = ("text", "json", "xlsx", "html")


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def _session():
    from ..db import get_db

    return get_db()


def _region(session, region: str) -> str:
    from .. import export
    from ..app import get_pm

    try:
        path = export.resolve_region(session, get_pm(), region)[0]
    except export.ExportError as exc:
        _fail(str(exc))
    if not path:
        _fail(f"插件 {region} 没有地区 the plugin names no region")
    return path


def _output(data: dict, fmt: str, output: Path | None) -> None:
    from . import report

    if fmt == "text":
        run = data["run"]
        click.echo(f"评估 run #{run['id']} {run['region']} {run['period']} · {run['system_title']} "
                   f"v{run['system_version']} · {run['units']} 个单位 units")
        for r in data["rows"]:
            first = "；".join(f"{x['indicator']} −{x['lost']}：{x['texts'][0]}" for x in r["reasons"][:2])
            click.echo(f"{r['rank']:>4}  {r['total']:>6}  {r['unit']}  {first}")
        return
    if fmt == "xlsx" and output is None:
        _fail("xlsx 需要 -o 文件 needs -o FILE")
    if output is None:
        click.echo(report.as_json(data) if fmt == "json" else report.render_html(data))
        return
    report.write(data, fmt, output)
    click.echo(f"{len(data['rows'])} 个单位 units → {output}", err=True)


def register(main: click.Group) -> None:
    """Add the evaluation commands to the ``zwgk`` group."""
    main.add_command(evaluate_command)
    main.add_command(evaluation_group)


@click.command("evaluate")
@click.option("--region", required=True, help="插件名、单位名称或路径 plugin, unit name or path")
@click.option("--period", required=True, help="考核期 2018Q3, 2018H1, 2018-07 or 2018")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="写入文件 write to a file")
@click.option("--system", "system_code", help="指标体系代码 indicator system (default: the region's)")
@click.option("--actor", default="cli", show_default=True, help="记录的计算人 who ran it")
@click.option("--no-store", is_flag=True, help="只计算，不保存 compute only, store no run")
@with_appcontext
def evaluate_command(region, period, fmt, output, system_code, actor, no_store) -> None:
    """考核评估：为地区内每个单位评分、排名并说明扣分原因 score, rank and explain every unit in scope."""
    from ..app import get_pm
    from . import runs
    from .compute import parse_period
    from .systems import SystemError, system_for

    db = _session()
    try:
        p = parse_period(period)
    except ValueError as exc:
        _fail(str(exc))
    with db.session(actor=actor, reason=f"evaluate {region} {period}") as session:
        path = _region(session, region)
        try:
            system = system_for(get_pm(), path, system_code)
        except SystemError as exc:
            _fail("指标体系有误 invalid indicator system:\n" + str(exc))
        rows = runs.compute(session, path, p, system)
        if not rows:
            _fail(f"{path} 内没有可评估的单位 no pilot unit or unit with a catalog in scope")
        run = runs.store_run(session, path, p, system, rows, actor)
        data = runs.report_data(session, run)
        if no_store:
            session.rollback()
            data["run"]["id"] = None
    _output(data, fmt, output)


@click.group("evaluation")
def evaluation_group() -> None:
    """考核评估结果、指标体系、满意度测评 evaluation runs, indicator systems, surveys."""


@evaluation_group.command("runs")
@click.option("--region", help="插件名、单位名称或路径 plugin, unit name or path")
@with_appcontext
def runs_command(region) -> None:
    """列出已保存的评估 list stored runs."""
    from sqlalchemy import select

    from .. import models as m
    from . import models as em
    from .runs import describe

    with _session().session() as session:
        q = select(em.EvaluationRun).order_by(em.EvaluationRun.id)
        if region:
            path = _region(session, region)
            from ..unitpath import under

            q = q.join(m.AdminUnit, em.EvaluationRun.region).where(under(m.AdminUnit.key, path))
        for run in session.scalars(q):
            d = describe(run)
            click.echo(f"#{d['id']}  {d['region']}  {d['period']}  {d['system_code']} v{d['system_version']}  "
                       f"{d['units']} 个单位  {d['created_at']}  {'已通报 ' + d['published_at'] if d['published_at'] else ''}")


@evaluation_group.command("show")
@click.argument("run_id", type=int)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def show_command(run_id, fmt, output) -> None:
    """显示或导出一次评估 show or write a stored run."""
    from . import runs

    with _session().session() as session:
        try:
            data = runs.report_data(session, runs.get_run(session, run_id))
        except runs.RunError as exc:
            _fail(str(exc))
    _output(data, fmt, output)


@evaluation_group.command("rerun")
@click.argument("run_id", type=int)
@with_appcontext
def rerun_command(run_id) -> None:
    """按原指标体系和考核期重算并核对 recompute a run with its own system and period; exit 1 if it differs."""
    from . import runs

    with _session().session() as session:
        try:
            result = runs.rerun(session, runs.get_run(session, run_id))
        except runs.RunError as exc:
            _fail(str(exc))
        session.rollback()
    click.echo(("输入数据未变 same inputs" if result["same_inputs"] else "输入数据已变 inputs changed since the run"))
    if result["same"]:
        click.echo("结果一致 same numbers")
        return
    _print_changes(result["changed"])
    sys.exit(1)


def _print_changes(changed) -> None:
    for c in changed:
        if c.get("added") or c.get("removed"):
            click.echo(f"{c['unit']}: {'新增' if c.get('added') else '移除'} {c['total']}")
            continue
        parts = [f"{v['name']} {v['from']} → {v['to']}" for v in c["indicators"].values()]
        click.echo(f"{c['unit']}: 总分 {c['total'][0]} → {c['total'][1]} ({c['delta']}), 排名 {c['rank'][0]} → "
                   f"{c['rank'][1]}; " + "; ".join(parts))


@evaluation_group.command("compare")
@click.argument("a", type=int)
@click.argument("b", type=int)
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@with_appcontext
def compare_command(a, b, fmt) -> None:
    """比较两次评估 what changed from run A to run B."""
    from . import runs

    with _session().session() as session:
        try:
            result = runs.compare(session, runs.get_run(session, a), runs.get_run(session, b))
        except runs.RunError as exc:
            _fail(str(exc))
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if result["system_changed"]:
        click.echo(f"指标体系不同 system changed: {result['a']['system_code']} v{result['a']['system_version']} → "
                   f"{result['b']['system_code']} v{result['b']['system_version']}")
    if result["same"]:
        click.echo("结果一致 same numbers")
    _print_changes(result["changed"])


@evaluation_group.command("publish")
@click.argument("run_id", type=int)
@click.option("--actor", required=True, help="通报人 who publishes")
@with_appcontext
def publish_command(run_id, actor) -> None:
    """通报：在公开网站发布评估结果 publish a run's results on the public site."""
    from . import runs

    with _session().session(actor=actor) as session:
        try:
            run = runs.get_run(session, run_id)
        except runs.RunError as exc:
            _fail(str(exc))
        runs.publish(session, run, actor)
    click.echo(f"已通报 published run #{run_id}")


@evaluation_group.command("systems")
@with_appcontext
def systems_command() -> None:
    """列出并校验指标体系 list and check the indicator systems (weights per level sum to 100)."""
    from ..app import get_pm
    from .systems import METHOD_NAMES, SystemError, collect_systems, walk

    try:
        systems = collect_systems(get_pm())
    except SystemError as exc:
        _fail("指标体系有误 invalid indicator system:\n" + str(exc))
    for system in systems.values():
        click.echo(f"{system['code']} v{system['version']} {system['title']} (scope: {system.get('scope') or '全部'})")
        for n, depth in walk(system["indicators"]):
            extra = n.get("compute") or ""
            click.echo(f"{'  ' * (depth + 1)}{n['code']} {n['name']} {n['weight']} "
                       f"[{METHOD_NAMES[n['method']]}{' ' + extra if extra else ''}]")


@evaluation_group.command("survey-import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--questionnaire", required=True, help="问卷代码 questionnaire code")
@with_appcontext
def survey_import_command(path, questionnaire) -> None:
    """导入满意度答卷 (CSV: unit, answered_on, one column per question) — all rows or none."""
    from sqlalchemy import select

    from . import models as em
    from .survey import SurveyError, import_csv

    with _session().session(actor="cli") as session:
        qn = session.scalar(select(em.Questionnaire).where(em.Questionnaire.code == questionnaire))
        if qn is None:
            _fail(f"找不到问卷 unknown questionnaire {questionnaire}")
        try:
            n = import_csv(session, qn, path)
        except SurveyError as exc:
            session.rollback()
            _fail("答卷有误，未导入任何内容 invalid rows, nothing was imported:\n" + str(exc))
    click.echo(f"导入 {n} 份答卷 imported {n} responses")


@evaluation_group.command("questionnaire")
@click.argument("code")
@click.option("--title", required=True, help="问卷标题 title")
@click.option("--question", "questions", multiple=True, required=True,
              help="问题 'code|text|scale', e.g. 'q1|对公开内容是否满意|5' (repeat)")
@click.option("--scope", help="所属地区：单位名称或路径 the region's unit name or path (default: everywhere)")
@with_appcontext
def questionnaire_command(code, title, questions, scope) -> None:
    """新建满意度测评问卷 define a satisfaction questionnaire."""
    from .survey import SurveyError, define

    parsed = []
    for q in questions:
        parts = [p.strip() for p in q.split("|")]
        scale = parts[2] if len(parts) > 2 else "5"
        parsed.append({"code": parts[0], "text": parts[1] if len(parts) > 1 else "",
                       "scale": int(scale) if scale.isdigit() else scale})
    with _session().session(actor="cli") as session:
        scope = _region(session, scope) if scope else None
        try:
            define(session, code, title, parsed, scope)
        except SurveyError as exc:
            session.rollback()
            _fail("问卷有误 invalid questionnaire:\n" + str(exc))
    click.echo(f"问卷 questionnaire {code}: {len(parsed)} 个问题 questions")
