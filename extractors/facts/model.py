"""The Fact record (contract in docs/ARCHITECTURE.md)."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from .registry import UNITS, default_registry  # noqa: F401  (UNITS: re-exported with the contract)

METRICS = default_registry().names     # the metric registry (data/metrics.jsonl) is their one source
QUALIFIERS = ("exact", "approx", "up_to", "at_least", "more_than", "range")


@dataclass(frozen=True)
class Fact:
    subject: str
    counterparty: str | None
    metric: str
    value: float | None
    unit: str
    qualifier: str
    sentence: str
    as_of: str | None
    span: tuple[int, int]
    value_max: float | None = None
    chip_type: str | None = None
    currency: str | None = None
    amount: float | None = None
    confidence: float = 1.0
    measure: str | None = None     # money: total | increment | rate | period (None: not known)

    def to_dict(self) -> dict:
        record = asdict(self)
        record["span"] = [self.span[0], self.span[1]]
        return record
