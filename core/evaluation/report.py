"""Reports of a run: JSON, an .xlsx workbook (one sheet per indicator, the raw figures) and an
HTML page with SVG charts that prints on A4 and needs no network."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..export import neutralise
from . import charts
from .systems import METHOD_NAMES, METHOD_NAMES_EN, english_names, in_language, walk

TEMPLATES = Path(__file__).parent / "templates"


def as_json(data: dict[str, Any]) -> str:
    return json.dumps({"run": data["run"], "system": {k: data["system"][k] for k in ("code", "title", "version")},
                       "indicators": [{"code": n["code"], "name": n["name"], "weight": n["weight"],
                                       "method": n["method"], "depth": d} for n, d in walk(data["system"]["indicators"])],
                       "averages": data["averages"], "results": data["rows"], "history": data["history"]},
                      ensure_ascii=False, indent=2)


def _num(value: str | None) -> float | None:
    return None if value is None else float(Decimal(value))


def _cell(value: Any) -> Any:
    return neutralise(value) if isinstance(value, str) else value


def write_xlsx(data: dict[str, Any], path: Path) -> None:
    """Sheet 总分排名, then one sheet per indicator (groups too) with its raw figures, then 说明."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "总分排名"
    top = data["system"]["indicators"]
    ws.append(["排名", "单位", "单位路径", "总分", *[f"{n['name']}（{n['weight']}）" for n in top]])
    for r in data["rows"]:
        ws.append([r["rank"], _cell(r["name"]), _cell(r["unit"]), _num(r["total"]),
                   *[_num(r["indicators"][n["code"]]["score"]) for n in top]])
    used: set[str] = {ws.title}
    for node, depth in walk(top):
        title = f"{node['code']}"[:31].replace("/", "_")
        name = node["name"][: 31 - len(title) - 1]
        sheet_title = f"{name} {title}"[:31]
        while sheet_title in used:
            sheet_title = sheet_title[:29] + f"{len(used)}"
        used.add(sheet_title)
        sh = wb.create_sheet(sheet_title)
        sh.append([f"{node['name']}（{node['code']}）", f"本级权重 {node['weight']}",
                   f"方法 {METHOD_NAMES.get(node['method'], node['method'])}", node.get("description") or ""])
        sh.append(["排名", "单位", "单位路径", "得分", "分子", "分母", "实际权重", "得分贡献", "说明", "扣分原因"])
        for r in data["rows"]:
            d = r["indicators"][node["code"]]
            sh.append([r["rank"], _cell(r["name"]), _cell(r["unit"]), _num(d["score"]), _num(d.get("numerator")),
                       _num(d.get("denominator")), _num(d.get("effective_weight")), _num(d.get("points")),
                       _cell(d.get("note") or ""), _cell("；".join(d.get("reasons") or []))])
        for cell in sh[1]:
            cell.font = Font(bold=True)
    info = wb.create_sheet("说明")
    run = data["run"]
    for k, v in (("评估", f"#{run['id']}"), ("地区", run["region"]), ("考核期", run["period"]),
                 ("指标体系", f"{run['system_title']}（{run['system_code']} v{run['system_version']}）"),
                 ("数据截至", run["last_day"]), ("计算时间", run["created_at"]), ("计算人", run["created_by"]),
                 ("单位数", run["units"]), ("输入指纹", json.dumps(run["fingerprint"], ensure_ascii=False))):
        info.append([k, _cell(str(v))])
    for sheet in wb.worksheets:
        for row in sheet.iter_rows(min_row=1, max_row=2):
            for c in row:
                c.font = Font(bold=True)
        for col in "ABCDEFGHIJ":
            sheet.column_dimensions[col].width = 16
    wb.save(path)


def note_in_language(d: dict[str, Any], english: bool) -> str:
    """Why an indicator does not apply, in one language: notes are stored "中文 English"
    (``note_en`` beside them since the English pages; an older run's note is split)."""
    text = d.get("note") or ""
    found = re.search(r"\s(?=[A-Za-z])", text)
    if english:
        return d.get("note_en") or (text[found.end():] if found else text)
    return text[:found.start()] if found else text


def _translations(english: bool) -> Any:
    """The interface's catalogue: Chinese (the msgstrs) by default, the English msgids on request."""
    from babel.support import NullTranslations, Translations

    if english:
        return NullTranslations()
    return Translations.load(str(Path(__file__).parent.parent / "translations"), ["zh_Hans_CN"])


def _env(english: bool = False) -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(_translations(english), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(charts=charts, method_names=METHOD_NAMES_EN if english else METHOD_NAMES, english=english,
                       note=lambda d: note_in_language(d, english))
    return env


def render_html(data: dict[str, Any], public: bool = False, english: bool = False, switch: str | None = None) -> str:
    """The whole report as one self-contained page (inline CSS and SVG), in Chinese or in English.

    English: the words of the report from the interface's catalogue, the indicators by their
    English names where the system has them (``systems.in_language``), the reasons for lost
    points as computed in English (a run stored before they were keeps its Chinese reasons).
    ``switch`` is the address of the other language's page (the public page links it)."""
    t = _translations(english)
    system = in_language(data["system"], english)
    top = system["indicators"]
    averages = charts.bars(t.gettext("Average score per indicator"),
                           [(n["name"], data["averages"].get(n["code"]), "") for n, _ in walk(top)], english)
    region = data["run"]["region_name"]
    history = charts.over_time(t.gettext("%(region)s: average total over periods") % {"region": region},
                               [(h["period"], h["average"]) for h in data["history"]], english)

    def note(d: dict[str, Any]) -> str:
        return note_in_language(d, english)

    unit_charts = {r["unit"]: charts.bars(t.gettext("%(unit)s: score per indicator") % {"unit": r["name"]},
                                          [(n["name"], r["indicators"][n["code"]]["score"],
                                            note(r["indicators"][n["code"]])) for n, _ in walk(top)], english)
                   for r in data["rows"]}
    return _env(english).get_template("report.html").render(
        data=data, run=data["run"], rows=data["rows"], nodes=list(walk(top)), top=top,
        system_title=system["title"], names=english_names(system) if english else {},
        averages_chart=averages, ranking_chart=charts.ranking(data["rows"], english), history_chart=history,
        unit_charts=unit_charts, unit_history=data.get("unit_history", {}), public=public, switch=switch)


def write(data: dict[str, Any], fmt: str, path: Path, english: bool = False) -> None:
    """``english`` chooses the HTML report's language; the .xlsx workbook and JSON stay as stored (Chinese)."""
    if fmt == "json":
        path.write_text(as_json(data), encoding="utf-8")
    elif fmt == "xlsx":
        write_xlsx(data, path)
    else:
        path.write_text(render_html(data, english=english), encoding="utf-8")
