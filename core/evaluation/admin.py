"""Admin pages of the evaluation: runs (start, read, download, re-run, compare, 通报), a unit's
score over periods, third-party assessment (评估机构 and the region's decision), satisfaction
surveys.  Every page is scoped: a user sees runs, assessments and questionnaires of its subtree."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from flask import abort, flash, redirect, request, send_file, url_for
from flask_admin import BaseView, expose
from flask_babel import get_locale, gettext, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select

from .. import models as m
from ..db import get_db
from ..scope import scope_filter, unit_keys_in_scope
from . import models as em
from ..unitpath import under as _under

MIMETYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "json": "application/json", "html": "text/html; charset=utf-8"}


def _check_csrf() -> None:
    from flask_wtf.csrf import validate_csrf
    from wtforms.validators import ValidationError

    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        abort(400)


def _is_admin() -> bool:
    return current_user.is_authenticated and current_user.role in ("system_admin", "region_admin")


class _Base(BaseView):
    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def inaccessible_callback(self, name: str, **kwargs: Any):
        from flask import current_app

        return redirect(url_for("auth.login", next=current_app.extensions["zwgk.here"]()))

    @property
    def session(self):
        return get_db().scoped()


class RunsView(_Base):
    """评估结果: runs of the user's regions; region administrators start and publish them."""

    def is_visible(self) -> bool:
        return current_user.is_authenticated and current_user.can("list")

    def _handle_view(self, name: str, **kwargs: Any):
        if not self.is_accessible():
            return self.inaccessible_callback(name, **kwargs)
        if not current_user.can("list"):
            abort(403)
        return None

    def _run(self, run_id: int) -> em.EvaluationRun:
        run = self.session.get(em.EvaluationRun, run_id) if 0 < run_id < 2**31 else None
        if run is None or not current_user.covers(run.region.key):
            abort(404)
        return run

    @expose("/")
    def index(self):
        from .systems import SystemError, collect_systems
        from ..app import get_pm

        q = select(em.EvaluationRun).join(m.AdminUnit, em.EvaluationRun.region).order_by(em.EvaluationRun.id.desc())
        if not current_user.is_system_admin:
            q = q.where(_under(m.AdminUnit.key, current_user.unit_path or "\0"))
        runs = list(self.session.scalars(q.limit(200)))
        try:
            systems = list(collect_systems(get_pm()).values())
            if str(get_locale() or "").startswith("en"):  # a system may carry its title in English
                systems = [dict(s, title=s.get("title_en") or s["title"]) for s in systems]
        except SystemError as exc:
            systems = []
            flash(str(exc), "error")
        return self.render("zwgk/evaluation_runs.html", runs=runs, units=unit_keys_in_scope(self.session, current_user),
                           systems=systems, can_run=_is_admin())

    @expose("/new", methods=["POST"])
    def new(self):
        from ..app import get_pm
        from . import runs
        from .compute import parse_period
        from .systems import SystemError, system_for

        _check_csrf()
        if not _is_admin():
            abort(403)
        region = request.form.get("region", "")
        if not current_user.covers(region) or region not in unit_keys_in_scope(self.session, current_user):
            abort(404)
        try:
            period = parse_period(request.form.get("period", ""))
            system = system_for(get_pm(), region, request.form.get("system") or None)
        except (ValueError, SystemError) as exc:
            flash(str(exc), "error")
            return redirect(url_for(".index"))
        from flask import current_app

        from .jobs import Busy, jobs_of

        try:
            job = jobs_of(current_app).start(current_app._get_current_object(), current_user.username, region,
                                             period, system)
        except Busy as exc:
            flash(str(exc), "warning")
            return redirect(url_for(".index"))
        return redirect(url_for(".job_view", job_id=job.id))

    @expose("/job/<job_id>")
    def job_view(self, job_id: str):
        """The evaluation started from this page: refreshes until it is stored, then shows it."""
        from flask import current_app

        from .jobs import jobs_of

        job = jobs_of(current_app).get(job_id, current_user.username)
        if job is None:
            abort(404)
        if job.finished and job.run_id:
            flash(gettext("Evaluation #%(id)s done: %(n)s units (%(s)s seconds)", id=job.run_id, n=job.units,
                          s=job.seconds), "success")
            return redirect(url_for(".run_view", run_id=job.run_id))
        if job.finished:
            flash(job.error or gettext("The evaluation failed."), "error")
            return redirect(url_for(".index"))
        return self.render("zwgk/evaluation_job.html", job=job)

    @expose("/run/<int:run_id>")
    def run_view(self, run_id: int):
        from . import charts, runs
        from .report import note_in_language
        from .systems import english_names, in_language, walk

        run = self._run(run_id)
        data = runs.report_data(self.session, run)
        english = str(get_locale() or "").startswith("en")
        system = in_language(data["system"], english)  # indicator names in the page's language
        top = system["indicators"]
        others = [r for r in self.session.scalars(select(em.EvaluationRun).where(
            em.EvaluationRun.region_id == run.region_id, em.EvaluationRun.id != run.id)
            .order_by(em.EvaluationRun.id.desc()))]
        return self.render("zwgk/evaluation_run.html", run=run, data=data, nodes=list(walk(top)), top=top,
                           system=system, english=english, names=english_names(system) if english else {},
                           note=lambda d: note_in_language(d, english),
                           ranking=charts.ranking(data["rows"], english),
                           averages=charts.bars(gettext("Average score per indicator"),
                                                [(n["name"], data["averages"].get(n["code"]), "")
                                                 for n, _ in walk(top)], english),
                           history=charts.over_time(gettext("Average total over periods"),
                                                    [(h["period"], h["average"]) for h in data["history"]], english),
                           others=others, can_publish=_is_admin())

    @expose("/run/<int:run_id>/download/<fmt>")
    def download(self, run_id: int, fmt: str):
        from . import report, runs

        if fmt not in MIMETYPES:
            abort(404)
        run = self._run(run_id)
        data = runs.report_data(self.session, run)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"report.{fmt}"
            report.write(data, fmt, path, english=str(get_locale() or "").startswith("en"))
            body = io.BytesIO(path.read_bytes())
        name = f"考核评估-{run.region.name}-{run.period}-{run.id}.{fmt}"
        return send_file(body, mimetype=MIMETYPES[fmt], as_attachment=fmt != "html", download_name=name)

    @expose("/run/<int:run_id>/rerun", methods=["POST"])
    def rerun_view(self, run_id: int):
        from . import runs

        _check_csrf()
        run = self._run(run_id)
        result = runs.rerun(self.session, run)
        self.session.rollback()
        if result["same"]:
            flash(gettext("Re-computed: the same numbers.") if result["same_inputs"]
                  else gettext("Re-computed: the same numbers, though the inputs changed."), "success")
        else:
            n = len(result["changed"])
            flash(gettext("Re-computed: the numbers of %(n)s units differ, with the same inputs!", n=n)
                  if result["same_inputs"] else gettext("Re-computed: the numbers of %(n)s units differ.", n=n),
                  "warning")
        return redirect(url_for(".run_view", run_id=run_id))

    @expose("/run/<int:run_id>/publish", methods=["POST"])
    def publish_view(self, run_id: int):
        from . import runs

        _check_csrf()
        if not _is_admin():
            abort(403)
        run = self._run(run_id)
        runs.publish(self.session, run, current_user.username)
        self.session.commit()
        flash(gettext("Announced: the results are published on the public site."), "success")
        return redirect(url_for(".run_view", run_id=run_id))

    @expose("/compare")
    def compare_view(self):
        from . import runs

        try:
            a, b = self._run(int(request.args.get("a", ""))), self._run(int(request.args.get("b", "")))
        except ValueError:
            abort(400)
        from .systems import in_language, walk

        result = runs.compare(self.session, a, b)
        if str(get_locale() or "").startswith("en"):  # the indicators by their English names
            names = {n["code"]: n["name"] for s in (a.system, b.system)
                     for n, _ in walk(in_language(s, True)["indicators"])}
            for c in result["changed"]:
                for code, v in (c.get("indicators") or {}).items():
                    v["name"] = names.get(code, v["name"])
        return self.render("zwgk/evaluation_compare.html", result=result)

    @expose("/unit")
    def unit_view(self):
        from . import charts, runs

        units = unit_keys_in_scope(self.session, current_user)
        unit = request.args.get("unit") or (units[0] if units else "")
        if unit and unit not in units:
            abort(404)
        history = runs.unit_history(self.session, unit) if unit else []
        from .systems import in_language, walk

        english = str(get_locale() or "").startswith("en")
        for h in history:  # each period's indicators by name, as its run's system names them
            system = in_language(self.session.get(em.EvaluationRun, h["run"]).system, english)
            h["names"] = {n["code"]: n["name"] for n, _ in walk(system["indicators"])}
        chart = charts.over_time(gettext("%(unit)s: total over periods", unit=unit),
                                 [(h["period"], h["total"]) for h in history], str(get_locale() or "").startswith("en"))
        return self.render("zwgk/evaluation_unit.html", units=units, unit=unit, history=history, chart=chart)


