"""Catalogs as counties publish them: every form of the corpus imports to its expected records.

The corpus (tests/data/catalogs/) is written by ``build_corpus.py`` from the forms seen on county
and township sites; each file has an ``.expected.json`` written from the logical items, not by
the importer.  Every field of every row is compared.
"""

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from zwgk import models as m
from zwgk.catalog_io import CatalogFileError, import_catalog
from zwgk.schemas import CatalogItemSchema

CORPUS = Path(__file__).parent / "data" / "catalogs"
CASES = json.loads((CORPUS / "cases.json").read_text(encoding="utf-8"))
MALFORMED = json.loads((CORPUS / "malformed.json").read_text(encoding="utf-8"))
SUFFIXES = (".xlsx", ".xls", ".csv", ".docx", ".html")


def _file(name):
    [path] = [CORPUS / f"{name}{s}" for s in SUFFIXES if (CORPUS / f"{name}{s}").exists()]
    return path


@pytest.fixture
def app(make_app, regions_db_url):
    return make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")


def _items(app):
    schema = CatalogItemSchema(exclude=("source",))
    with app.extensions["zwgk.db"].sessionmaker() as session:
        return [schema.dump(i) for i in session.scalars(select(m.CatalogItem).order_by(m.CatalogItem.id))]


def test_the_corpus_covers_at_least_fifteen_forms_in_every_format():
    assert len(CASES) >= 15
    assert {_file(n).suffix for n in CASES} == set(SUFFIXES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_form_imports_to_its_expected_records(app, name):
    case = CASES[name]
    expected = json.loads((CORPUS / f"{name}.expected.json").read_text(encoding="utf-8"))
    with app.extensions["zwgk.db"].session() as session:
        result = import_catalog(session, app.extensions["zwgk.pm"], _file(name), case["unit"], case["domain"])
        assert result.ok, [str(p) for p in result.problems]
    assert result.written == len(expected)
    got = _items(app)
    for row, (have, want) in enumerate(zip(got, expected), 1):
        assert have == want, f"{name} item {row}"
    assert len(got) == len(expected)


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_variant_is_refused_naming_the_header_or_cell_and_nothing_is_written(app, name):
    case = MALFORMED[name]
    with app.extensions["zwgk.db"].session() as session:
        try:
            result = import_catalog(session, app.extensions["zwgk.pm"], CORPUS / f"{name}.csv", case["unit"],
                                    case["domain"])
        except CatalogFileError as exc:
            message = str(exc)
        else:
            session.rollback()
            assert not result.ok and result.written == 0
            message = "\n".join(str(p) for p in result.problems)
    assert case["names"] in message, message
    with app.extensions["zwgk.db"].sessionmaker() as session:
        assert session.scalar(select(func.count()).select_from(m.CatalogItem)) == 0


def test_a_missing_required_column_is_named_with_the_headers_seen_and_accepted(app):
    with app.extensions["zwgk.db"].session() as session:
        result = import_catalog(session, app.extensions["zwgk.pm"], CORPUS / "bad_missing_basis.csv", "道县", "义务教育")
        session.rollback()
    [problem] = [p for p in result.problems if "表头" in p.where]
    assert "公开依据" in problem.message and "一级事项、公开内容" in problem.message  # seen
    assert "可接受" in problem.message


def test_an_unknown_column_lists_the_accepted_headers(app):
    with app.extensions["zwgk.db"].session() as session:
        result = import_catalog(session, app.extensions["zwgk.pm"], CORPUS / "bad_unknown_column.csv", DX, "义务教育")
        session.rollback()
    [problem] = result.problems
    assert problem.field == "审核意见栏" and "公开时限/时限要求" in problem.message


DX = "湖南省/永州市/道县"


def test_the_dry_run_prints_the_column_mapping_and_the_first_rows(app, run_cli):
    result = run_cli(app, "import", "catalog", str(_file("03_gb18030_two_row")), "--unit", "道县", "--domain", "社会救助",
                     "--dry-run")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "公开对象/特定群众 → audience_specific" in out
    assert "时限要求 → time_limit" in out and "责任主体 → subject" in out
    assert "公开层级/乡级 → levels ← township" in out
    assert "最低生活保障" in out  # a first row as read
    with app.extensions["zwgk.db"].sessionmaker() as session:
        assert session.scalar(select(func.count()).select_from(m.CatalogItem)) == 0


def test_an_ambiguous_unit_name_lists_its_candidates(app):
    with app.extensions["zwgk.db"].session() as session:
        parent = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == "浙江省"))
        session.add(m.AdminUnit(key="浙江省/道县", name="道县", level="county", parent=parent, origin="test"))
    with app.extensions["zwgk.db"].session() as session:
        with pytest.raises(CatalogFileError, match="不唯一") as refused:
            import_catalog(session, app.extensions["zwgk.pm"], _file("02_one_row_text_values"), "道县", "义务教育")
    assert "candidates: 浙江省/道县、湖南省/永州市/道县" in str(refused.value)


def test_every_form_exports_and_imports_back_to_the_same_records(app, tmp_path):
    from zwgk.catalog_io import write_catalog

    db = app.extensions["zwgk.db"]
    for name in ("01_merged_two_row_header", "09_township_levels", "10_channel_boxes", "13_three_levels"):
        case = CASES[name]
        with db.session() as session:
            assert import_catalog(session, app.extensions["zwgk.pm"], _file(name), case["unit"], case["domain"]).ok
    before = _items(app)
    for fmt in ("xlsx", "csv", "json"):
        out = tmp_path / f"out.{fmt}"
        with db.sessionmaker() as session:
            write_catalog(session.scalars(select(m.CatalogItem).order_by(m.CatalogItem.id)), out)
        with db.session() as session:
            for item in session.scalars(select(m.CatalogItem)):
                session.delete(item)
        with db.session() as session:
            result = import_catalog(session, app.extensions["zwgk.pm"], out, DX)
            assert result.ok, [str(p) for p in result.problems]
        assert _items(app) == before, fmt
