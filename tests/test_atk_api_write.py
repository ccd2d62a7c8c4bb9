"""The write API against hostile bodies (attack review): text longer than its column or with a NUL is a 400
naming the field, never a database error (it was a 500 on PostgreSQL), and nothing is written."""

import pytest
from sqlalchemy import func, select

from zwgk import models as m

from .admin_helpers import seed
from .test_api_v1 import ITEM, app, publish, token_for  # noqa: F401  (fixture)


def _count(app):
    with app.extensions["zwgk.db"].session() as s:
        return s.scalar(select(func.count()).select_from(m.CatalogItem))


@pytest.mark.parametrize("field,value", [("level1", "长" * 201), ("level2", "二" * 201), ("level1", "a\x00b"),
                                         ("content", "内容\x00"), ("channels", ["政府\x00网站"])])
def test_a_body_too_long_for_a_column_or_with_a_nul_is_a_400(app, field, value):
    seed(app)
    auth = {"Authorization": f"Bearer {token_for(app, 'dx_admin')}"}
    client = app.test_client()
    before = _count(app)
    made = client.post("/api/v1/catalog_items", json={**ITEM, field: value}, headers=auth)
    assert made.status_code == 400 and field in str(made.get_json())
    assert _count(app) == before
    [item_id] = publish(app, "湖南省/永州市/道县", 1)
    current = client.get(f"/api/v1/catalog_items/{item_id}/current", headers=auth).get_json()
    edited = client.patch(f"/api/v1/catalog_items/{item_id}", json={"version": current["version"], field: value},
                          headers=auth)
    assert edited.status_code == 400 and field in str(edited.get_json())
