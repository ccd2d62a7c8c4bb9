"""目录比对: what changed in a unit's catalog between two moments — the admin's side of the
public changelog (``/api/v1/catalog_changes``) and of ``zwgk catalog diff``."""

from __future__ import annotations

import math
from typing import Any

from flask import request, url_for
from flask_babel import gettext
from flask_admin import BaseView, expose
from flask_login import current_user

from ..catalog_history import BEIJING, diff, parse_moment
from ..catalog_io import shown
from ..db import get_db
from ..scope import unit_keys_in_scope
from . import LoginRequired
from .labels import LABELS, STATUS_CHOICES


class CatalogDiffView(LoginRequired, BaseView):
    @expose("/")
    def index(self):
        session = get_db().scoped()
        units = unit_keys_in_scope(session, current_user)
        args = request.args
        unit = args.get("unit") or (current_user.unit_path if current_user.unit_path in units else "")
        published_only = args.get("published") == "1"
        error, result, start, end = None, None, None, None
        if args.get("unit") is not None:
            try:
                start, end = parse_moment(args.get("from")), parse_moment(args.get("to"), end=True)
            except ValueError as exc:
                error = str(exc)
            if unit not in units:
                error = gettext("Not a unit in your region: %(unit)s", unit=unit)
            if error is None and start and end and start > end:
                error = gettext("The start date is after the end date.")
            if error is None:
                result = diff(session, unit, start, end, published_only=published_only)
        page, pages, shown_part = _page(result, args.get("page"))
        return self.render("zwgk/diff.html", units=units, unit=unit, args=args, result=result, error=error,
                           page=page, pages=pages, part=shown_part, per_page=PER_PAGE,
                           page_url=lambda n: url_for(".index", **{**args.to_dict(), "page": n}),
                           published_only=published_only, labels=LABELS, shown=shown,
                           statuses=dict(STATUS_CHOICES),
                           start=start.astimezone(BEIJING) if start else None,
                           end=end.astimezone(BEIJING) if end else None)


#: rows of each section (added, removed, changed) on one page: a county's 20,000-item import
#: would otherwise be one page of megabytes
PER_PAGE = 100


def _page(result: Any, text: str | None) -> tuple[int, int, dict[str, list[Any]]]:
    """The page asked for (1 when it is not a number), how many there are, and each section's part."""
    if result is None:
        return 1, 1, {}
    sections = {"added": result.added, "removed": result.removed, "changed": result.changed}
    pages = max(1, *(math.ceil(len(rows) / PER_PAGE) for rows in sections.values()))
    try:
        page = min(max(int(text or 1), 1), pages)
    except ValueError:
        page = 1
    start = (page - 1) * PER_PAGE
    return page, pages, {k: rows[start:start + PER_PAGE] for k, rows in sections.items()}
