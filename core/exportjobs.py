"""Catalog exports of large selections, written beside the request so the page shows progress.

Writing 20,000 items as a workbook takes tens of seconds; a request that waits that long
shows nothing.  The admin hands the selection (the items' ids, already scoped and filtered)
to a job, answers with a page that follows it (items written of all), and the finished file
is downloaded from the job by its owner.  Jobs live in the server's process, like imports.

The items are read as the rows of ``zwgk export-catalog`` (``catalog_export.rows_query``, a chunk of
ids at a time), not as ORM objects, and only inside the user's scope: the file of a selection is
the command's file of the same items.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
              unit_column: bool = False, actor: str = "", unit: str | None = None,
              scope: str | None = None) -> ExportJob:
        """``unit_column``: the selection spans several units (each row names its own); ``actor``
        and ``unit``: the user's name and unit, for the list of jobs; ``scope``: only items under
        this unit path are written (``None``: a system administrator's, every unit)."""
        job = ExportJob(uuid.uuid4().hex, owner, filename, fmt, len(ids), unit_column=unit_column, actor=actor,
                        unit=unit)
        with self._lock:
            self._forget_old()
            self._jobs[job.id] = job
        threading.Thread(target=self._run, args=(job, db, ids, scope), name=f"export-{job.id[:8]}",
                         daemon=True).start()
        return job

    def _run(self, job: ExportJob, db: Any, ids: list[int], scope: str | None = None) -> None:
        from .catalog_export import write

        folder = Path(tempfile.mkdtemp(prefix="zwgk-export-"))
        try:
            with db.sessionmaker() as session:
                def rows():  # counting as they are written
                    for row in selection_rows(session, ids, scope):
                        yield row
                        job.done += 1

                path = folder / f"export.{job.fmt}"
                write(rows(), path, job.fmt, unit_column=job.unit_column)
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


def selection_rows(session: Any, ids: list[int], scope: str | None = None) -> Iterator[tuple[Any, ...]]:
    """The export rows (``catalog_export.rows_query``) of the items ``ids``, in the list's order,
    read :data:`CHUNK` ids at a time; only the items under the unit path ``scope`` (``None``: every
    unit), the rule of ``scope.scope_filter``.  An id not found (deleted, or outside the scope) is
    skipped."""
    from .catalog_export import rows_query, stream_rows

    if scope is not None and "\0" in scope:  # the admin's scope of a user with no unit: nothing
        return  # (and PostgreSQL refuses a NUL in a parameter)
    item_id = m.CatalogItem.__table__.c.id
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        q = rows_query(session, ids=part, under=scope).add_columns(item_id)  # the id last, to keep the list's order
        found = {row[-1]: tuple(row[:-1]) for row in stream_rows(session, q)}
        for i in part:
            if i in found:
                yield found[i]
