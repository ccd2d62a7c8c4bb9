"""后台任务: every job's progress in the admin, in-process and on RQ; a user never sees another
region's jobs (issue 14)."""

import datetime as dt
import os
import re
import time

import pytest
from sqlalchemy import select

from zwgk import exportjobs
from zwgk import models as m
from zwgk.exportjobs import ExportJob

from .admin_helpers import DX, login, seed
from .test_admin_words import data_corpus, foreign_words, page_text
from .test_catalog_io import ROWS, real_layout

REDIS = os.environ.get("ZWGK_TEST_JOBS_REDIS_URL", "redis://127.0.0.1:6379/11")
JOBS = "/admin/jobs/"
#: 17:30 UTC is 01:30 the next day in Beijing
EVENING = dt.datetime(2026, 11, 23, 17, 30, tzinfo=dt.timezone.utc).timestamp()


@pytest.fixture
def admin_app(make_app, regions_db_url):
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_LOGIN_RATE="1000 per minute")
    app.ids = seed(app)
    return app


def _user_id(app, name):
    with app.extensions["zwgk.db"].sessionmaker() as session:
        return session.scalar(select(m.User.id).where(m.User.username == name))


def _until(predicate, seconds=30):
    end = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < end, "the job did not finish"
        time.sleep(0.05)


def _rows(page):
    body = page.split('id="jobs"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr class="job job-(\w+)" data-job="([\w-]+)">(.*?)</tr>', body, flags=re.S)


def _client(app, name, lang="zh_Hans_CN"):
    client = app.test_client()
    assert login(client, name).status_code == 302
    client.get(f"/lang/{lang}")
    return client


def _import(app, tmp_path, owner, unit, rows):
    """A catalog import as the admin's upload starts it (beside the request)."""
    folder = tmp_path / owner
    folder.mkdir()
    path = real_layout(folder / "义务教育.xlsx", rows)
    job = app.extensions["zwgk.import_jobs"].start(
        app.extensions["zwgk.db"], app.extensions["zwgk.pm"], path, _user_id(app, owner), owner, "义务教育.xlsx",
        unit, "义务教育", True, None, scope=unit)
    _until(lambda: job.finished)
    job.started_wall = EVENING
    return job


