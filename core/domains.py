"""Domain names: normalisation and resolution through aliases and editions."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Domain, DomainAlias, DomainSuccession

_SUFFIX = re.compile(r"(等方面|方面|领域|試點領域|试点领域)$")


def normalize_name(text: str) -> str:
    """Fold full-width characters and spaces, drop a trailing 领域 / 等方面."""
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"\s+", "", text)
    return _SUFFIX.sub("", text)


def resolve_domain(session: Session, name: str, edition: int | None = None) -> Domain | None:
    """The canonical domain a document means by ``name``.

    Tries the canonical name, then the aliases, each as written and normalised.
    With ``edition``, a domain that left that edition leads to its successor
    when there is exactly one (城乡规划 → 国土空间规划 for 2019).
    """
    found = None
    for candidate in dict.fromkeys((name.strip(), normalize_name(name))):
        found = session.scalar(select(Domain).where(Domain.name == candidate))
        if found is None:
            alias = session.scalar(select(DomainAlias).where(DomainAlias.alias == candidate))
            found = alias.domain if alias else None
        if found is not None:
            break
    if found is not None and edition is not None and edition not in (found.editions or []):
        successors = session.scalars(
            select(DomainSuccession).where(DomainSuccession.predecessor_id == found.id)
        ).all()
        if len(successors) == 1:
            return successors[0].successor
    return found
