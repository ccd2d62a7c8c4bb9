"""Text for search: Traditional folded to Simplified (OpenCC), Chinese cut into words (jieba).

Both sides go through the same two steps: what is indexed and what is asked.  So 政務公開
finds an item written 政务公开 and the reverse, and a two-character word such as 教育 is a
token of its own (SQLite FTS5 ``unicode61`` and PostgreSQL ``to_tsvector('simple', …)``
both split on the spaces put between words; neither needs an extension).
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Iterable

from markupsafe import Markup, escape

_lock = threading.Lock()
#: a token worth indexing or asking for: it has a letter or a digit (not punctuation)
_WORDY = re.compile(r"\w", re.UNICODE)


@functools.lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def fold(text: str | None) -> str:
    """Traditional → Simplified, lower case (ASCII words match whatever their case)."""
    if not text:
        return ""
    return _fold(text)


@functools.lru_cache(maxsize=65536)
def _fold(text: str) -> str:  # the same texts (titles, phrases, queries) come back again and again
    return _converter().convert(text).lower()


@functools.lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" chatter on stderr
    with _lock:
        jieba.initialize()
    return jieba


def index_terms(text: str) -> list[str]:
    """The words of ``text`` as indexed: jieba's search mode, which gives a long word and the
    shorter words inside it (义务教育 → 义务, 教育, 义务教育), so either finds the item."""
    folded = fold(text)
    return [t for t in _jieba().cut_for_search(folded) if _WORDY.search(t)]


def query_terms(query: str) -> list[str]:
    """The words of a query, distinct, in order (jieba's precise mode)."""
    seen: dict[str, None] = {}
    for t in _jieba().cut(fold(query)):
        t = t.strip()
        if t and _WORDY.search(t):
            seen.setdefault(t, None)
    return list(seen)


def index_text(parts: Iterable[str | None]) -> str:
    """One space-separated string of words for the full-text index."""
    return " ".join(t for p in parts if p for t in index_terms(p))


def fts5_query(terms: list[str]) -> str:
    """An FTS5 MATCH expression: any of the words (ranked by bm25, so more words rank higher).
    Each word is a quoted string, so nothing in it is read as FTS5 syntax."""
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def fts5_all(terms: list[str]) -> str:
    """An FTS5 MATCH expression: every one of the words."""
    return " AND ".join(_quoted(t) for t in terms)


def fts5_not_all(terms: list[str]) -> str:
    """An FTS5 MATCH expression: some of the words but not every one of them."""
    return f"({fts5_query(terms)}) NOT ({fts5_all(terms)})"


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def highlight(text: str | None, terms: list[str]) -> Markup:
    """``text`` escaped, with each place a query word occurs marked ``<mark>``; the match is made
    on the folded text, so a Traditional original is marked where its Simplified form matched."""
    if not text:
        return Markup("")
    folded = fold(text)
    if len(folded) != len(text) or not terms:  # folding changed the length: no safe mapping
        return escape(text)
    marks = [False] * len(text)
    for term in terms:
        start = folded.find(term)
        while start >= 0:
            for i in range(start, start + len(term)):
                marks[i] = True
            start = folded.find(term, start + len(term))
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and marks[j] == marks[i]:
            j += 1
        chunk = escape(text[i:j])
        out.append(Markup(f"<mark>{chunk}</mark>") if marks[i] else chunk)
        i = j
    return Markup("").join(out)
