"""A unit path's records are its own and those below it, compared as text: a ``_`` or ``%`` in
a path is not a wildcard, and case counts (SQLite's LIKE would ignore it).  Every scope, export
and report filter goes through ``zwgk.unitpath.under``; this checks it on the database and
through the admin's scope filter."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from zwgk import models as m
from zwgk.scope import scope_filter
from zwgk.unitpath import under


@pytest.mark.parametrize("path", ["湖南省/永州市/道_县", "湖南省/永州市/道%县", "湖南省/永州市/Dao"])
def test_a_path_with_like_wildcards_or_capitals_scopes_only_itself(db, path):
    other = path.replace("_", "x").replace("%", "xx").replace("Dao", "dao")
    with db.session() as session:
        city = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == "湖南省/永州市"))
        dom = session.scalar(select(m.Domain).order_by(m.Domain.id))
        mine = m.AdminUnit(name=path.rsplit("/", 1)[1], key=path, level="county", parent=city, origin="test")
        below_mine = m.AdminUnit(name="本镇", key=path + "/本镇", level="township", parent=mine, origin="test")
        theirs = m.AdminUnit(name=other.rsplit("/", 1)[1], key=other, level="county", parent=city, origin="test")
        below = m.AdminUnit(name="某镇", key=other + "/某镇", level="township", parent=theirs, origin="test")
        session.add_all([mine, below_mine, theirs, below])
        session.add(m.CatalogItem(unit=below_mine, domain=dom, seq=1, level1="一级", content="本单位下的事项"))
        session.add(m.CatalogItem(unit=below, domain=dom, seq=1, level1="一级", content="别的单位的事项"))
    with db.session() as session:
        keys = set(session.scalars(select(m.AdminUnit.key).where(under(m.AdminUnit.key, path))))
        assert keys == {path, path + "/本镇"}
        contents = set(session.scalars(scope_filter(select(m.CatalogItem.content), "catalog_items", path)))
        assert contents == {"本单位下的事项"}
        # the sibling's own scope still sees its own and not the other's
        theirs_contents = set(session.scalars(scope_filter(select(m.CatalogItem.content), "catalog_items", other)))
        assert theirs_contents == {"别的单位的事项"}


def test_a_path_is_not_a_prefix_of_a_longer_name(db):
    """``…/道县`` does not take in ``…/道县二`` (the ``/`` ends a path)."""
    with db.session() as session:
        keys = set(session.scalars(select(m.AdminUnit.key).where(under(m.AdminUnit.key, "湖南省/永州市/道"))))
    assert not keys
