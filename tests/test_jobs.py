"""Background jobs: in-process by default, RQ on Redis (127.0.0.1:6379) with ``zwgk worker``."""

import csv
import os
import time

import pytest
from sqlalchemy import select

from zwgk import models as m
from zwgk.jobs import InProcessJobs, JobError, RQJobs

from .admin_helpers import DX, FULL

REDIS = os.environ.get("ZWGK_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def publish(app, n):
    with app.extensions["zwgk.db"].session(actor="test") as session:
        unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == DX))
        dom = session.scalar(select(m.Domain).where(m.Domain.name == "义务教育"))
        items = [m.CatalogItem(unit=unit, domain=dom, level1=f"事项{i}", **FULL) for i in range(n)]
        session.add_all(items)
        session.flush()
        for item in items:
            item.status = "published"


def wait(jobs, job_id, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = jobs.status(job_id)
        if state["state"] in ("finished", "failed"):
            return state
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def test_in_process_by_default_with_progress(make_app, regions_db_url, tmp_path):
    app = make_app(regions_db_url, plugins="daoxian")
    jobs = app.extensions["zwgk.jobs"]
    assert isinstance(jobs, InProcessJobs)
    publish(app, 3)
    out = tmp_path / "catalog.csv"
    state = wait(jobs, jobs.enqueue("zwgk.jobs.export_public_catalog", str(out), "csv", "daoxian"))
    assert state["state"] == "finished" and state["result"] == 3 and state["done"] == 3
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [r[1] for r in rows[1:]] == ["事项0", "事项1", "事项2"]
    failed = wait(jobs, jobs.enqueue("zwgk.jobs.export_public_catalog", str(out), "pdf"))
    assert failed["state"] == "failed" and "csv" in failed["error"]
    with pytest.raises(JobError):
        jobs.enqueue("os.system", "true")


def test_rq_queue_and_worker_when_redis_is_configured(make_app, regions_db_url, tmp_path, monkeypatch, run_cli):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.exceptions.ConnectionError:
        from .conftest import require

        require(False, f"no Redis at {REDIS}")
    app = make_app(regions_db_url, plugins="daoxian", ZWGK_REDIS_URL=REDIS)
    jobs = app.extensions["zwgk.jobs"]
    assert isinstance(jobs, RQJobs)
    jobs.queue.empty()
    publish(app, 2)
    # the worker builds its app from the environment, as `zwgk worker` on another machine would
    monkeypatch.setenv("ZWGK_DATABASE_URL", regions_db_url)
    monkeypatch.setenv("ZWGK_PLUGINS", "daoxian")
    monkeypatch.setenv("ZWGK_SECRET_KEY", "test")
    out = tmp_path / "rq.csv"
    job_id = jobs.enqueue("zwgk.jobs.export_public_catalog", str(out), "csv", "daoxian")
    assert jobs.status(job_id)["state"] == "queued" and not out.exists()
    result = run_cli(app, "worker", "--burst", "--simple")
    assert result.exit_code == 0, result.output
    state = jobs.status(job_id)
    assert state["state"] == "finished" and state["result"] == 2 and state["done"] == 2
    assert len(list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))) == 3
    assert "finished 2/2 2" in run_cli(app, "job", job_id).output


def test_worker_refuses_without_redis(make_app, loaded_db_url, run_cli):
    app = make_app(loaded_db_url)
    assert run_cli(app, "worker", "--burst").exit_code == 1
