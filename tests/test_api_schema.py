"""schemathesis against /api/v1/openapi.json: generated requests find no 5xx and no answer that
breaks the documented schema (status codes, content type, body), on published data."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy import select

from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)

from zwgk import apitokens
from zwgk import models as m

from .admin_helpers import DX, FULL, seed


@pytest.fixture
def api_schema(make_app, regions_db_url):
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")
    seed(app)
    with app.extensions["zwgk.db"].session(actor="test") as session:
        unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == DX))
        dom = session.scalar(select(m.Domain).where(m.Domain.name == "义务教育"))
        items = [m.CatalogItem(unit=unit, domain=dom, level1=f"事项{i}", stages=["result"], **FULL) for i in range(3)]
        session.add_all(items)
        session.flush()
        for item in items:
            item.status = "published"
        token = apitokens.create_token(session, "dx_editor")[1]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.config.headers = {"Authorization": f"Bearer {token}"}  # writes are tried as an editor too
    return schema


#: no 5xx, and every answer as documented: status code, content type, body, headers.  (Whether the
#: server accepts every string a schema allows, e.g. any text as a cursor, is not what is asked.)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]


def test_api_answers_within_its_schema(api_schema):
    """Every operation of the document, each with generated requests (schemathesis's pytest
    fixture loader is not used: it does not run under this pytest)."""
    from hypothesis import given

    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        @given(operation.as_strategy())
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            case.call_and_validate(checks=CHECKS)

        check()
