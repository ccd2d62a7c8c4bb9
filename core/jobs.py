"""Background jobs for province-size work (exports, re-indexing, evaluations …).

In-process by default: a small thread pool in the server's process, the progress kept in
memory.  With ``ZWGK_REDIS_URL`` set, jobs go to an RQ queue on that Redis and run in
``zwgk worker`` processes (any number, on any machine that reaches the database); progress is
kept in the job's ``meta``.  Either way a job is a dotted function name plus JSON-able
arguments, run inside an app context, told its progress through a ``progress(done, total)``
argument, and looked up by id with :meth:`Jobs.status`.
"""

from __future__ import annotations

import importlib
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

QUEUE = "zwgk"
#: functions a job may run (a job names one of these; nothing else is imported by name)
ALLOWED = {"zwgk.jobs.reindex_public", "zwgk.jobs.export_public_catalog", "zwgk.jobs.export_catalog_items"}


class JobError(ValueError):
    pass


def _resolve(name: str):
    if name not in ALLOWED:
        raise JobError(f"不是后台任务 not a job function: {name}")
    module, _, func = name.rpartition(".")
    return getattr(importlib.import_module(module), func)


class InProcessJobs:
    """Threads of this process; what a job reports lives as long as the process."""

    backend = "in-process"

    def __init__(self, app: Any, workers: int = 2):
        self.app = app
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="zwgk-job")
        self._jobs: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def enqueue(self, name: str, *args: Any, meta: dict[str, Any] | None = None) -> str:
        """``meta``: who asked and for which unit (``owner``, ``owner_name``, ``unit``, ``kind``), for
        the admin's list of jobs (:mod:`zwgk.jobboard`)."""
        func = _resolve(name)
        job_id = uuid.uuid4().hex
        state = {"id": job_id, "name": name, "state": "queued", "done": 0, "total": 0, "result": None,
                 "error": None, "enqueued_at": time.time(), "meta": dict(meta or {})}
        with self._lock:
            self._jobs[job_id] = state

        def progress(done: int, total: int) -> None:
            state.update(done=done, total=total)

        def run() -> None:
            state["state"] = "started"
            try:
                with self.app.app_context():
                    state["result"] = func(*args, progress=progress)
                state["state"] = "finished"
            except Exception as exc:  # the job's failure is its status, not the server's
                state.update(state="failed", error=str(exc))

        self._pool.submit(run)
        return job_id

    def status(self, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            state = self._jobs.get(job_id)
            return dict(state) if state else None

    def all(self) -> list[dict[str, Any]]:
        """Every job this process knows, newest first."""
        with self._lock:
            return sorted((dict(s) for s in self._jobs.values()), key=lambda s: -s["enqueued_at"])


class RQJobs:
    """An RQ queue on Redis; ``zwgk worker`` runs the jobs."""

    backend = "rq"

    def __init__(self, url: str):
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(url)
        self.queue = Queue(QUEUE, connection=self.connection)

    def enqueue(self, name: str, *args: Any, meta: dict[str, Any] | None = None) -> str:
        _resolve(name)  # refuse at once what no worker would run
        job = self.queue.enqueue("zwgk.jobs.rq_entry", name, *args, job_timeout=6 * 3600, result_ttl=86400,
                                 failure_ttl=86400, meta=dict(meta or {}))
        return job.id

    def status(self, job_id: str) -> dict[str, Any] | None:
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        try:
            job = Job.fetch(job_id, connection=self.connection)
        except NoSuchJobError:
            return None
        return self._state(job)

    def all(self, limit: int = 500) -> list[dict[str, Any]]:
        """The queue's jobs (waiting, running, finished and failed ones still kept), newest first."""
        from rq.job import Job
        from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry

        ids: list[str] = list(self.queue.get_job_ids())
        for registry in (StartedJobRegistry, FinishedJobRegistry, FailedJobRegistry):
            ids += registry(queue=self.queue).get_job_ids()
        jobs = [j for j in Job.fetch_many(list(dict.fromkeys(ids))[-limit:], connection=self.connection) if j]
        return sorted((self._state(j) for j in jobs), key=lambda s: -s["enqueued_at"])

    def _state(self, job: Any) -> dict[str, Any]:
        import datetime as dt

        state = job.get_status(refresh=True)
        state = getattr(state, "value", state)
        error = None
        if state == "failed":
            result = job.latest_result()
            error = (result.exc_string or "").strip().splitlines()[-1] if result and result.exc_string else "failed"
            # the message in words, without the exception's class ("zwgk.jobs.JobError: …")
            error = re.sub(r"^[\w.]*(?:Error|Exception)\w*: ", "", error) or error
        when = job.enqueued_at or job.created_at
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)  # RQ keeps UTC without a zone
        meta = {k: v for k, v in job.meta.items() if k not in ("done", "total")}
        return {"id": job.id, "name": job.args[0] if job.args else None, "state": state,
                "done": job.meta.get("done", 0), "total": job.meta.get("total", 0),
                "result": job.return_value() if state == "finished" else None, "error": error,
                "enqueued_at": when.timestamp() if when else 0.0, "meta": meta}


