"""A unit and the units below it, matched on their paths (``湖南省/永州市/道县`` and ``…/道县/…``).

Compared as text, never with ``LIKE 'path/%'``: there a ``_`` or ``%`` in a path is a wildcard
(``道_县`` would take in ``道x县``'s records) and SQLite's LIKE ignores the case of ASCII letters.
Every scope, export and report filter by unit path goes through :func:`under`."""

from __future__ import annotations

from typing import Any


def under(col: Any, path: str) -> Any:
    """``col`` is ``path`` or a path below it."""
    from sqlalchemy import func, or_

    return or_(col == path, func.substr(col, 1, len(path) + 1) == path + "/")
