"""考核评估 says the period's last day as the day its data run to (attack review: a 2018Q3 run said
"数据截至 2018-10-01 00:00:00", the instant after the period, which reads as 1 October included)."""

import io

import openpyxl

from .admin_helpers import login
from .test_evaluation_admin import _run, eapp  # noqa: F401  (fixture)


def test_a_q3_run_says_its_data_run_to_30_september(eapp):
    admin = eapp.test_client()
    login(admin, "prov_admin")
    page = _run(admin).get_data(as_text=True)
    assert "数据截至 2018-09-30" in page and "2018-10-01 00:00" not in page
    run_url = [line for line in page.split('"') if "/admin/evaluation_runs/run/" in line][0].split("/download")[0]
    run_id = run_url.rstrip("/").rsplit("/", 1)[1]
    html = admin.get(f"/admin/evaluation_runs/run/{run_id}/download/html").get_data(as_text=True)
    assert "数据截至 2018-09-30" in html and "2018-10-01 00:00" not in html
    wb = openpyxl.load_workbook(io.BytesIO(admin.get(f"/admin/evaluation_runs/run/{run_id}/download/xlsx").data))
    facts = {row[0]: row[1] for row in wb["说明"].iter_rows(values_only=True)}
    assert facts["数据截至"] == "2018-09-30"
