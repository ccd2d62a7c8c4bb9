"""Import problems in a clerk's words: the file's column heading instead of the field code, and
Chinese (with the English after it) instead of marshmallow's English messages."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from .catalog_reimport import HEADINGS

#: marshmallow's messages (and their patterns) → what they mean for a catalog cell
MESSAGES: tuple[tuple[str, str], ...] = (
    (r"^Field may not be null\.$", "不能为空"),
    (r"^Missing data for required field\.$", "缺少必填内容"),
    (r"^Not a valid string\.$", "不是文字"),
    (r"^Not a valid boolean\.$", "不是“√”或空白（是/否）"),
    (r"^Not a valid integer\.$", "不是整数"),
    (r"^Not a valid number\.$", "不是数字"),
    (r"^Not a valid list\.$", "不是列表"),
    (r"^Not a valid date\.$", "不是日期（YYYY-MM-DD）"),
    (r"^Unknown field\.$", "不是目录的字段"),
    (r"^Shorter than minimum length (\d+)\.$", r"少于 \1 个字"),
    (r"^Longer than maximum length (\d+)\.$", r"超过 \1 个字"),
    (r"^Length must be between (\d+) and (\d+)\.$", r"长度须在 \1 到 \2 个字之间"),
    (r"^Must be one of: (.*)\.$", r"只能是：\1"),
    (r"^Must be greater than or equal to (.*)\.$", r"不能小于 \1"),
)
_COMPILED = tuple((re.compile(p), zh) for p, zh in MESSAGES)


def message_words(message: str) -> str:
    """The catalog import's own words for a marshmallow message; the plugin loader's Chinese wording
    (``zwgk.loader.translate``, for plugin data) gives way to it, message by message."""
    from .loader import untranslate

    parts = [untranslate(part.strip()) for part in message.split("; ")]
    return "; ".join(_one_message_words(part) for part in parts)


def _one_message_words(message: str) -> str:
    for pattern, zh in _COMPILED:
        found = pattern.match(message.strip())
        if found:
            return f"{found.expand(zh)}（{message.strip()}）"
    return message


def field_words(field: str | None) -> str | None:
    if field is None:
        return None
    head, _, rest = field.partition(".")  # stages.0 → 五公开
    return HEADINGS.get(head, field)


def in_words(problem: Any) -> Any:
    """The same problem, its column named by heading and its message in Chinese."""
    return replace(problem, field=field_words(problem.field), message=message_words(problem.message))


_BOTH = re.compile(r"^(?P<zh>.+)（(?P<en>[^（）]+)）$")


def in_language(message: str, english: bool) -> str:
    """A message :func:`message_words` made (不能为空（Field may not be null.）) in one language, for a
    page: the Chinese words, or marshmallow's English on an English page.  Any other text (the
    readers' own messages) is returned as it is."""
    parts = []
    for part in message.split("; "):
        both = _BOTH.match(part)
        if both and any(pattern.match(both["en"]) for pattern, _ in _COMPILED):
            part = both["en"] if english else both["zh"]
        parts.append(part)
    return "; ".join(parts)
