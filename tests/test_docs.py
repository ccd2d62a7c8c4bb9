"""Every hook of the contract is documented and tested (as datasette does for its hooks)."""

import re
from pathlib import Path

import pytest

from zwgk import hookspecs

ROOT = Path(__file__).parent.parent
HOOKS = sorted(name for name in dir(hookspecs) if name.startswith("zwgk_"))


def test_hooks_exist():
    assert len(HOOKS) >= 16


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_docstring(hook):
    assert (getattr(hookspecs, hook).__doc__ or "").strip()


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented_in_the_plugin_guide(hook):
    guide = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    assert re.search(rf"^### {hook}$", guide, re.M), f"docs/plugins.md lacks a '### {hook}' section"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_test(hook):
    """A test function in test_hooks.py names the hook (one test may cover a few)."""
    tests = (ROOT / "tests" / "test_hooks.py").read_text(encoding="utf-8")
    names = re.findall(r"^def (test_zwgk_\w+)\(", tests, re.M)
    short = hook.removeprefix("zwgk_register_").removeprefix("zwgk_")
    assert any(short in name for name in names), f"no test in tests/test_hooks.py names {hook}"


def test_core_exports_only_what_it_declares():
    import zwgk

    for name in zwgk.__all__:
        assert hasattr(zwgk, name), name
        obj = getattr(zwgk, name)
        if callable(obj) and not isinstance(obj, type):
            assert (obj.__doc__ or "").strip(), f"zwgk.{name} needs a docstring"
