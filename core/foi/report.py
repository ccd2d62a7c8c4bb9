"""政府信息公开工作年度报告: the annual report of a unit for a year, built from the records.

The layout follows the national format (政府信息公开工作年度报告格式, 国务院办公厅政府信息与政务公开办公室,
2021): 一、总体情况 (text); 二、主动公开政府信息情况 — here per domain, from the catalog and the publication
records, as 鲁政办发〔2018〕21号 六(一) asks (在政府信息公开工作年度报告中公布重点领域信息公开情况, ``001_38f…txt``);
三、收到和处理政府信息公开申请情况; 四、政府信息公开行政复议、行政诉讼情况; 五、存在的主要问题及改进情况
and 六、其他需要报告的事项 (text).  Every figure is a :class:`Cell` carrying the ids of the records it
counts, so each opens the records behind it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .. import models as m
from ..tracking import check_publication
from ..workcalendar import WorkCalendar
from .models import APPEAL_KINDS, APPEAL_OUTCOMES, APPLICANT_KINDS, REPLY_TYPES, AnnualReportText, AppealCase, InfoRequest
from .service import beijing_day

NARRATIVES = {"overview": "一、总体情况", "problems": "五、存在的主要问题及改进情况", "other": "六、其他需要报告的事项"}
T3_COLUMNS = {**APPLICANT_KINDS, "total": "总计"}
T3_ROWS = {"new": "一、本年新收政府信息公开申请数量", "carried_in": "二、上年结转政府信息公开申请数量",
           **{k: v[0] for k, v in REPLY_TYPES.items()}, "handled": "（七）总计",
           "carried_out": "四、结转下年度继续办理"}
T2_COLUMNS = {"published": "公开事项（年末）", "records": "公开记录（本年）", "on_time": "按时公开", "late": "逾期公开",
              "pending": "尚未公开"}
T4_COLUMNS = {**APPEAL_OUTCOMES, "total": "总计"}


@dataclass
class Cell:
    kind: str  # info_request | catalog_item | publication_record | info_appeal_case
    ids: list[int] = field(default_factory=list)

    @property
    def value(self) -> int:
        return len(self.ids)


@dataclass
class AnnualReport:
    unit: m.AdminUnit
    year: int
    domains: list[str]
    t2: dict[str, dict[str, Cell]]  # domain → column → cell
    t3: dict[str, dict[str, Cell]]  # row → applicant column → cell
    t4: dict[str, dict[str, Cell]]  # appeal kind → outcome → cell
    texts: dict[str, str]

    def cell(self, key: str) -> Cell:
        """``t2:<domain>:<col>``, ``t3:<row>:<col>``, ``t4:<kind>:<col>``."""
        table, row, col = key.split(":", 2)
        return getattr(self, table)[row][col]


def _received(req: InfoRequest) -> dt.date:
    return req.received_on or beijing_day(req.submitted_at)


def _t3(requests: list[InfoRequest], year: int) -> dict[str, dict[str, Cell]]:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    table = {row: {col: Cell("info_request") for col in T3_COLUMNS} for row in T3_ROWS}

    def put(row: str, req: InfoRequest) -> None:
        table[row][req.applicant_kind if req.applicant_kind in APPLICANT_KINDS else "other_org"].ids.append(req.id)
        table[row]["total"].ids.append(req.id)

    for req in requests:
        got = _received(req)
        if first <= got <= last:
            put("new", req)
        if got < first and (req.closed_on is None or req.closed_on >= first):
            put("carried_in", req)
        if req.closed_on and first <= req.closed_on <= last:
            put(req.reply_type if req.reply_type in REPLY_TYPES else "other", req)
            put("handled", req)
        if got <= last and (req.closed_on is None or req.closed_on > last):
            put("carried_out", req)
    return table


def _published_at_year_end(session: Session, unit: str, year: int) -> dict[int, str]:
    """item id → domain, for the items whose last version at the end of ``year`` was published."""
    end = dt.datetime(year + 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    q = (select(m.CatalogItemVersion).where(m.CatalogItemVersion.unit_key == unit, m.CatalogItemVersion.at < end)
         .order_by(m.CatalogItemVersion.item_id, m.CatalogItemVersion.version))
    shown: dict[int, str] = {}
    for v in session.scalars(q):
        if v.deleted or v.status == "withdrawn":
            shown.pop(v.item_id, None)
        elif v.status == "published":
            shown[v.item_id] = v.snapshot.get("domain") or "—"
    return shown


def _t2(session: Session, unit: m.AdminUnit, year: int, today: dt.date) -> dict[str, dict[str, Cell]]:
    table: dict[str, dict[str, Cell]] = {}

    def row(domain: str) -> dict[str, Cell]:
        kinds = {"published": "catalog_item"}
        return table.setdefault(domain, {c: Cell(kinds.get(c, "publication_record")) for c in T2_COLUMNS})

    for item_id, domain in _published_at_year_end(session, unit.key, year).items():
        row(domain)["published"].ids.append(item_id)
    cal = WorkCalendar.load(session)
    first, last = dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1)
    recs = session.scalars(select(m.PublicationRecord).where(
        m.PublicationRecord.event_at >= first, m.PublicationRecord.event_at < last).options(
        selectinload(m.PublicationRecord.catalog_item), selectinload(m.PublicationRecord.obligation)))
    for rec in recs:
        if rec.catalog_item is not None and rec.catalog_item.unit_id == unit.id:
            domain = rec.catalog_item.domain.name
        elif rec.obligation is not None and rec.obligation.scope_id == unit.id and rec.obligation.domain is not None:
            domain = rec.obligation.domain.name
        else:
            continue
        cells = row(domain)
        cells["records"].ids.append(rec.id)
        status = check_publication(rec, cal, today).status
        bucket = {"on_time": "on_time", "late": "late", "pending": "pending", "overdue": "pending"}.get(status)
        if bucket:
            cells[bucket].ids.append(rec.id)
    return dict(sorted(table.items()))


def _t4(session: Session, unit: m.AdminUnit, year: int) -> dict[str, dict[str, Cell]]:
    table = {k: {c: Cell("info_appeal_case") for c in T4_COLUMNS} for k in APPEAL_KINDS}
    cases = session.scalars(select(AppealCase).where(AppealCase.unit_id == unit.id,
                                                     AppealCase.filed_on >= dt.date(year, 1, 1),
                                                     AppealCase.filed_on <= dt.date(year, 12, 31)))
    for case in cases:
        if case.kind in table:
            table[case.kind][case.outcome if case.outcome in APPEAL_OUTCOMES else "other"].ids.append(case.id)
            table[case.kind]["total"].ids.append(case.id)
    return table


def build(session: Session, unit_path: str, year: int, today: dt.date | None = None) -> AnnualReport:
    unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == unit_path))
    if unit is None:
        raise ValueError(f"unit 单位: 找不到 unknown unit {unit_path!r}")
    if not 1990 <= year <= 2100:
        raise ValueError(f"year 年度: 不是年份 not a year {year!r}")
    if today is None:
        from .service import _now, beijing_day

        today = beijing_day(_now())
    requests = list(session.scalars(select(InfoRequest).where(InfoRequest.unit_id == unit.id)
                                    .order_by(InfoRequest.id)))
    t2 = _t2(session, unit, year, today)
    texts = {s: "" for s in NARRATIVES}
    for t in session.scalars(select(AnnualReportText).where(AnnualReportText.unit_id == unit.id,
                                                            AnnualReportText.year == year)):
        texts[t.section] = t.text
    return AnnualReport(unit, year, list(t2), t2, _t3(requests, year), _t4(session, unit, year), texts)


def save_text(session: Session, unit: m.AdminUnit, year: int, section: str, text: str) -> None:
    if section not in NARRATIVES:
        raise ValueError(f"section: 应为 must be one of {', '.join(NARRATIVES)}")
    row = session.scalar(select(AnnualReportText).where(AnnualReportText.unit_id == unit.id,
                                                        AnnualReportText.year == year,
                                                        AnnualReportText.section == section))
    if row is None:
        row = AnnualReportText(unit=unit, year=year, section=section)
        session.add(row)
    row.text = text


def write_xlsx(report: AnnualReport, path_or_buffer: Any, link: Any) -> None:
    """The report as a workbook; ``link(key)`` gives the absolute URL of the records behind a figure."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"{report.year}年度报告"
    bold = Font(bold=True)
    ws.append([f"{report.unit.name}{report.year}年政府信息公开工作年度报告"])
    ws["A1"].font = Font(bold=True, size=14)

    def narrative(section: str) -> None:
        ws.append([NARRATIVES[section]])
        ws.cell(ws.max_row, 1).font = bold
        ws.append([report.texts.get(section) or "（待填写 to be filled in）"])
        ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=True)

    def table(title: str, key: str, rows: dict[str, dict[str, Cell]], row_names: dict[str, str],
              col_names: dict[str, str]) -> None:
        ws.append([title])
        ws.cell(ws.max_row, 1).font = bold
        ws.append([""] + list(col_names.values()))
        for r, cells in rows.items():
            ws.append([row_names.get(r, r)] + [cells[c].value for c in col_names])
            for j, c in enumerate(col_names, 2):
                target = ws.cell(ws.max_row, j)
                target.hyperlink = link(f"{key}:{r}:{c}")
                target.style = "Hyperlink"

    narrative("overview")
    table("二、主动公开政府信息情况（按领域，依据公开目录和公开记录）", "t2", report.t2, {d: d for d in report.t2},
          T2_COLUMNS)
    table("三、收到和处理政府信息公开申请情况", "t3", report.t3, T3_ROWS, T3_COLUMNS)
    table("四、政府信息公开行政复议、行政诉讼情况", "t4", report.t4, APPEAL_KINDS, T4_COLUMNS)
    narrative("problems")
    narrative("other")
    ws.column_dimensions["A"].width = 60
    wb.save(path_or_buffer)
