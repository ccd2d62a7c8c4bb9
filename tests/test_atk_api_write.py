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
                                         ("content", "内容\x00"), ("channels", ["政府\x00网站"]),
                                         ("seq", 10**30), ("seq", 2**31), ("seq", -1)])  # seq: a 500 beyond the integer
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


def test_a_unique_unit_name_names_its_unit_in_a_body_and_an_ambiguous_one_lists_candidates(app):
    """Issue 12: a unit is named by a unique name (道县) as well as by its path, the API included."""
    seed(app)
    auth = {"Authorization": f"Bearer {token_for(app, 'dx_admin')}"}
    client = app.test_client()
    made = client.post("/api/v1/catalog_items", json={**ITEM, "unit": "道县"}, headers=auth)
    assert made.status_code == 201 and made.get_json()["unit"] == "湖南省/永州市/道县", made.get_json()
    with app.extensions["zwgk.db"].session() as session:
        parent = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == "浙江省"))
        session.add(m.AdminUnit(key="浙江省/道县", name="道县", level="county", parent=parent, origin="test"))
    before = _count(app)
    refused = client.post("/api/v1/catalog_items", json={**ITEM, "unit": "道县"}, headers=auth)
    assert refused.status_code == 400 and "浙江省/道县" in str(refused.get_json()) and _count(app) == before


@pytest.mark.parametrize("value", ["yes", "no", "true", "√", 1, 0, "", None, [True], {"v": True}])
@pytest.mark.parametrize("field", ["audience_public", "audience_specific", "method_active", "method_on_request"])
def test_a_flag_is_a_json_boolean_or_a_400_naming_the_field(app, field, value):
    """marshmallow's Boolean took "yes" (and "no", 1, "√" …) as a flag: the API takes true and false only."""
    seed(app)
    auth = {"Authorization": f"Bearer {token_for(app, 'dx_admin')}"}
    client = app.test_client()
    before = _count(app)
    made = client.post("/api/v1/catalog_items", json={**ITEM, field: value}, headers=auth)
    body = made.get_json()
    assert made.status_code == 400 and field in str(body["errors"]), body
    assert "应为 JSON 布尔值 true 或 false" in str(body["errors"]) or value is None, body
    assert _count(app) == before
    [item_id] = publish(app, "湖南省/永州市/道县", 1)
    current = client.get(f"/api/v1/catalog_items/{item_id}/current", headers=auth).get_json()
    edited = client.patch(f"/api/v1/catalog_items/{item_id}", json={"version": current["version"], field: value},
                          headers=auth)
    assert edited.status_code == 400 and field in str(edited.get_json()["errors"])


def test_true_and_false_are_taken(app):
    seed(app)
    auth = {"Authorization": f"Bearer {token_for(app, 'dx_admin')}"}
    client = app.test_client()
    made = client.post("/api/v1/catalog_items", json={**ITEM, "audience_public": False, "audience_specific": True},
                       headers=auth)
    assert made.status_code == 201, made.get_json()
    current = client.get(f"/api/v1/catalog_items/{made.get_json()['id']}/current", headers=auth).get_json()
    assert current["audience_public"] is False and current["audience_specific"] is True
