"""Catalog imports that run beside the request, so the admin can show their progress.

A province's catalog takes tens of seconds to check; a request that waits that long shows
nothing and may meet a proxy's timeout.  The admin starts the import here, answers at once
with the job's address, and the page asks how far it is (phase, rows done, rows in all)
until it is finished.  Jobs live in the server's process (waitress: one process, several
threads); each belongs to the user who started it, a user runs one at a time, and a finished
job is forgotten after :data:`KEEP_SECONDS`.
"""

from __future__ import annotations

import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .catalog_io import CatalogFileError, ImportResult, import_catalog

KEEP_SECONDS = 3600
MAX_RUNNING = 2  # in the whole process: an import keeps a core busy


class Busy(RuntimeError):
    """The user already has an import running, or the server has as many as it runs at once."""


@dataclass
class Job:
    id: str
    owner: int
    filename: str
    unit: str
    dry_run: bool
    phase: str = "queued"
    done: int = 0
    total: int = 0
    result: ImportResult | None = None
    error: str | None = None
    finished_at: float | None = None
    started_at: float = field(default_factory=time.monotonic)
    #: wall-clock start (the admin's list of jobs shows it in Beijing time) and who started it
    started_wall: float = field(default_factory=time.time)
    actor: str = ""

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    def status(self) -> dict[str, Any]:
        out = {"id": self.id, "phase": self.phase, "done": self.done, "total": self.total,
               "finished": self.finished, "filename": self.filename}
        if self.finished:
            out["ok"] = self.error is None and self.result is not None and self.result.ok
            out["written"] = self.result.written if self.result else 0
            out["problems"] = len(self.result.problems) if self.result else 0
            out["warnings"] = list(self.result.warnings) if self.result else []
            out["error"] = self.error
        return out


class ImportJobs:
    def __init__(self, max_running: int = MAX_RUNNING, keep_seconds: float = KEEP_SECONDS):
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self.max_running, self.keep_seconds = max_running, keep_seconds

    def get(self, job_id: str, owner: int) -> Job | None:
        """The job, if it exists and belongs to ``owner`` (others' jobs do not exist for them)."""
        with self._lock:
            self._forget_old()
            job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def start(self, db: Any, pm: Any, path: Path, owner: int, actor: str, filename: str, unit: str,
              domain: str | None, dry_run: bool, allowed_domains: set[int] | None,
              cleanup: Path | None = None, **options: Any) -> Job:
        """Start importing ``path`` in a thread; ``cleanup`` (a folder) is removed when it ends."""
        job = Job(uuid.uuid4().hex, owner, filename, unit, dry_run, actor=actor)
        with self._lock:
            self._forget_old()
            running = [j for j in self._jobs.values() if not j.finished]
            if any(j.owner == owner for j in running) or len(running) >= self.max_running:
                if cleanup:
                    shutil.rmtree(cleanup, ignore_errors=True)
                raise Busy(filename)
            self._jobs[job.id] = job
        thread = threading.Thread(target=self._run, name=f"import-{job.id[:8]}", daemon=True,
                                  args=(job, db, pm, path, actor, domain, allowed_domains, cleanup, options))
        thread.start()
        return job

    def _run(self, job: Job, db: Any, pm: Any, path: Path, actor: str, domain: str | None,
             allowed_domains: set[int] | None, cleanup: Path | None, options: dict[str, Any]) -> None:
        def progress(phase: str, done: int, total: int) -> None:
            job.phase, job.done, job.total = phase, done, total

        session = db.sessionmaker()
        session.info.update(actor=actor, reason=f"import {job.filename}")
        try:
            job.result = import_and_commit(session, pm, path, job.unit, domain, job.dry_run, allowed_domains,
                                           progress, **options)
        except CatalogFileError as exc:
            session.rollback()
            job.error = str(exc)
        except Exception as exc:  # noqa: BLE001 - reported to the user, logged by the caller's logger
            session.rollback()
            job.error = f"导入失败 the import failed: {type(exc).__name__}: {exc}"
            _log_exception(job)
        finally:
            session.close()
            if cleanup:
                shutil.rmtree(cleanup, ignore_errors=True)
            job.phase = "done"
            job.finished_at = time.monotonic()

    def all(self) -> list[Job]:
        """Every job still kept, for the admin's list of jobs (which applies the scope)."""
        with self._lock:
            self._forget_old()
            return list(self._jobs.values())

    def _forget_old(self) -> None:
        now = time.monotonic()
        for job_id in [j.id for j in self._jobs.values() if j.finished and now - j.finished_at > self.keep_seconds]:
            del self._jobs[job_id]


def import_and_commit(session: Any, pm: Any, path: Path, unit: str, domain: str | None, dry_run: bool,
                      allowed_domains: set[int] | None, progress: Any = None, **options: Any) -> ImportResult:
    """Import, then commit what is valid, or roll everything back (a dry run, or any problem).
    ``options``: ``append``, ``withdraw_missing`` (see :func:`zwgk.catalog_io.import_catalog`)."""
    result = import_catalog(session, pm, path, unit, domain, dry_run=dry_run, progress=progress,
                            allowed_domains=allowed_domains, **options)
    if result.ok and not dry_run:
        session.commit()
    else:
        session.rollback()
        result.written = 0
    return result


def _log_exception(job: Job) -> None:
    import logging

    logging.getLogger("zwgk.import").exception("import %s (%s) failed", job.id, job.filename)
