"""Migration 0012: 公开层级 from two booleans to a set of tiers, 公开渠道和载体 from text to a list."""

from alembic import command
from sqlalchemy import text

from zwgk.db import Database


def test_0012_moves_levels_and_channels_into_lists_and_back(empty_db_url):
    db = Database(empty_db_url)
    db.upgrade("0005")
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO admin_unit (id, key, name, level, is_pilot, position, origin, version) "
                          "VALUES (1, '道县', '道县', 'county', false, 0, 'admin', 1)"))
        conn.execute(text("INSERT INTO domain (id, key, name, editions, position, origin, version) "
                          "VALUES (1, '义务教育', '义务教育', '[]', 0, 'admin', 1)"))
        for id_, county, township, channels in ((1, True, True, "政府网站、公示栏"), (2, False, True, None),
                                                (3, False, False, "政府网站")):
            conn.execute(text(
                "INSERT INTO catalog_item (id, unit_id, domain_id, level1, channels, audience_public, audience_specific,"
                " method_active, method_on_request, level_county, level_township, stages, status, is_example, version)"
                " VALUES (:id, 1, 1, :name, :channels, false, false, false, false, :county, :township, '[]', 'draft',"
                " false, 1)"), dict(id=id_, name=f"事项{id_}", channels=channels, county=county, township=township))
    db.upgrade()
    from sqlalchemy import select

    from zwgk import models as m

    with db.sessionmaker() as session:
        items = session.scalars(select(m.CatalogItem).order_by(m.CatalogItem.id)).all()
        assert [(i.levels, i.channels) for i in items] == [
            (["county", "township"], ["政府网站", "公示栏"]), (["township"], []), ([], ["政府网站"])]
    assert db.drift() == []
    command.downgrade(db.alembic_config(), "0005")
    db.engine.dispose()
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT level_county, level_township, channels FROM catalog_item ORDER BY id")).all()
    assert [(bool(a), bool(b), c) for a, b, c in rows] == [
        (True, True, "政府网站、公示栏"), (False, True, None), (False, False, "政府网站")]
    db.dispose()