def rq_entry(name: str, *args: Any) -> Any:
    """What an RQ worker runs: the job inside an app built from the environment."""
    from rq import get_current_job

    from .app import create_app

    job = get_current_job()

    def progress(done: int, total: int) -> None:
        if job is not None:
            job.meta.update(done=done, total=total)
            job.save_meta()

    app = create_app()
    try:
        with app.app_context():
            return _resolve(name)(*args, progress=progress)
    finally:
        app.extensions["zwgk.db"].dispose()


def init_app(app: Any) -> None:
    url = app.config.get("ZWGK_REDIS_URL")  # from the environment through zwgk.settings
    app.extensions["zwgk.jobs"] = RQJobs(url) if url else InProcessJobs(app)


def get_jobs(app: Any = None):
    from flask import current_app

    return (app or current_app).extensions["zwgk.jobs"]


# --------------------------------------------------------------------------
# Jobs
# --------------------------------------------------------------------------


def reindex_public(progress: Any = None) -> int:
    """Rebuild the public catalog and its search index from the history."""
    from .db import get_db
    from .published import refresh

    if progress:
        progress(0, 1)
    with get_db().session(actor="job") as session:
        count = refresh(session.connection())
    if progress:
        progress(1, 1)
    return count


def export_public_catalog(path: str, fmt: str = "csv", region: str | None = None, progress: Any = None) -> int:
    """Write the published catalog (of ``region``, else all) to ``path``, page by page."""
    import csv

    from .app import get_pm
    from .db import get_db
    from .export import neutralise, resolve_region
    from .public_export import record_row
    from .published import page
    from .catalog_io import FLAT_HEADER

    if fmt != "csv":
        raise JobError(f"后台导出只支持 csv only csv is exported in the background, not {fmt}")
    session = get_db().sessionmaker()
    try:
        unit_path = resolve_region(session, get_pm(), region)[0] if region else None
        count, after = 0, None
        with open(path, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(FLAT_HEADER)
            while True:
                items, after = page(session, unit_path, after=after, limit=200)
                for r in items:
                    count += 1
                    writer.writerow([neutralise(v) for v in record_row(count, r)])
                if progress:
                    progress(count, count + (1 if after else 0))
                if after is None:
                    return count
    finally:
        session.close()


def export_catalog_items(ids: list[int], fmt: str, path: str, unit_column: bool = False,
                         scope: str | None = None, progress: Any = None) -> int:
    """The admin's export of a large selection (the items' ids, already scoped and filtered) on
    the queue: written to ``path`` in the list's order, counting as it goes, read as the rows of
    ``zwgk export-catalog`` and only under the unit path ``scope`` (``None``: every unit; see
    ``exportjobs.selection_rows``).  The server's and the workers' instance folders must be one
    (the file is fetched from the server)."""
    from pathlib import Path

    from .catalog_export import write
    from .db import get_db
    from .exportjobs import CHUNK, selection_rows

    done = 0
    if progress:
        progress(0, len(ids))
    with get_db().sessionmaker() as session:
        def rows():
            nonlocal done
            for row in selection_rows(session, ids, scope):
                yield row
                done += 1
                if progress and done % CHUNK == 0:
                    progress(done, len(ids))
            if progress:
                progress(done, len(ids))

        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            return write(rows(), target, fmt, unit_column=unit_column)
        except Exception:
            target.unlink(missing_ok=True)  # nothing half-written is offered
            raise
