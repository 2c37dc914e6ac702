"""Stable identifiers: the same inputs give the same id in every run and on every machine."""

from __future__ import annotations

import hashlib
from importlib import resources


def stable_hash(*parts: object, length: int = 16) -> str:
    """Hex digest of the parts (None and "" differ from each other; floats normalised)."""
    encoded = "\x1f".join(_canonical(p) for p in parts)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()[:length]


def _canonical(part: object) -> str:
    if part is None:
        return "\x00"
    if isinstance(part, float):
        return format(part, ".12g")
    return str(part)


def files_digest(package: str, *names: str) -> str:
    """Hash of some files of a package (its code or data): work done with other files is stale."""
    digest = hashlib.sha256()
    for name in names:
        digest.update(resources.files(package).joinpath(name).read_bytes())
    return digest.hexdigest()[:16]


def article_id(canonical_url: str) -> str:
    return stable_hash("article", canonical_url)


def key_parts(subject: str, counterparty: str | None, metric: str, unit: str,
              chip_type: str | None) -> tuple:
    """Comparison key of a fact: chip type only splits keys for the chips metric."""
    norm = lambda s: " ".join(s.split()).casefold() if s else None  # noqa: E731
    return (norm(subject), norm(counterparty), metric, unit,
            norm(chip_type) if metric == "chips" else None)


def key_id(subject: str, counterparty: str | None, metric: str, unit: str,
           chip_type: str | None, measure: str | None = None, period: str | None = None) -> str:
    """Hash of the comparison key; it is the conflict_id when the key conflicts.

    The measure kind (and a period's length) join the key when known, so only like is compared
    with like; a fact of unknown kind keeps the key it always had."""
    kind = (measure, period) if measure else ()
    return stable_hash("key", *key_parts(subject, counterparty, metric, unit, chip_type), *kind)


def fact_id(article: str, metric: str, subject: str, counterparty: str | None, unit: str,
            value: float | None, span: tuple[int, int]) -> str:
    return stable_hash("fact", article, metric, subject, counterparty, unit,
                       None if value is None else float(value), span[0], span[1])
