"""Two accommodations for Flask-Admin 2.2.1 with plain SQLAlchemy (no Flask-SQLAlchemy).

1. ``flask_admin.contrib.sqla._compat`` imports ``T_SESSION``, which ``_types`` defines only
   when Flask-SQLAlchemy is installed: without it the import fails.  We define it (a type
   alias only) before the view module is imported.
2. Flask-Admin 2.2 wants "the db object" (anything with a ``.session``) and warns when given a
   session; :class:`AdminDB` is such an object over our scoped session, forwarding everything
   else to it.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import flask_admin.contrib
from sqlalchemy.orm import Session, scoped_session

_NAME = "flask_admin.contrib.sqla._types"
if _NAME not in sys.modules:
    # load _types alone (importing it the usual way would run the package __init__, which fails)
    _spec = importlib.util.spec_from_file_location(
        _NAME, Path(flask_admin.contrib.__file__).parent / "sqla" / "_types.py")
    _types = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_types)
    if not hasattr(_types, "T_SESSION"):
        _types.T_SESSION = Session
    sys.modules[_NAME] = _types


class AdminDB:
    def __init__(self, scoped: scoped_session):
        self.session = scoped

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)
