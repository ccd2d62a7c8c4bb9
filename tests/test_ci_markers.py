"""The PostgreSQL phase of CI runs the `pg` tests: every database test outside the modules
listed as dialect-neutral."""

from pathlib import Path

from tests import conftest

HERE = Path(__file__).parent


def test_every_dialect_neutral_module_exists_and_says_why():
    for name, reason in conftest.DIALECT_NEUTRAL.items():
        assert (HERE / f"{name}.py").is_file(), name
        assert reason.strip(), name


def test_database_tests_outside_the_list_are_marked_pg(request):
    items = request.session.items
    db_items = [i for i in items if i.get_closest_marker("db")]
    for item in db_items:
        neutral = item.module.__name__.rpartition(".")[2] in conftest.DIALECT_NEUTRAL
        assert bool(item.get_closest_marker("pg")) is not neutral, item.nodeid