class AssessmentsView(_Base):
    """第三方评估: an assessor scores its engagements' units; the region's administrator decides."""

    def is_visible(self) -> bool:
        return current_user.is_authenticated and current_user.role in ("assessor", "region_admin", "system_admin")

    def _handle_view(self, name: str, **kwargs: Any):
        if not self.is_accessible():
            return self.inaccessible_callback(name, **kwargs)
        if not self.is_visible():
            abort(403)
        return None

    def _system(self, region: str) -> dict[str, Any]:
        from ..app import get_pm
        from .systems import system_for

        return system_for(get_pm(), region)

    @expose("/")
    def index(self):
        from .assessment import STATUS_NAMES, assessor_indicators, engagements_of

        session = self.session
        if current_user.role == "assessor":
            engagements = engagements_of(session, current_user.username)
            found = {(a.engagement_id, a.unit_id): a for a in session.scalars(select(em.Assessment).where(
                em.Assessment.engagement_id.in_([e.id for e in engagements])))}
            indicators = {e.id: assessor_indicators(self._system(e.region.key)) for e in engagements}
            return self.render("zwgk/evaluation_assessor.html", engagements=engagements, found=found,
                               indicators=indicators, statuses=STATUS_NAMES)
        q = select(em.Engagement).join(m.AdminUnit, em.Engagement.region).order_by(em.Engagement.id.desc())
        a = select(em.Assessment).join(m.AdminUnit, em.Assessment.unit).order_by(em.Assessment.id.desc())
        if not current_user.is_system_admin:
            q = q.where(_under(m.AdminUnit.key, current_user.unit_path or "\0"))
            a = a.where(_under(m.AdminUnit.key, current_user.unit_path or "\0"))
        assessors = select(m.User).where(m.User.role == "assessor").order_by(m.User.username)
        if not current_user.is_system_admin:  # only the accounts of the user's subtree (core/scope.py)
            assessors = scope_filter(assessors, "users", current_user.unit_path or "\0")
        assessors = session.scalars(assessors).all()
        return self.render("zwgk/evaluation_assessments.html", engagements=session.scalars(q).all(),
                           assessments=session.scalars(a).all(), assessors=assessors, statuses=STATUS_NAMES,
                           units=unit_keys_in_scope(session, current_user))

    def _post(self, action):
        from .assessment import AssessmentError

        _check_csrf()
        try:
            action()
            self.session.commit()
            return True
        except (AssessmentError, ValueError) as exc:
            self.session.rollback()
            english = str(get_locale() or "").startswith("en")
            flash(exc.in_language(english) if isinstance(exc, AssessmentError) else str(exc), "error")
            return False

    @expose("/engage", methods=["POST"])
    def engage_view(self):
        from .assessment import engage

        f = request.form
        if self._post(lambda: engage(self.session, current_user, f.get("region", ""), f.get("assessor", ""),
                                     f.get("institution", "").strip(), f.get("period", ""), f.getlist("units"),
                                     f.get("note") or None)):
            flash(gettext("Engaged."), "success")
        return redirect(url_for(".index"))

    @expose("/score", methods=["POST"])
    def score_view(self):
        from .assessment import score

        f = request.form
        files = [(fs.filename, fs.read()) for fs in request.files.getlist("evidence") if fs and fs.filename]
        from .assessment import engagements_of
        from .compute import parse_period

        try:
            label = parse_period(f.get("period", "")).label
        except ValueError:
            label = ""
        # the system of the region that engaged this assessor for this unit and period (score() checks the rest)
        region = next((e.region.key for e in engagements_of(self.session, current_user.username)
                       if e.period == label and any(u.key == f.get("unit") for u in e.units)), None)
        system = self._system(region) if region else None
        if self._post(lambda: score(self.session, current_user, f.get("unit", ""), f.get("period", ""),
                                    f.get("indicator", ""), f.get("value", ""), f.get("comment") or None,
                                    f.get("assessor_name", ""), files, system)):
            flash(gettext("Score saved."), "success")
        return redirect(url_for(".index"))

    @expose("/submit", methods=["POST"])
    def submit_view(self):
        from .assessment import submit

        if self._post(lambda: submit(self.session, current_user, request.form.get("unit", ""),
                                     request.form.get("period", ""))):
            flash(gettext("Submitted."), "success")
        return redirect(url_for(".index"))

    @expose("/decide", methods=["POST"])
    def decide_view(self):
        from .assessment import decide

        raw = (request.form.get("id") or "").strip()
        if not (raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**31):
            abort(400)
        item = self.session.get(em.Assessment, int(raw))
        if item is None or not current_user.covers(item.engagement.region.key):
            abort(404)
        accept = request.form.get("decision") == "accept"
        if self._post(lambda: decide(self.session, current_user, item, accept, request.form.get("note") or None)):
            flash(gettext("Accepted.") if accept else gettext("Returned."), "success")
        return redirect(url_for(".index"))

    @expose("/evidence/<int:evidence_id>")
    def evidence_view(self, evidence_id: int):
        ev = self.session.get(em.Evidence, evidence_id)
        if ev is None:
            abort(404)
        assessment = ev.score.assessment
        allowed = (current_user.role == "assessor" and assessment.engagement.assessor.username == current_user.username) \
            or (current_user.role in ("region_admin", "system_admin")
                and current_user.covers(assessment.engagement.region.key))
        if not allowed:
            abort(404)
        return send_file(io.BytesIO(ev.data), mimetype=ev.content_type, as_attachment=True,
                         download_name=ev.filename)


