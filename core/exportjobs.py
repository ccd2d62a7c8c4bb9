"""Catalog exports of large selections, written beside the request so the page shows progress.

Writing 20,000 items as a workbook takes tens of seconds; a request that waits that long
shows nothing.  The admin hands the selection (the items' ids, already scoped and filtered)
to a job, answers with a page that follows it (items written of all), and the finished file
is downloaded from the job by its owner.  Jobs live in the server's process, like imports.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from . import models as m

KEEP_SECONDS = 3600
#: below this many items the export answers at once, as a plain download
THRESHOLD = 2000
CHUNK = 1000


@dataclass
class ExportJob:
    id: str
    owner: int
    filename: str
    fmt: str
    total: int
    done: int = 0
    path: Path | None = None
    error: str | None = None
    unit_column: bool = False
    finished_at: float | None = None
    started_at: float = field(default_factory=time.monotonic)
    #: wall-clock start, who asked and the unit whose scope the selection was taken in (the admin's list of jobs)
    started_wall: float = field(default_factory=time.time)
    actor: str = ""
    unit: str | None = None

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    def status(self) -> dict[str, Any]:
        return {"id": self.id, "done": self.done, "total": self.total, "finished": self.finished,
                "ok": self.finished and self.error is None, "error": self.error, "filename": self.filename}


class ExportJobs:
    def __init__(self, keep_seconds: float = KEEP_SECONDS):
        self._jobs: dict[str, ExportJob] = {}
        self._lock = threading.Lock()
        self.keep_seconds = keep_seconds

    def get(self, job_id: str, owner: int) -> ExportJob | None:
        with self._lock:
            self._forget_old()
            job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def start(self, db: Any, ids: list[int], fmt: str, owner: int, filename: str,
              unit_column: bool = False, actor: str = "", unit: str | None = None) -> ExportJob:
        """``unit_column``: the selection spans several units (each row names its own); ``actor``
        and ``unit``: the user's name and unit, for the list of jobs."""
        job = ExportJob(uuid.uuid4().hex, owner, filename, fmt, len(ids), unit_column=unit_column, actor=actor,
                        unit=unit)
        with self._lock:
            self._forget_old()
            self._jobs[job.id] = job
        threading.Thread(target=self._run, args=(job, db, ids), name=f"export-{job.id[:8]}", daemon=True).start()
        return job

    def _run(self, job: ExportJob, db: Any, ids: list[int]) -> None:
        from .catalog_io import write_catalog

        folder = Path(tempfile.mkdtemp(prefix="zwgk-export-"))
        try:
            with db.sessionmaker() as session:
                def items():  # in chunks, in the list's order, counting as they are written
                    for start in range(0, len(ids), CHUNK):
                        part = ids[start:start + CHUNK]
                        found = {i.id: i for i in session.scalars(select(m.CatalogItem).where(
                            m.CatalogItem.id.in_(part)).options(selectinload(m.CatalogItem.unit),
                                                                 selectinload(m.CatalogItem.domain)))}
                        for item_id in part:
                            if item_id in found:
                                yield found[item_id]
                                job.done += 1
                        session.expunge_all()

                path = folder / f"export.{job.fmt}"
                write_catalog(items(), path, job.fmt, unit_column=job.unit_column)
                job.path = path
        except Exception as exc:  # noqa: BLE001 - the page says so; nothing half-written is offered
            job.error = f"导出失败 the export failed: {type(exc).__name__}: {exc}"
            shutil.rmtree(folder, ignore_errors=True)
        finally:
            job.finished_at = time.monotonic()

    def all(self) -> list[ExportJob]:
        with self._lock:
            self._forget_old()
            return list(self._jobs.values())

    def _forget_old(self) -> None:
        now = time.monotonic()
        for job in [j for j in self._jobs.values() if j.finished and now - j.finished_at > self.keep_seconds]:
            if job.path is not None:
                shutil.rmtree(job.path.parent, ignore_errors=True)
            del self._jobs[job.id]
