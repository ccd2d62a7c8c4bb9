"""依申请公开 and Beijing's day: after 16:00 UTC it is already the next day in Beijing (attack review)."""

import datetime as dt

from zwgk.foi import service
from zwgk.foi.models import InfoRequest

from .admin_helpers import login
from .test_foi_workflow import D, REMEDIES, _register, app  # noqa: F401  (fixture)

UTC = dt.timezone.utc


def test_purge_without_today_counts_the_retention_to_beijings_day(app, run_cli, monkeypatch):
    rid, number = _register(app, received=D(2025, 3, 1))
    with app.extensions["zwgk.db"].session(actor="clerk") as s:
        service.reply(s, s.get(InfoRequest, rid), D(2025, 3, 10), "open", "clerk", remedies=REMEDIES)
    # 2025-03-11 23:00 in Beijing: only 1 day since the closing, retention 2 days not over
    monkeypatch.setattr(service, "_now", lambda: dt.datetime(2025, 3, 11, 15, 0, tzinfo=UTC))
    assert number not in run_cli(app, "requests", "purge", "--retention-days", "2", "--dry-run").output
    # 16:30 UTC is 2025-03-12 00:30 in Beijing: 2 days over
    monkeypatch.setattr(service, "_now", lambda: dt.datetime(2025, 3, 11, 16, 30, tzinfo=UTC))
    assert number in run_cli(app, "requests", "purge", "--retention-days", "2", "--dry-run").output


def test_the_request_page_with_a_today_that_is_no_date_is_a_400(app):
    rid, _ = _register(app)
    client = app.test_client()
    login(client, "dx_admin")
    assert client.get(f"/admin/foi_requests/{rid}").status_code == 200
    assert client.get(f"/admin/foi_requests/{rid}?today=notadate").status_code == 400
