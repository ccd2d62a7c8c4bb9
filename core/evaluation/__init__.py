"""考核评估: indicator systems, scores per unit, third-party assessment, satisfaction, reports.

``systems`` (the indicator trees), ``compute`` (aggregates per unit), ``runs`` (stored, re-run,
compared), ``report`` (JSON, .xlsx, HTML with SVG charts), ``assessment`` (评估机构),
``survey`` (满意度测评), ``admin`` and ``public`` (pages), ``cli`` (``zwgk evaluate``).
"""
