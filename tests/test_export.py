"""Export of every kind, as JSON and CSV, filtered by region."""

import csv
import io
import json

import pytest
from sqlalchemy import select

from zwgk.models import AdminUnit

from zwgk.export import KINDS, neutralise, to_csv


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_exports_as_json_and_csv(app, run_cli, kind):
    as_json = run_cli(app, "export", kind, "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    rows = json.loads(as_json.output)
    as_csv = run_cli(app, "export", kind, "--format", "csv")
    assert as_csv.exit_code == 0
    assert len(list(csv.DictReader(io.StringIO(as_csv.output)))) == len(rows)


def test_region_filter_by_unit_path_or_name(app, run_cli):
    units = json.loads(run_cli(app, "export", "units", "--region", "浙江省").output)
    assert len(units) == 1 + 7 + 7  # the province, 7 cities, 7 pilot counties
    assert all(u["key"] == "浙江省" or u["key"].startswith("浙江省/") for u in units)
    city = json.loads(run_cli(app, "export", "units", "--region", "浙江省/杭州市").output)
    assert [u["key"] for u in city] == ["浙江省/杭州市", "浙江省/杭州市/拱墅区"]
    bad = run_cli(app, "export", "units", "--region", "火星")
    assert bad.exit_code == 1 and "unknown region" in bad.output


def test_ambiguous_unit_name_asks_for_a_path(app, run_cli):
    ok = run_cli(app, "export", "units", "--region", "朝阳区")
    assert ok.exit_code == 0 and json.loads(ok.output)[0]["key"] == "北京市/朝阳区"
    with app.app_context():
        db = app.extensions["zwgk.db"]
        with db.session() as session:
            hunan = session.scalar(select(AdminUnit).where(AdminUnit.key == "湖南省"))
            session.add(AdminUnit(name="朝阳区", key="湖南省/朝阳区", origin="test", level="county", parent=hunan))
    twice = run_cli(app, "export", "units", "--region", "朝阳区")
    assert twice.exit_code == 1
    assert "ambiguous" in twice.output and "北京市/朝阳区" in twice.output and "湖南省/朝阳区" in twice.output


def test_csv_to_file_has_a_bom_for_excel(app, run_cli, tmp_path):
    out = tmp_path / "domains.csv"
    result = run_cli(app, "export", "domains", "--format", "csv", "-o", str(out))
    assert result.exit_code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "城乡规划" in raw.decode("utf-8-sig")


@pytest.mark.parametrize("cell", ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_cells_a_spreadsheet_would_execute_are_neutralised(cell):
    assert neutralise(cell) == "'" + cell
    text = to_csv([{"name": cell}])
    assert list(csv.DictReader(io.StringIO(text, newline="")))[0]["name"] == "'" + cell


def test_plain_cells_stay_as_they_are():
    assert neutralise("城乡规划") == "城乡规划"
    assert neutralise("2017-08-31") == "2017-08-31"
