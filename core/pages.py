"""Pages every deployment needs beside its content: the favicon and the error pages.

Flask answers 403/404/500 with English HTML of its own; ours speak the interface's language
(Chinese first) and say where to go next.  JSON paths (the API) keep their JSON errors.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

bp = Blueprint("zwgk_pages", __name__)

#: a red square with 公 (disclosure): drawn here, nothing fetched from outside
FAVICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" '
           'fill="#a00"/><text x="16" y="24" font-size="22" text-anchor="middle" fill="#fff" '
           'font-family="Noto Sans CJK SC, sans-serif">公</text></svg>')

ERRORS = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    401: (_l("Please log in"), _l("This page is for logged-in users.")),
    403: (_l("Not permitted"), _l("Your role does not allow this page or action.")),
    404: (_l("Not found"), _l("There is no such page, or the record is outside your region.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("File too large"), _l("The file is larger than the upload limit.")),
    429: (_l("Too many attempts"), _l("Wait a minute before trying again.")),
    500: (_l("Something went wrong"), _l("The server could not finish the request. Nothing was saved; try again, "
                                         "and tell the administrator if it happens again.")),
}


@bp.get("/favicon.ico")
def favicon() -> Response:
    response = Response(FAVICON, mimetype="image/svg+xml")
    response.cache_control.max_age = 86400
    return response


def _error_page(error: HTTPException, text: Any = None) -> Any:
    code = error.code or 500
    if request.path.startswith("/api/"):  # the API answers its errors in JSON (flask-smorest's shape)
        from flask import current_app

        api = current_app.extensions.get("zwgk.api")
        return api.handle_http_exception(error) if api is not None else error
    if request.accept_mimetypes.best == "application/json":
        return error
    title, default = ERRORS.get(code, (error.name, error.description))
    text = text or default
    from flask_babel import get_locale

    lang = "en" if str(get_locale() or "").startswith("en") else "zh-CN"
    return render_template("errors/error.html", code=code, title=title, text=text, lang=lang), code


def _server_error(error: Exception) -> Any:
    from werkzeug.exceptions import InternalServerError

    if isinstance(error, HTTPException):
        return _error_page(error)
    return _error_page(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    for code in ERRORS:
        if code == 413 and 413 in app.error_handler_spec[None]:
            continue  # the app's own handler names the limit (core/app.py _too_large) on this page
        app.register_error_handler(code, _error_page)
    app.register_error_handler(500, _server_error)
