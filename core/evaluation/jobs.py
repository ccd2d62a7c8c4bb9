"""Evaluations started in the admin run beside the request (a province's may take tens of seconds):
the page answers at once and refreshes until the run is stored.  Jobs live in the server's process,
like catalog imports (``zwgk.importjobs``); a user runs one at a time; finished jobs are forgotten
after an hour."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

KEEP_SECONDS = 3600


class Busy(RuntimeError):
    """The user already has an evaluation running."""


@dataclass
class Job:
    id: str
    owner: str
    region: str
    period: str
    run_id: int | None = None
    units: int = 0
    error: str | None = None
    finished_at: float | None = None
    started_at: float = field(default_factory=time.monotonic)
    started_wall: float = field(default_factory=time.time)  # for the admin's list of jobs
    thread: threading.Thread | None = None

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    @property
    def seconds(self) -> int:
        return int((self.finished_at or time.monotonic()) - self.started_at)


class EvaluationJobs:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, app: Any, owner: str, region: str, period: Any, system: dict[str, Any]) -> Job:
        now = time.monotonic()
        with self._lock:
            for key, job in list(self._jobs.items()):
                if job.finished and now - job.finished_at > KEEP_SECONDS:
                    del self._jobs[key]
            if any(j.owner == owner and not j.finished for j in self._jobs.values()):
                raise Busy("您已有一个评估正在进行 you already have an evaluation running")
            job = Job(id=uuid.uuid4().hex, owner=owner, region=region, period=period.label)
            self._jobs[job.id] = job
        job.thread = threading.Thread(target=self._work, args=(app, job, period, system), daemon=True)
        job.thread.start()
        return job

    def _work(self, app: Any, job: Job, period: Any, system: dict[str, Any]) -> None:
        from ..db import get_db
        from . import runs

        try:
            with app.app_context():
                with get_db().session(actor=job.owner, reason=f"evaluate {job.region} {job.period}") as session:
                    rows = runs.compute(session, job.region, period, system)
                    if not rows:
                        raise ValueError(f"{job.region} 内没有可评估的单位 no unit to evaluate")
                    job.run_id = runs.store_run(session, job.region, period, system, rows, job.owner).id
                    job.units = len(rows)
        except Exception as exc:  # the page shows it; nothing was stored
            job.error = str(exc)
        finally:
            job.finished_at = time.monotonic()

    def all(self) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    def get(self, job_id: str, owner: str) -> Job | None:
        job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def wait(self, job_id: str, timeout: float = 120) -> Job | None:
        """For tests and scripts: block until the job is done."""
        job = self._jobs.get(job_id)
        if job is not None and job.thread is not None:
            job.thread.join(timeout)
        return job


def jobs_of(app: Any) -> EvaluationJobs:
    return app.extensions.setdefault("zwgk.evaluation_jobs", EvaluationJobs())