def test_the_page_lists_jobs_with_progress_result_and_scope(admin_app, tmp_path):
    app = admin_app
    good = _import(app, tmp_path, "dx_admin", DX, ROWS)  # a clean dry run
    bad = _import(app, tmp_path, "dx_editor", DX, [ROWS[0][:3] + [""] + ROWS[0][4:]])  # 公开内容 missing
    jobs = app.extensions.setdefault("zwgk.export_jobs", exportjobs.ExportJobs())
    export = jobs.start(app.extensions["zwgk.db"], [app.ids["in"], app.ids["other_domain"]], "csv",
                        _user_id(app, "dx_admin"), "导出.csv", actor="dx_admin", unit=DX)
    _until(lambda: export.finished)
    running = ExportJob("a" * 32, _user_id(app, "zj_admin"), "浙江.xlsx", "xlsx", 10, done=4, actor="zj_admin",
                        unit="浙江省")
    jobs._jobs[running.id] = running  # a job still running in 浙江省
    # a job of the queue (in-process here), started for 浙江省, that fails
    queue = app.extensions["zwgk.jobs"]
    failed = queue.enqueue("zwgk.jobs.export_public_catalog", str(tmp_path / "x.pdf"), "pdf",
                           meta={"owner": _user_id(app, "zj_admin"), "owner_name": "zj_admin", "unit": "浙江省",
                                 "kind": "public_export", "what": "x.pdf"})
    _until(lambda: queue.status(failed)["state"] == "failed")

    # the region administrator: its own jobs and its region's, nothing of 浙江
    dx = _client(app, "dx_admin")
    assert 'href="/admin/jobs/"' in dx.get("/admin/").get_data(as_text=True)  # in the menu
    page = dx.get(JOBS).get_data(as_text=True)
    seen = {job_id: (state, cells) for state, job_id, cells in _rows(page)}
    assert set(seen) == {good.id, bad.id, export.id}
    assert "浙江" not in page and "zj_admin" not in page
    state, cells = seen[good.id]
    assert state == "finished" and "目录导入" in cells and "dx_admin" in cells and "已完成" in cells
    assert "2026-11-24 01:30" in cells  # Beijing time, the next day
    assert '<progress max="3" value="3"' in cells and "3 / 3" in cells
    assert f'href="/admin/catalog_import/job/{good.id}/result"' in cells
    state, cells = seen[bad.id]  # the editor's: shown to the region's administrator, without its links
    assert state == "failed" and "dx_editor" in cells and "失败" in cells and "个问题，未写入任何内容" in cells
    assert "href=" not in cells
    dx.get("/lang/en")  # the count in words of the other language: "1 problem", "2 problems", never "1 problems"
    english = {job_id: cells for _, job_id, cells in _rows(dx.get(JOBS).get_data(as_text=True))}
    assert "1 problem; nothing was written" in english[bad.id]  # its one row lacks 公开内容
    dx.get("/lang/zh_Hans_CN")
    state, cells = seen[export.id]
    assert state == "finished" and "目录导出" in cells and "2 / 2" in cells
    link = re.search(r'href="([^"]+)">下载<', cells).group(1)
    assert "招生入学" in dx.get(link).data.decode("utf-8-sig")
    assert "北京时间" in page and 'http-equiv="refresh"' not in page  # nothing runs: no refresh

    # the editor: its own job only, with its error report
    editor = _client(app, "dx_editor")
    page = editor.get(JOBS).get_data(as_text=True)
    assert [job_id for _, job_id, _ in _rows(page)] == [bad.id]
    report = re.search(r'href="([^"]+)">问题报告<', page).group(1)
    assert "公开内容" in editor.get(report).data.decode("utf-8-sig")
    assert dx.get(report).status_code == 404  # another user's report stays theirs

    # 浙江's administrator: the running job (progress, refresh) and the failure in words
    zj = _client(app, "zj_admin")
    page = zj.get(JOBS).get_data(as_text=True)
    seen = {job_id: (state, cells) for state, job_id, cells in _rows(page)}
    assert set(seen) == {running.id, failed}
    assert '<progress max="10" value="4"' in seen[running.id][1] and "进行中" in seen[running.id][1]
    assert 'http-equiv="refresh"' in page
    assert "只支持 csv" in seen[failed][1] and "失败" in seen[failed][1]
    assert DX not in page and "dx_admin" not in page

    # the system administrator sees every job
    assert len(_rows(_client(app, "sys").get(JOBS).get_data(as_text=True))) == 5

    # one language at a time
    corpus = data_corpus(app) + "\n".join(["义务教育.xlsx", "导出.csv", "浙江.xlsx", "x.pdf",
                                           queue.status(failed)["error"]])
    for client, lang in ((dx, "zh"), (zj, "zh")):
        assert not foreign_words(page_text(client.get(JOBS).get_data(as_text=True)), lang, corpus)
    for client in (dx, zj):
        client.get("/lang/en")
        page = client.get(JOBS).get_data(as_text=True)
        assert "Background jobs" in page and "Started (Beijing time)" in page
        assert not foreign_words(page_text(page), "en", corpus)
    assert "Running" in page and "4 of 10" in page


def test_an_empty_list_says_so(admin_app):
    page = _client(admin_app, "dx_viewer").get(JOBS).get_data(as_text=True)
    assert "目前没有后台任务" in page and not _rows(page)
    assert admin_app.test_client().get(JOBS).status_code in (302, 401)  # not without a login


def _redis():
    redis = pytest.importorskip("redis")
    try:
        connection = redis.Redis.from_url(REDIS)
        connection.ping()
    except redis.exceptions.ConnectionError:
        from .conftest import require

        require(False, f"no Redis at {REDIS}: the RQ path of the jobs page is not tested")
    connection.flushdb()  # this test's own database number
    return connection


