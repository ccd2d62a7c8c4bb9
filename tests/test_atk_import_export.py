"""Attacks on the chunked import (session 5): promises that must hold across chunk boundaries."""

import gc

import pytest
from openpyxl import load_workbook

from zwgk import catalog_io as cio
from zwgk.catalog_io import import_catalog

from .test_catalog_import_chunks import _rows, _state, _writes
from .test_catalog_io import DX, real_layout


@pytest.fixture
def app(make_app, regions_db_url):
    return make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")


def test_a_second_sheet_missing_a_required_column_undoes_the_first_sheets_chunks(app, tmp_path, monkeypatch):
    path = real_layout(tmp_path / "目录.xlsx", _rows(7))
    wb = load_workbook(path)
    second = wb.copy_worksheet(wb["义务教育"])
    second.title = "义务教育2"
    second.delete_cols(5)  # 公开依据 (required in 道县) gone
    wb.save(path)
    written = _writes(monkeypatch)
    before = _state(app)
    with app.extensions["zwgk.db"].session() as session:
        result = import_catalog(session, app.extensions["zwgk.pm"], path, DX, "义务教育", append=True)
    assert written and not result.ok
    assert _state(app) == before


def test_the_collector_runs_again_after_an_import_that_raises(app, tmp_path, monkeypatch):
    path = real_layout(tmp_path / "目录.xlsx", _rows(7))
    _writes(monkeypatch)

    def boom(*a, **k):
        raise RuntimeError("mid-way")

    assert gc.isenabled()
    with app.extensions["zwgk.db"].sessionmaker() as session:
        import_catalog(session, app.extensions["zwgk.pm"], path, DX, "义务教育")
        session.commit()
        monkeypatch.setattr(cio.reimport, "apply", boom)  # after new rows were written in chunks
        before = _state(app)
        with pytest.raises(RuntimeError, match="mid-way"):
            import_catalog(session, app.extensions["zwgk.pm"], real_layout(tmp_path / "b.xlsx", _rows(9)), DX,
                           "义务教育", withdraw_missing=True)
        session.commit()
    assert gc.isenabled() and _state(app) == before


def test_append_with_withdraw_missing_is_refused_not_silently_half_done(app, tmp_path):
    """--append matches nothing, so --withdraw-missing cannot know what is missing: it used to be
    ignored without a word (the clerk believed the unlisted items were withdrawn)."""
    from zwgk.catalog_io import CatalogFileError

    path = real_layout(tmp_path / "目录.xlsx", _rows(3))
    before = _state(app)
    with app.extensions["zwgk.db"].session() as session:
        with pytest.raises(CatalogFileError, match="--append"):
            import_catalog(session, app.extensions["zwgk.pm"], path, DX, "义务教育", append=True,
                           withdraw_missing=True)
    assert _state(app) == before
