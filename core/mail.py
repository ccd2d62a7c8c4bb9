"""The optional daily digest by e-mail (off unless ``ZWGK_SMTP_HOST`` is set)."""

from __future__ import annotations

import os
import smtplib
from email.message import EmailMessage
from typing import Any


class MailError(RuntimeError):
    pass


def smtp_settings(config: Any) -> dict[str, Any]:
    get = lambda key, default=None: config.get(key) or os.environ.get(key, default)  # noqa: E731
    return {"host": get("ZWGK_SMTP_HOST"), "port": int(get("ZWGK_SMTP_PORT", 587)),
            "user": get("ZWGK_SMTP_USER"), "password": get("ZWGK_SMTP_PASSWORD"),
            "sender": get("ZWGK_SMTP_FROM", "zwgk@localhost"),
            "starttls": str(get("ZWGK_SMTP_STARTTLS", "1")) not in ("0", "false", "no")}


def send_digest(config: Any, recipients: list[str], subject: str, body: str) -> None:
    s = smtp_settings(config)
    if not s["host"]:
        raise MailError("未配置邮件服务器 no SMTP server: set ZWGK_SMTP_HOST (and PORT, USER, PASSWORD, FROM)")
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = subject, s["sender"], ", ".join(recipients)
    msg.set_content(body)
    try:
        with smtplib.SMTP(s["host"], s["port"], timeout=30) as smtp:
            if s["starttls"]:
                smtp.starttls()
            if s["user"]:
                smtp.login(s["user"], s["password"] or "")
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"邮件发送失败 sending failed: {exc}") from exc
