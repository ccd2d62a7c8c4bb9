"""Shared set-up for the admin tests: three regional plugins, accounts of every role, catalog items."""

import re
from contextlib import contextmanager
from unittest import mock

from zwgk import accounts
from zwgk import models as m

PASSWORD = "correct-horse-42"
DX = "湖南省/永州市/道县"
ROLES = {  # username: (role, unit, department)
    "sys": ("system_admin", None, None),
    "dx_admin": ("region_admin", DX, None),
    "dx_editor": ("editor", DX, "教育局"),  # 道县 附 第3行: 义务教育领域 — 教育局
    "dx_reviewer": ("reviewer", DX, None),
    "dx_viewer": ("viewer", DX, None),
    "zj_admin": ("region_admin", "浙江省", None),
}
FULL = dict(basis="《中华人民共和国义务教育法》", content="招生范围、招生条件", time_limit="每年7月底前",
            subject="县教育局", channels=["政府网站"], audience_public=True, method_active=True, levels=["county"])


_HASHES: dict[str, str] = {}


@contextmanager
def one_hash_per_password():
    """Accounts made inside get the hash their password was given first in this test process.

    werkzeug's scrypt takes ~0.14 s a hash, and the set-up of the admin tests made six accounts
    per test: most of their set-up time.  Each stored hash is still a real hash of that very
    password, made by zwgk.accounts' own call, and every login still checks it in full; the
    set-up accounts only share its salt (tests/test_accounts.py tests hashing with accounts of
    its own, made outside this)."""
    real = accounts.generate_password_hash

    def once(password, *args, **kwargs):
        if args or kwargs:
            return real(password, *args, **kwargs)
        if password not in _HASHES:
            _HASHES[password] = real(password)
        return _HASHES[password]

    with mock.patch.object(accounts, "generate_password_hash", once):
        yield


def seed(app):
    """Accounts, and three items: 道县 义务教育 (the editor's domain), 道县 社会救助, 浙江 拱墅区."""
    db = app.extensions["zwgk.db"]
    with db.session(actor="test") as session, one_hash_per_password():
        for name, (role, unit, dept) in ROLES.items():
            accounts.create_user(session, name, PASSWORD, role, unit, dept)
        unit = {u.key: u for u in session.query(m.AdminUnit).filter(m.AdminUnit.key.in_([DX, "浙江省/杭州市/拱墅区"]))}
        dom = {d.name: d for d in session.query(m.Domain)}
        items = {
            "in": m.CatalogItem(unit=unit[DX], domain=dom["义务教育"], level1="招生入学", **FULL),
            "other_domain": m.CatalogItem(unit=unit[DX], domain=dom["社会救助"], level1="最低生活保障", **FULL),
            "out": m.CatalogItem(unit=unit["浙江省/杭州市/拱墅区"], domain=dom["义务教育"], level1="拱墅区招生", **FULL),
        }
        session.add_all(items.values())
        session.flush()
        return {k: v.id for k, v in items.items()}


def publish(app, unit_key, domain="义务教育", **fields):
    """A published catalog item of ``unit_key`` (the public pages and search read only these)."""
    from sqlalchemy import select

    with app.extensions["zwgk.db"].session(actor="test") as session:
        unit = session.scalar(select(m.AdminUnit).where(m.AdminUnit.key == unit_key))
        dom = session.scalar(select(m.Domain).where(m.Domain.name == domain))
        item = m.CatalogItem(unit=unit, domain=dom, **{**FULL, **fields})
        session.add(item)
        session.flush()
        item.status = "published"
        return item.id


def login(client, username, password=PASSWORD):
    page = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def csrf(client, url):
    text = client.get(url).get_data(as_text=True)
    # the last token on the page: the navbar's logout form comes first, the page's own form after it
    found = re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', text)
    return found[-1] if found else ""


def loaded_version(client, url):
    """The hidden ``loaded_version`` of an edit form, as a browser posts it back ("" when the page
    has none, e.g. a 404): an edit posted without it is refused (docs/security.md, threat 2)."""
    found = re.search(r'name="loaded_version"[^>]*value="([^"]*)"', client.get(url).get_data(as_text=True))
    return found.group(1) if found else ""
