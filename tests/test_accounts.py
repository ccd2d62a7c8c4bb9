"""Accounts: hashed passwords, roles scoped to a unit, the CLI."""

from sqlalchemy import select

from zwgk import accounts
from zwgk.models import User


def test_users_create_hashes_the_password_and_checks_role_and_unit(app, run_cli):
    ok = run_cli(app, "users", "create", "zj", "--role", "region_admin", "--unit", "浙江省",
                 input="correct horse battery\ncorrect horse battery\n")
    assert ok.exit_code == 0, ok.output
    with app.app_context():
        session = app.extensions["zwgk.db"].scoped()
        user = session.scalar(select(User).where(User.username == "zj"))
        assert user.unit.key == "浙江省"
        assert "correct horse" not in user.password_hash
        assert accounts.verify(user, "correct horse battery")
        assert not accounts.verify(user, "wrong password!")

    no_unit = run_cli(app, "users", "create", "x", "--role", "editor", input="0123456789ab\n0123456789ab\n")
    assert no_unit.exit_code == 1 and "needs a unit" in no_unit.output
    short = run_cli(app, "users", "create", "y", "--role", "system_admin", input="short\nshort\n")
    assert short.exit_code == 1 and "at least 10" in short.output
    dup = run_cli(app, "users", "create", "zj", "--role", "system_admin", input="0123456789ab\n0123456789ab\n")
    assert dup.exit_code == 1 and "user exists" in dup.output


def test_set_password_and_role(app, run_cli):
    run_cli(app, "users", "create", "sd", "--role", "viewer", "--unit", "北京市",
            input="first password\nfirst password\n")
    assert run_cli(app, "users", "set-password", "sd", input="second password\nsecond password\n").exit_code == 0
    assert run_cli(app, "users", "set-role", "sd", "--role", "reviewer", "--unit", "北京市/东城区").exit_code == 0
    with app.app_context():
        user = app.extensions["zwgk.db"].scoped().scalar(select(User).where(User.username == "sd"))
        assert accounts.verify(user, "second password") and not accounts.verify(user, "first password")
        assert (user.role, user.unit.key) == ("reviewer", "北京市/东城区")