class SurveysView(_Base):
    """满意度测评: questionnaires, responses (entered or CSV), and the average per unit."""

    def is_visible(self) -> bool:
        return current_user.is_authenticated and current_user.can("list")

    def _handle_view(self, name: str, **kwargs: Any):
        if not self.is_accessible():
            return self.inaccessible_callback(name, **kwargs)
        if not current_user.can("list"):
            abort(403)
        return None

    def _questionnaires(self):
        q = select(em.Questionnaire).outerjoin(m.AdminUnit, em.Questionnaire.scope).order_by(em.Questionnaire.code)
        if not current_user.is_system_admin:
            path = current_user.unit_path or "\0"
            # the user's own region's and those above it (a province's questionnaire serves its counties)
            q = q.where(or_(em.Questionnaire.scope_id.is_(None), _under(m.AdminUnit.key, path),
                            m.AdminUnit.key.in_([path.rsplit("/", i)[0] for i in range(path.count("/") + 1)])))
        return self.session.scalars(q).all()

    @expose("/")
    def index(self):
        from .compute import parse_period

        period_text = request.args.get("period") or ""
        questionnaires = self._questionnaires()
        r = em.SurveyResponse
        q = (select(em.Questionnaire.code, m.AdminUnit.key, func.count(), func.avg(r.score))
             .join(em.Questionnaire, r.questionnaire).join(m.AdminUnit, r.unit)
             .group_by(em.Questionnaire.code, m.AdminUnit.key).order_by(em.Questionnaire.code, m.AdminUnit.key))
        if not current_user.is_system_admin:
            q = q.where(_under(m.AdminUnit.key, current_user.unit_path or "\0"))
        error = None
        if period_text:
            try:
                p = parse_period(period_text)
                q = q.where(r.answered_on >= p.start, r.answered_on <= p.end)
            except ValueError as exc:
                error = str(exc)
        return self.render("zwgk/evaluation_surveys.html", questionnaires=questionnaires,
                           aggregates=self.session.execute(q).all(), period=period_text, error=error,
                           can_edit=current_user.can("create"), units=unit_keys_in_scope(self.session, current_user))

    @expose("/new", methods=["POST"])
    def new(self):
        from .survey import SurveyError, define

        _check_csrf()
        if not _is_admin():
            abort(403)
        f = request.form
        scope = f.get("scope") or None
        if not current_user.is_system_admin and (scope is None or not current_user.covers(scope)):
            abort(404)
        questions = []
        for line in (f.get("questions") or "").splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            scale = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 5
            questions.append({"code": parts[0], "text": parts[1] if len(parts) > 1 else "", "scale": scale})
        try:
            define(self.session, f.get("code", "").strip(), f.get("title", "").strip(), questions, scope)
            self.session.commit()
            flash(gettext("Questionnaire created."), "success")
        except SurveyError as exc:
            self.session.rollback()
            flash("\n".join(exc.in_language(_english())), "error")
        return redirect(url_for(".index"))

    @expose("/import", methods=["POST"])
    def import_view(self):
        from .survey import SurveyError, import_csv

        _check_csrf()
        if not current_user.can("create"):
            abort(403)
        qn = next((q for q in self._questionnaires() if str(q.id) == request.form.get("questionnaire")), None)
        upload = request.files.get("file")
        if qn is None or upload is None or not upload.filename:
            flash(gettext("Choose a questionnaire and a CSV file."), "error")
            return redirect(url_for(".index"))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(upload.filename).name
            upload.save(path)
            try:
                n = import_csv(self.session, qn, path, allowed=current_user.covers)
                self.session.commit()
                flash(gettext("Imported %(n)s responses.", n=n), "success")
            except SurveyError as exc:
                self.session.rollback()
                flash(gettext("The responses have errors; nothing was imported: %(problems)s",
                              problems=gettext("; ").join(exc.in_language(_english(), 20))), "error")
        return redirect(url_for(".index"))

    @expose("/respond", methods=["POST"])
    def respond(self):
        import datetime as dt

        from .survey import SurveyError, add_response

        _check_csrf()
        if not current_user.can("create"):
            abort(403)
        f = request.form
        qn = next((q for q in self._questionnaires() if str(q.id) == f.get("questionnaire")), None)
        unit = f.get("unit", "")
        if qn is None or not current_user.covers(unit):
            abort(404)
        try:
            day = dt.date.fromisoformat(f.get("answered_on", ""))
        except ValueError:  # Python's own words (Invalid isoformat string: '') reached the page
            flash(gettext("Answered on: not a date (YYYY-MM-DD): %(value)s", value=f.get("answered_on", "")), "error")
            return redirect(url_for(".index"))
        try:
            add_response(self.session, qn, unit, day, {q["code"]: f.get(f"q_{q['code']}") for q in qn.questions})
            self.session.commit()
            flash(gettext("Response saved."), "success")
        except SurveyError as exc:
            self.session.rollback()
            flash("\n".join(exc.in_language(_english())), "error")
        return redirect(url_for(".index"))


def _english() -> bool:
    from flask_babel import get_locale

    return str(get_locale()) == "en"


def add_views(admin: Any) -> None:
    """Register the evaluation pages under 考核评估 (the category of the 考核指标 and 得分 lists)."""
    category = _l("Evaluation")
    admin.add_view(RunsView(name=_l("Evaluation runs"), endpoint="evaluation_runs", category=category))
    admin.add_view(AssessmentsView(name=_l("Third-party assessment"), endpoint="assessments", category=category))
    admin.add_view(SurveysView(name=_l("Satisfaction surveys"), endpoint="surveys", category=category))
