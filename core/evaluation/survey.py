"""Satisfaction surveys (满意度测评): a questionnaire, responses entered or imported from CSV,
aggregated per unit by the database (AVG of each response's 0–100 score)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import models as m
from ..loader import Problem
from . import models as em


@dataclass(frozen=True)
class SurveyProblem(Problem):
    """A problem whose place and reason exist in each language: ``str()`` (the command line) says
    both, as before; :meth:`in_language` one, for a page."""

    where_zh: str = ""
    where_en: str = ""
    zh: str = ""
    en: str = ""

    def in_language(self, english: bool) -> str:
        where, said = (self.where_en, self.en) if english else (self.where_zh, self.zh)
        place = f"{where} [{self.record}]" if self.record else where
        return f"{place} {self.field or '-'}: {said}"


def _problem(where: tuple[str, ...], record: str, field: str | None, zh: str, en: str) -> SurveyProblem:
    """``where``: (Chinese, English[, both as the command line says it])."""
    where_zh, where_en = where[0], where[1]
    both = where[2] if len(where) > 2 else where_zh if where_zh == where_en else f"{where_zh} {where_en}"
    return SurveyProblem(both, record, field, f"{zh} {en}", where_zh=where_zh, where_en=where_en, zh=zh, en=en)


def _question(i: int) -> tuple[str, str, str]:
    return f"问题{i}", f"question {i}", f"问题 question {i}"


def _row(name: str, i: int) -> tuple[str, str, str]:
    return f"{name} 第{i}行", f"{name} row {i}", f"{name} 第{i}行 row {i}"


class SurveyError(ValueError):
    def __init__(self, problems: list[SurveyProblem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))

    def in_language(self, english: bool, limit: int | None = None) -> list[str]:
        """Each problem in one language (a page's)."""
        return [p.in_language(english) for p in self.problems[:limit]]


def define(session: Session, code: str, title: str, questions: list[dict[str, Any]],
           scope: str | None = None) -> em.Questionnaire:
    """Questions: ``[{"code": "q1", "text": "…", "scale": 5}]`` (answers 1 … scale, the highest the best)."""
    problems = []
    codes = set()
    for i, q in enumerate(questions, 1):
        if not str(q.get("code") or "").strip() or not str(q.get("text") or "").strip():
            problems.append(_problem(_question(i), str(q.get("code") or ""), "code/text", "必填", "required"))
        if not isinstance(q.get("scale", 5), int) or not 2 <= q.get("scale", 5) <= 10:
            problems.append(_problem(_question(i), str(q.get("code")), "scale", "量表应为 2–10 级",
                                     "the scale must be 2–10"))
        if q.get("code") in codes:
            problems.append(_problem(_question(i), str(q.get("code")), "code", "问题代码重复", "duplicate question code"))
        codes.add(q.get("code"))
    if not questions:
        problems.append(_problem((code, code), title, "questions", "至少一个问题", "at least one question"))
    unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == scope)) if scope else None
    if scope and unit is None:
        problems.append(_problem((code, code), title, "scope", f"找不到单位 {scope}", f"unknown unit {scope}"))
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


def _check_answers(questionnaire: em.Questionnaire, answers: dict[str, Any],
                   where: tuple[str, ...]) -> list[SurveyProblem]:
    problems = []
    scales = {q["code"]: q["scale"] for q in questionnaire.questions}
    for code, value in answers.items():
        if code not in scales:
            problems.append(_problem(where, "", code, "问卷中没有这个问题", "no such question"))
            continue
        if value in (None, ""):
            continue
        try:
            number = int(str(value).strip())
        except ValueError:
            problems.append(_problem(where, "", code, f"应为 1–{scales[code]} 的整数：{value!r}",
                                     f"not a whole number: {value!r}"))
            continue
        if not 1 <= number <= scales[code]:
            problems.append(_problem(where, "", code, f"应为 1–{scales[code]}：{number}",
                                     f"must be within 1–{scales[code]}: {number}"))
    if not any(v not in (None, "") for v in answers.values()):
        problems.append(_problem(where, "", "answers", "没有作答", "no answers"))
    return problems


def add_response(session: Session, questionnaire: em.Questionnaire, unit: str, answered_on: dt.date,
                 answers: dict[str, Any], channel: str = "entered") -> em.SurveyResponse:
    problems = _check_answers(questionnaire, answers, (unit, unit))
    unit_obj = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == unit))
    if unit_obj is None:
        problems.append(_problem((unit, unit), "", "unit", f"找不到单位 {unit}", f"unknown unit {unit}"))
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
        raise SurveyError([_problem((path.name, path.name), "", None, "无法识别的编码", "unknown encoding")])
    reader = csv.DictReader(io.StringIO(decoded))
    codes = [q["code"] for q in questionnaire.questions]
    missing = {"unit", "answered_on"} - set(reader.fieldnames or ())
    if missing:
        raise SurveyError([_problem((path.name, path.name), "", ", ".join(sorted(missing)), "缺少列", "missing columns")])
    unknown = set(reader.fieldnames or ()) - {"unit", "answered_on", *codes}
    problems: list[SurveyProblem] = [_problem((path.name, path.name), "", c, "问卷中没有这个问题", "no such question")
                                     for c in sorted(unknown)]
    units = dict(session.execute(select(m.AdminUnit.key, m.AdminUnit.id)).all())
    rows = []
    for i, row in enumerate(reader, 2):
        where = _row(path.name, i)
        unit = (row.get("unit") or "").strip()
        if unit not in units:
            problems.append(_problem(where, unit, "unit", f"找不到单位 {unit!r}", f"unknown unit {unit!r}"))
        elif allowed is not None and not allowed(unit):
            problems.append(_problem(where, unit, "unit", f"单位不在您的范围内 {unit!r}", f"unit outside your region {unit!r}"))
        try:
            day = dt.date.fromisoformat((row.get("answered_on") or "").strip())
        except ValueError:
            problems.append(_problem(where, unit, "answered_on", f"日期应为 YYYY-MM-DD：{row.get('answered_on')!r}",
                                     f"not a date (YYYY-MM-DD): {row.get('answered_on')!r}"))
            day = None
        answers = {c: (row.get(c) or "").strip() for c in codes}
        found = _check_answers(questionnaire, answers, where)
        problems.extend(dataclasses.replace(p, record=unit) for p in found)
        if not found and day and unit in units:
            clean = {k: int(v) for k, v in answers.items() if v}
            rows.append(dict(questionnaire_id=questionnaire.id, unit_id=units[unit], answered_on=day, answers=clean,
                             score=response_score(questionnaire, clean), channel="csv"))
    if problems:
        raise SurveyError(problems)
    if rows:
        session.execute(em.SurveyResponse.__table__.insert(), rows)
    return len(rows)