def test_on_rq_a_large_export_is_queued_followed_and_fetched(make_app, regions_db_url, monkeypatch, run_cli):
    _redis()
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_LOGIN_RATE="1000 per minute",
                   ZWGK_REDIS_URL=REDIS)
    app.ids = seed(app)
    assert app.extensions["zwgk.jobs"].backend == "rq"
    monkeypatch.setattr(exportjobs, "THRESHOLD", 2)
    dx = _client(app, "dx_admin")
    page = dx.get("/admin/catalog_item/export/csv/").get_data(as_text=True)
    assert "正在导出 2 个事项" in page
    status_url = re.search(r'fetch\("([^"]+)"', page).group(1)
    assert status_url.startswith(JOBS)
    job_id = status_url.rsplit("/", 1)[1]
    assert dx.get(status_url).get_json() == {"done": 0, "total": 0, "finished": False, "ok": False, "error": None}
    listed = {j: (s, c) for s, j, c in _rows(dx.get(JOBS).get_data(as_text=True))}
    assert listed[job_id][0] == "queued" and "排队中" in listed[job_id][1] and "zwgk worker" in dx.get(JOBS).get_data(as_text=True)
    # a failing job of the same user, on the same queue
    failing = app.extensions["zwgk.jobs"].enqueue("zwgk.jobs.export_public_catalog", "/tmp/x.pdf", "pdf",
                                                  meta={"owner": _user_id(app, "dx_admin"), "owner_name": "dx_admin",
                                                        "unit": DX, "what": "x.pdf"})
    zj = _client(app, "zj_admin")
    assert zj.get(status_url).status_code == 404 and zj.get(status_url + "/file").status_code == 404
    assert dx.get(status_url + "/file").status_code == 404  # not written yet
    # the worker builds its app from the environment
    monkeypatch.setenv("ZWGK_DATABASE_URL", regions_db_url)
    monkeypatch.setenv("ZWGK_PLUGINS", "zhejiang,shandong,daoxian")
    monkeypatch.setenv("ZWGK_SECRET_KEY", "test")
    result = run_cli(app, "worker", "--burst", "--simple")
    assert result.exit_code == 0, result.output
    status = dx.get(status_url).get_json()
    assert status["finished"] and status["ok"] and status["done"] == status["total"] == 2
    page = dx.get(JOBS).get_data(as_text=True)
    listed = {j: (s, c) for s, j, c in _rows(page)}
    assert listed[job_id][0] == "finished" and "2 / 2" in listed[job_id][1] and "目录导出" in listed[job_id][1]
    assert failing in listed, (app.extensions["zwgk.jobs"].status(failing), list(listed))
    assert listed[failing][0] == "failed" and "只支持 csv" in listed[failing][1] and "JobError" not in listed[failing][1]
    file = dx.get(re.search(rf'href="({JOBS}{job_id}/file)"', page).group(1))
    text = file.data.decode("utf-8-sig")
    assert "招生入学" in text and "最低生活保障" in text and "拱墅区招生" not in text
    assert "attachment" in file.headers["Content-Disposition"]
    assert zj.get(status_url + "/file").status_code == 404
    page = zj.get(JOBS).get_data(as_text=True)
    assert not _rows(page) and "dx_admin" not in page  # another region's jobs do not exist for 浙江


def test_an_unreachable_queue_is_said_and_the_servers_jobs_still_listed(make_app, regions_db_url, tmp_path):
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_LOGIN_RATE="1000 per minute",
                   ZWGK_REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens there
    app.ids = seed(app)
    job = _import(app, tmp_path, "dx_admin", DX, ROWS)
    page = _client(app, "dx_admin").get(JOBS)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "无法连接任务队列" in text and job.id in text


def test_an_evaluation_started_in_the_admin_is_listed_with_its_run(make_app, loaded_db_url):
    from zwgk import accounts

    from .evaluation_fixture import PROVINCE, build
    from .test_evaluation_admin import _run

    app = make_app(loaded_db_url)
    build(app.extensions["zwgk.db"])
    with app.extensions["zwgk.db"].session() as s:
        accounts.create_user(s, "bj_admin", "correct-horse-42", "region_admin", "北京市")
    mine = app.test_client()
    login(mine, "prov_admin")
    _run(mine)
    rows = _rows(mine.get(JOBS).get_data(as_text=True))
    assert len(rows) == 1
    state, _job, cells = rows[0]
    assert state == "finished" and "考核评估" in cells and PROVINCE in cells and "1 / 1" in cells
    link = re.search(r'href="([^"]+)">查看结果<', cells).group(1)
    assert "/admin/evaluation_runs/run/" in link and mine.get(link).status_code == 200
    other = app.test_client()
    login(other, "bj_admin")  # another region's administrator
    assert not _rows(other.get(JOBS).get_data(as_text=True))
