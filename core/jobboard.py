"""Every background job a user may see, from wherever it runs, for the admin's 后台任务 page.

Jobs live in several places: the admin's catalog imports (:mod:`zwgk.importjobs`), its large
exports (:mod:`zwgk.exportjobs`) and evaluations (:mod:`zwgk.evaluation.jobs`) in the server's
process, and the queue of :mod:`zwgk.jobs` — threads of this process by default, an RQ queue on
Redis when ``ZWGK_REDIS_URL`` is set (run by ``zwgk worker``).  :func:`jobs_for` reads them all
and keeps what the user may see: their own jobs; for a region administrator also the jobs of the
units in its region; for a system administrator every job.  A job of another region is never
shown, and a job that names no unit (one started on the command line) only to a system
administrator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

#: what a job is, in the page's words (msgids; the page translates them)
KINDS = {"queue": "Job queue", "import": "Catalog import", "export": "Catalog export", "evaluation": "Evaluation",
         "reindex": "Public catalog re-index", "public_export": "Public catalog export"}
#: the generic queue's job functions as kinds
_GENERIC_KINDS = {"zwgk.jobs.reindex_public": "reindex", "zwgk.jobs.export_public_catalog": "public_export"}
#: job states in the page's words
STATES = {"queued": "Queued", "running": "Running", "finished": "Finished", "failed": "Failed"}
#: at most this many rows (jobs are forgotten an hour or a day after they end)
LIMIT = 200


@dataclass
class JobRow:
    kind: str
    id: str
    owner: str  # the user's name ("" for the command line)
    owner_id: int | None
    unit: str | None  # the unit path whose scope the job works in
    started: dt.datetime  # UTC
    state: str  # queued, running, finished, failed
    done: int
    total: int
    what: str  # the file, the region and period …
    error: str | None = None
    link: tuple[str, str] | None = None  # (url, msgid of its label)
    backend: str = "in-process"

    @property
    def percent(self) -> int | None:
        if self.state == "finished":
            return 100
        return round(100 * self.done / self.total) if self.total else None


def _utc(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds or 0, dt.timezone.utc)


def _state(finished: bool, failed: bool, started: bool = True) -> str:
    if finished:
        return "failed" if failed else "finished"
    return "running" if started else "queued"


def _imports(app: Any, url_for: Any, user_id: Any) -> list[JobRow]:
    from flask_babel import gettext, ngettext

    rows = []
    for job in app.extensions["zwgk.import_jobs"].all() if "zwgk.import_jobs" in app.extensions else ():
        problems = len(job.result.problems) if job.result else 0
        error = job.error or (ngettext("%(num)d problem; nothing was written", "%(num)d problems; nothing was written",
                                                 problems) if problems else None)
        link = None
        if job.finished and job.owner == user_id:  # the import's own pages answer only its owner
            link = ((url_for("catalog_import.job_report", job_id=job.id), "Error report") if problems
                    else (url_for("catalog_import.job_result", job_id=job.id), "Report"))
        what = job.filename + (" · " + gettext("dry run") if job.dry_run else "")
        rows.append(JobRow("import", job.id, job.actor, job.owner, job.unit, _utc(job.started_wall),
                           _state(job.finished, bool(error)), job.done, job.total, what, error, link))
    return rows


def _exports(app: Any, url_for: Any, user_id: Any) -> list[JobRow]:
    rows = []
    for job in app.extensions["zwgk.export_jobs"].all() if "zwgk.export_jobs" in app.extensions else ():
        link = None
        if job.finished and job.error is None and job.owner == user_id:  # only its owner fetches the file
            link = (url_for("catalog_item.export_file", job_id=job.id), "Download")
        rows.append(JobRow("export", job.id, job.actor, job.owner, job.unit, _utc(job.started_wall),
                           _state(job.finished, job.error is not None), job.done, job.total, job.filename,
                           job.error, link))
    return rows


def _evaluations(app: Any, url_for: Any) -> list[JobRow]:
    rows = []
    for job in app.extensions["zwgk.evaluation_jobs"].all() if "zwgk.evaluation_jobs" in app.extensions else ():
        link = (url_for("evaluation_runs.run_view", run_id=job.run_id), "Report") if job.run_id else None
        done = 1 if job.finished else 0
        rows.append(JobRow("evaluation", job.id, job.owner, None, job.region, _utc(job.started_wall),
                           _state(job.finished, job.error is not None), done, 1, f"{job.region} {job.period}",
                           job.error, link))
    return rows


def _generic(app: Any, url_for: Any, user_id: Any) -> list[JobRow]:
    jobs = app.extensions.get("zwgk.jobs")
    if jobs is None or not hasattr(jobs, "all"):
        return []
    rows = []
    try:
        states = jobs.all()
    except Exception:  # noqa: BLE001 - Redis unreachable: the page still shows the server's own jobs
        import logging

        logging.getLogger("zwgk.jobs").exception("the job queue cannot be read")
        return [JobRow("queue", "queue-unavailable", "", None, None, dt.datetime.now(dt.timezone.utc), "failed", 0, 0,
                       "", "QUEUE_UNAVAILABLE", backend=getattr(jobs, "backend", "rq"))]
    for state in states:
        meta = state.get("meta") or {}
        raw = state["state"]
        shown = {"queued": "queued", "deferred": "queued", "scheduled": "queued", "started": "running",
                 "finished": "finished"}.get(raw, "failed")
        link = None
        if shown == "finished" and meta.get("path") and meta.get("owner") == user_id:  # the admin's queued export
            link = (url_for("jobs.file", job_id=state["id"]), "Download")
        rows.append(JobRow(meta.get("kind") or _GENERIC_KINDS.get(state.get("name"), "reindex"), state["id"],
                           meta.get("owner_name", ""), meta.get("owner"), meta.get("unit"),
                           _utc(state.get("enqueued_at") or 0), shown, state.get("done") or 0,
                           state.get("total") or 0, meta.get("what", ""),
                           (state.get("error") or "failed") if shown == "failed" else None, link,
                           backend=getattr(jobs, "backend", "in-process")))
    return rows


def may_see(user: Any, row: JobRow) -> bool:
    """The user's own jobs; a region administrator's region; a system administrator's everything."""
    if row.kind == "queue":  # the queue cannot be read: everyone is told
        return True
    if user.is_system_admin:
        return True
    if (row.owner_id is not None and row.owner_id == user.id) or (row.owner and row.owner == user.username):
        return True
    return user.role == "region_admin" and bool(row.unit) and user.covers(row.unit)


def jobs_for(app: Any, user: Any, url_for: Any) -> list[JobRow]:
    """The jobs ``user`` may see, newest first, at most :data:`LIMIT`."""
    rows = (_imports(app, url_for, user.id) + _exports(app, url_for, user.id) + _evaluations(app, url_for)
            + _generic(app, url_for, user.id))
    return sorted((r for r in rows if may_see(user, r)), key=lambda r: r.started, reverse=True)[:LIMIT]
