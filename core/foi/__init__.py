"""依申请公开: disclosure on application, its statutory deadlines, 依申请转主动 and the annual report.

The rules are those of the 中华人民共和国政府信息公开条例 (2019 revision, 国务院令第711号),
cited by article where they are applied; the Shandong notice 鲁政办发〔2018〕21号 六(三)
asks for them to be followed (``001_38f7583137ba7a7e.txt``).
"""


def init_app(app) -> None:
    """The public pages (the admin views are added by ``zwgk.admin``)."""
    from .public import bp

    app.config.setdefault("ZWGK_REQUEST_RATE", "20 per minute")  # ZWGK_* from the environment: core/settings.py
    app.register_blueprint(bp)
