"""Satisfaction surveys (满意度测评): a questionnaire, responses entered or imported from CSV,
aggregated per unit by the database (AVG of each response's 0–100 score)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import models as m
from ..loader import Problem
from . import models as em


class SurveyError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


def define(session: Session, code: str, title: str, questions: list[dict[str, Any]],
           scope: str | None = None) -> em.Questionnaire:
    """Questions: ``[{"code": "q1", "text": "…", "scale": 5}]`` (answers 1 … scale, the highest the best)."""
    problems = []
    codes = set()
    for i, q in enumerate(questions, 1):
        if not str(q.get("code") or "").strip() or not str(q.get("text") or "").strip():
            problems.append(Problem(f"问题 question {i}", str(q.get("code") or ""), "code/text", "必填 required"))
        if not isinstance(q.get("scale", 5), int) or not 2 <= q.get("scale", 5) <= 10:
            problems.append(Problem(f"问题 question {i}", str(q.get("code")), "scale", "量表应为 2–10 级 scale 2–10"))
        if q.get("code") in codes:
            problems.append(Problem(f"问题 question {i}", str(q.get("code")), "code", "问题代码重复 duplicate"))
        codes.add(q.get("code"))
    if not questions:
        problems.append(Problem(code, title, "questions", "至少一个问题 at least one question"))
    unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == scope)) if scope else None
    if scope and unit is None:
        problems.append(Problem(code, title, "scope", f"找不到单位 unknown unit {scope}"))
    if problems:
        raise SurveyError(problems)
    qn = em.Questionnaire(code=code, title=title, scope=unit,
                          questions=[{"code": q["code"], "text": q["text"], "scale": q.get("scale", 5)}
                                     for q in questions])
    session.add(qn)
    session.flush()
    return qn


def response_score(questionnaire: em.Questionnaire, answers: dict[str, Any]) -> Decimal:
    """The mean over the questions answered of (answer − 1) / (scale − 1), as 0–100."""
    scales = {q["code"]: q["scale"] for q in questionnaire.questions}
    parts = [Decimal(int(answers[c]) - 1) / (scales[c] - 1) for c in scales if answers.get(c) not in (None, "")]
    return (Decimal(100) * sum(parts) / len(parts)).quantize(Decimal("0.01"))


def _check_answers(questionnaire: em.Questionnaire, answers: dict[str, Any], where: str) -> list[Problem]:
    problems = []
    scales = {q["code"]: q["scale"] for q in questionnaire.questions}
    for code, value in answers.items():
        if code not in scales:
            problems.append(Problem(where, "", code, "问卷中没有这个问题 no such question"))
            continue
        if value in (None, ""):
            continue
        try:
            number = int(str(value).strip())
        except ValueError:
            problems.append(Problem(where, "", code, f"应为 1–{scales[code]} 的整数 not a whole number: {value!r}"))
            continue
        if not 1 <= number <= scales[code]:
            problems.append(Problem(where, "", code, f"应为 1–{scales[code]} must be within 1–{scales[code]}: {number}"))
    if not any(v not in (None, "") for v in answers.values()):
        problems.append(Problem(where, "", "answers", "没有作答 no answers"))
    return problems


def add_response(session: Session, questionnaire: em.Questionnaire, unit: str, answered_on: dt.date,
                 answers: dict[str, Any], channel: str = "entered") -> em.SurveyResponse:
    problems = _check_answers(questionnaire, answers, unit)
    unit_obj = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == unit))
    if unit_obj is None:
        problems.append(Problem(unit, "", "unit", f"找不到单位 unknown unit {unit}"))
    if problems:
        raise SurveyError(problems)
    clean = {k: int(v) for k, v in answers.items() if v not in (None, "")}
    resp = em.SurveyResponse(questionnaire=questionnaire, unit=unit_obj, answered_on=answered_on, answers=clean,
                             score=response_score(questionnaire, clean), channel=channel)
    session.add(resp)
    session.flush()
    return resp


def import_csv(session: Session, questionnaire: em.Questionnaire, path: Path,
               allowed: Any = None) -> int:
    """CSV: columns ``unit`` (path), ``answered_on`` (YYYY-MM-DD) and one per question code.
    Every row is checked first; nothing is written unless all are valid (SurveyError names row and field).
    ``allowed(path) -> bool`` limits the units (the importing user's scope)."""
    text = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            decoded = text.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly anything
        raise SurveyError([Problem(str(path), "", None, "无法识别的编码 unknown encoding")])
    reader = csv.DictReader(io.StringIO(decoded))
    codes = [q["code"] for q in questionnaire.questions]
    missing = {"unit", "answered_on"} - set(reader.fieldnames or ())
    if missing:
        raise SurveyError([Problem(str(path), "", ", ".join(sorted(missing)), "缺少列 missing columns")])
    unknown = set(reader.fieldnames or ()) - {"unit", "answered_on", *codes}
    problems: list[Problem] = [Problem(str(path), "", c, "问卷中没有这个问题 no such question") for c in sorted(unknown)]
    units = dict(session.execute(select(m.AdminUnit.key, m.AdminUnit.id)).all())
    rows = []
    for i, row in enumerate(reader, 2):
        where = f"{path.name} 第{i}行 row {i}"
        unit = (row.get("unit") or "").strip()
        if unit not in units:
            problems.append(Problem(where, unit, "unit", f"找不到单位 unknown unit {unit!r}"))
        elif allowed is not None and not allowed(unit):
            problems.append(Problem(where, unit, "unit", f"单位不在您的范围内 unit outside your region {unit!r}"))
        try:
            day = dt.date.fromisoformat((row.get("answered_on") or "").strip())
        except ValueError:
            problems.append(Problem(where, unit, "answered_on", f"日期应为 YYYY-MM-DD: {row.get('answered_on')!r}"))
            day = None
        answers = {c: (row.get(c) or "").strip() for c in codes}
        found = _check_answers(questionnaire, answers, where)
        problems.extend(Problem(p.where, unit, p.field, p.message) for p in found)
        if not found and day and unit in units:
            clean = {k: int(v) for k, v in answers.items() if v}
            rows.append(dict(questionnaire_id=questionnaire.id, unit_id=units[unit], answered_on=day, answers=clean,
                             score=response_score(questionnaire, clean), channel="csv"))
    if problems:
        raise SurveyError(problems)
    if rows:
        session.execute(em.SurveyResponse.__table__.insert(), rows)
    return len(rows)
