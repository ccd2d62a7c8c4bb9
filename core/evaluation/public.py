"""通报: published evaluation results on the public site.  Only runs a region administrator
published are shown; a run holds only accepted third-party scores, so nothing unaccepted is public."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import select

from ..db import get_db
from . import models as em

bp = Blueprint("evaluation_public", __name__)


@bp.get("/evaluation")
def index():
    from .runs import describe

    session = get_db().scoped()
    runs = session.scalars(select(em.EvaluationRun).where(em.EvaluationRun.published_at.isnot(None))
                           .order_by(em.EvaluationRun.published_at.desc())).all()
    from flask_babel import get_locale

    from .systems import in_language

    english = str(get_locale() or "").startswith("en")
    shown = [dict(describe(r), system_title=in_language(r.system, english)["title"]) for r in runs]
    return render_template("public/evaluation.html", runs=shown)


@bp.get("/evaluation/<int:run_id>")
def show(run_id: int):
    from . import report, runs

    session = get_db().scoped()
    run = session.get(em.EvaluationRun, run_id)
    if run is None or run.published_at is None:
        abort(404)
    data = runs.report_data(session, run)
    # the public sees the history of published runs only
    published = {r.id for r in runs.latest_runs(session, run.region.key, run.system_code, published_only=True)}
    data["history"] = [h for h in data["history"] if h["run"] in published]
    data["unit_history"] = {}
    from flask import request, url_for
    from flask_babel import get_locale

    english = str(get_locale() or "").startswith("en")
    switch = url_for("auth.set_language", code="zh_Hans_CN" if english else "en", next=request.path)
    return report.render_html(data, public=True, english=english, switch=switch)


def init_app(app) -> None:
    app.register_blueprint(bp)
