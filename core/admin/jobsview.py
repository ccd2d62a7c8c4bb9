"""后台任务: the user's background jobs (and a region administrator's region's), wherever they run."""

from __future__ import annotations

from flask import current_app, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

from ..jobboard import KINDS, STATES, jobs_for
from . import LoginRequired, display

#: seconds between refreshes while a job is unfinished (the page refreshes itself without script)
REFRESH_SECONDS = 3


class JobsView(LoginRequired, BaseView):
    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    @expose("/")
    def index(self):
        rows = jobs_for(current_app, current_user, url_for)
        running = any(r.state in ("queued", "running") for r in rows)
        return self.render("zwgk/jobs.html", rows=rows, kinds=KINDS, states=STATES, beijing=display.beijing,
                           refresh=REFRESH_SECONDS if running else None,
                           backend=getattr(current_app.extensions.get("zwgk.jobs"), "backend", "in-process"))

    @expose("/<job_id>")
    def status(self, job_id: str):
        """A queued job of the user's, as the export page follows it: ``{done, total, finished, ok, error}``."""
        from flask import jsonify

        state = _own_queued(job_id)
        finished = state["state"] in ("finished", "failed", "stopped", "canceled")
        return jsonify(done=state["done"], total=state["total"], finished=finished,
                       ok=state["state"] == "finished", error=state["error"] if finished else None)

    @expose("/<job_id>/file")
    def file(self, job_id: str):
        """The file a queued export of the user's wrote."""
        from pathlib import Path

        from flask import abort, send_file

        state = _own_queued(job_id)
        meta = state["meta"]
        path = Path(meta.get("path", ""))
        if state["state"] != "finished" or path.parent != _folder() or not path.is_file():
            abort(404)
        import io
        import mimetypes

        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return send_file(io.BytesIO(path.read_bytes()), mimetype=kind, as_attachment=True,
                         download_name=meta.get("what") or path.name)


def _folder():
    from pathlib import Path

    return Path(current_app.instance_path) / "jobs"


def queue_export(view, items, fmt: str):
    """A large export on the job queue (RQ): the same progress page as the in-process export,
    following the queued job through this view."""
    import uuid

    from ..catalog_io import several_units
    from ..jobs import get_jobs

    name = f"政务公开事项标准目录-{display.today_in_beijing().isoformat()}.{fmt}"
    path = _folder() / f"{uuid.uuid4().hex}.{fmt}"
    meta = {"kind": "export", "owner": current_user.id, "owner_name": current_user.username,
            "unit": current_user.unit_path, "what": name, "path": str(path), "fmt": fmt}
    scope = None if current_user.is_system_admin else (current_user.unit_path or "\0")  # as the list's
    job_id = get_jobs().enqueue("zwgk.jobs.export_catalog_items", [i.id for i in items], fmt, str(path),
                                several_units(items), scope, meta=meta)
    job = {"total": len(items), "filename": name}
    return view.render("zwgk/export_progress.html", job=job, status_url=url_for("jobs.status", job_id=job_id),
                       file_url=url_for("jobs.file", job_id=job_id))


def _own_queued(job_id: str):
    """A job of the queue that the user started (others' jobs do not exist for them)."""
    from flask import abort

    from ..jobs import get_jobs

    state = get_jobs().status(job_id) if len(job_id) <= 64 else None
    if state is None or (state.get("meta") or {}).get("owner") != current_user.id:
        abort(404)
    return state
