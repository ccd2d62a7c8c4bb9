"""Issue 10, follow-up: the login limit's shared storage (``ZWGK_RATELIMIT_STORAGE``, Redis) down.

Logins keep working, the limit is counted in the process instead, one warning is logged per
outage, and the shared count comes back when the storage answers (``docs/security.md``, 6)."""

from __future__ import annotations

import logging

import pytest
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from zwgk.auth import FallbackLimiter

from .admin_helpers import PASSWORD, login, seed
from .test_participation import DX, post_feedback, published_item

DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused


def _warnings(caplog):
    return [r for r in caplog.records if r.name == "zwgk.auth" and r.levelno == logging.WARNING]


def test_login_works_and_stays_limited_per_process_when_the_redis_storage_is_down(make_app, regions_db_url, caplog):
    app = make_app(regions_db_url, plugins="daoxian", ZWGK_RATELIMIT_STORAGE=DOWN, ZWGK_LOGIN_RATE="4 per minute")
    seed(app)
    caplog.set_level(logging.WARNING, logger="zwgk.auth")
    client = app.test_client()
    answer = login(client, "dx_admin")
    assert answer.status_code == 302  # logged in, not a 500
    assert client.get("/admin/").status_code == 200
    wrong = [login(app.test_client(), "dx_admin", "wrong").status_code for _ in range(4)]
    assert wrong == [401, 401, 401, 429]  # 4 per minute from this address: the first login counted too
    refused = login(app.test_client(), "dx_admin", PASSWORD)
    assert refused.status_code == 429 and "此地址登录尝试过多" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) >= 1
    other = app.test_client().post("/login", data={"username": "x", "password": "y"},
                                   environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code != 429  # another address has its own count
    logged = _warnings(caplog)
    assert len(logged) == 1, [r.getMessage() for r in logged]  # once for the outage, not per login
    assert "127.0.0.1:1" in logged[0].getMessage() and "each process" in logged[0].getMessage()


def test_the_storage_is_tried_again_and_the_shared_count_comes_back(caplog):
    class Flaky(MemoryStorage):
        down = True

        def _fail(self):
            if self.down:
                raise ConnectionError("connection refused")

        def acquire_entry(self, *args, **kwargs):
            self._fail()
            return super().acquire_entry(*args, **kwargs)

        def check(self):
            return not self.down

    caplog.set_level(logging.WARNING, logger="zwgk.auth")
    storage = Flaky()
    limiter = FallbackLimiter(MovingWindowRateLimiter(storage), "redis://:secret@10.0.0.1:6379/0")
    limiter.retry = 0.0  # try the storage again at every hit
    rate = parse("2 per minute")
    assert [limiter.hit(rate, "login", "1.2.3.4") for _ in range(3)] == [True, True, False]  # in process
    assert limiter.down_since is not None
    message = _warnings(caplog)[0].getMessage()
    assert "secret" not in message and "***" in message  # no password in the log
    storage.down = False
    assert limiter.hit(rate, "login", "1.2.3.4") is True  # the shared storage again, with its own count
    assert limiter.down_since is None
    assert [limiter.hit(rate, "login", "1.2.3.4") for _ in range(2)] == [True, False]  # counted there
    assert "answers again" in _warnings(caplog)[-1].getMessage()


def test_a_limiter_that_is_down_is_not_asked_again_before_its_pause(caplog):
    calls = []

    class Down(MemoryStorage):
        def acquire_entry(self, *args, **kwargs):
            calls.append(1)
            raise ConnectionError("refused")

        def check(self):
            calls.append(1)
            return False

    limiter = FallbackLimiter(MovingWindowRateLimiter(Down()), "redis://127.0.0.1:1/0")  # retry: 30 s
    rate = parse("100 per minute")
    assert all(limiter.hit(rate, "login", "1.2.3.4") for _ in range(20))
    assert len(calls) == 1  # each login does not wait for a dead Redis


def test_feedback_posts_still_work_and_are_limited_when_the_redis_storage_is_down(make_app, regions_db_url):
    # as the environment's ZWGK_RATELIMIT_STORAGE sets it (zwgk.settings): Flask-Limiter's key too
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_RATELIMIT_STORAGE=DOWN,
                   RATELIMIT_STORAGE_URI=DOWN, ZWGK_FEEDBACK_RATE="2 per minute")
    item_id = published_item(app, DX)
    client = app.test_client()
    codes = [post_feedback(client, f"/item/{item_id}", comment=f"第{i}条").status_code for i in range(3)]
    assert codes == [303, 303, 429]


def test_a_redis_that_hangs_costs_at_most_two_seconds_and_is_retried_every_30(make_app, regions_db_url):
    app = make_app(regions_db_url, plugins="none", ZWGK_RATELIMIT_STORAGE=DOWN, RATELIMIT_STORAGE_URI=DOWN)
    login_limiter = app.extensions["zwgk.login_limiter"]
    pool = login_limiter.primary.storage.storage.connection_pool.connection_kwargs
    assert pool["socket_connect_timeout"] == pool["socket_timeout"] == 2
    assert app.config["RATELIMIT_STORAGE_OPTIONS"] == {"socket_connect_timeout": 2, "socket_timeout": 2}
    assert login_limiter.retry == 30
    memory = make_app(regions_db_url, plugins="none")  # memory:// takes no socket options
    assert memory.config["RATELIMIT_STORAGE_OPTIONS"] == {}
