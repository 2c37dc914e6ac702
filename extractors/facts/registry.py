"""The metric registry: what each metric is, kept as data (data/metrics.jsonl).

One JSON line per record, of three kinds:

    {"metric": "investment", "units": ["USD"], "subject": "investee", "counterparty": "investor",
     "measure": "increment", "measures": ["total", "increment", "rate"],
     "cues": ["invest", "tranche", ...], "steps": ["subject_from_context"], "note": "..."}
        a metric: the units its figures carry, the words that name it (lower case, matched as
        phrases near a figure), which role becomes the fact's subject and which its
        counterparty (null: none), the measure kind a money fact has when the text says
        nothing else, and the kinds the text may give it. A metric with no cues is decided by its unit alone (power: W). Among
        money metrics, the file's order is the order of strength when a short text (a column
        header, a heading) names several. "steps" (optional) names the per-metric steps of the
        figure decision (steps.py) that a figure of this metric goes through besides the
        common ones; STEPS lists them.
    {"measure": "total", "cues": ["in total", "to date", ...]}
        words that say what kind of amount a money figure is (total, increment, rate, period).
    {"words": "build_verbs", "list": ["build", ...]}
        a word list the metric rules read by name.

Adding a metric is one line here (and its tests); a new unit needs a figure pattern too.
A malformed record, an unknown unit, role or measure kind, or a cue claimed by two metrics
of the same unit fails when the registry loads; asking for a metric it does not hold fails too.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

UNITS = ("USD", "W", "count", "percent")
MONEY = "USD"
MEASURES = ("total", "increment", "rate", "period")
# the parties a metric's fact names; attribution reads a role pair its own way
ROLES = ("investee", "investor", "lead_investor", "valued", "owner", "buyer", "supplier", "builder", "partner")
# the per-metric steps of the figure decision (steps.py says what each does)
STEPS = ("compute_goods", "part_of_round", "sold_as_compute", "subject_from_context", "raiser_of_valued_round",
         "respective_parties", "lead_in_next_sentence", "same_deal_counterparty", "remember_deal")
_METRIC_KEYS = {"metric", "units", "subject", "counterparty", "measure", "measures", "cues", "steps", "note"}
_MEASURE_KEYS = {"measure", "cues", "note"}
_WORDS_KEYS = {"words", "list", "note"}


class RegistryError(ValueError):
    """A malformed registry, or a metric the registry does not hold."""


@dataclass(frozen=True)
class Metric:
    name: str
    units: tuple[str, ...]
    subject: str
    counterparty: str | None
    measure: str | None      # default measure kind of a money fact (None: none applies)
    measures: tuple[str, ...]   # the measure kinds the text may give it
    cues: tuple[str, ...]
    steps: frozenset[str] = frozenset()   # the per-metric decision steps it takes (STEPS)

    @property
    def money(self) -> bool:
        return MONEY in self.units


@dataclass(frozen=True, eq=False)   # hashed by identity: rules cache per registry
class Registry:
    metrics: dict[str, Metric]          # in file order
    measure_cues: dict[str, tuple[str, ...]]
    words: dict[str, frozenset[str]]
    source: str

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.metrics)

    def get(self, name: str) -> Metric:
        try:
            return self.metrics[name]
        except KeyError:
            raise RegistryError(f"{self.source}: unknown metric {name!r} (known: {', '.join(self.metrics)})") from None

    def require(self, *names: str) -> tuple[str, ...]:
        """The names, each checked to be a metric here: code that names a metric calls this once."""
        for name in names:
            self.get(name)
        return names

    def for_unit(self, unit: str) -> tuple[str, ...]:
        return tuple(name for name, m in self.metrics.items() if unit in m.units)

    def word_list(self, name: str) -> frozenset[str]:
        try:
            return self.words[name]
        except KeyError:
            raise RegistryError(f"{self.source}: no word list {name!r}") from None

    def takes(self, metric: str, step: str) -> bool:
        """Whether a figure of this metric goes through a per-metric decision step."""
        return step in self.get(metric).steps

    def roles(self, metric: str) -> tuple[str, str | None]:
        """(subject role, counterparty role) of a metric."""
        m = self.get(metric)
        return m.subject, m.counterparty

    def reading(self, metric: str, known: tuple[str, ...]) -> str:
        """The metric whose attribution reading a metric shares: itself if attribution knows it
        (known), else the first known metric with the same roles."""
        if metric in known:
            return metric
        roles = self.roles(metric)
        for other in known:
            if other in self.metrics and self.roles(other) == roles:
                return other
        raise RegistryError(f"{self.source}: no attribution reads the roles {roles} of metric {metric!r}")

    def cue_patterns(self) -> list[dict]:
        """{"label", "pattern"} records for the cue matcher: each metric's cues under its name."""
        return [{"label": name, "pattern": cue} for name, m in self.metrics.items() for cue in m.cues]


def registry_path() -> Path:
    return Path(str(resources.files("newsfacts.extractors.facts").joinpath("data", "metrics.jsonl")))


def load_registry(path: str | Path | None = None) -> Registry:
    path = Path(path) if path else registry_path()
    metrics: dict[str, Metric] = {}
    measure_cues: dict[str, tuple[str, ...]] = {}
    words: dict[str, frozenset[str]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.name} line {number}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as err:
            raise RegistryError(f"{where}: not JSON ({err.msg})") from None
        if not isinstance(rec, dict):
            raise RegistryError(f"{where}: a record must be a JSON object")
        if "metric" in rec:
            metric = _metric(rec, where)
            if metric.name in metrics:
                raise RegistryError(f"{where}: metric {metric.name!r} defined twice")
            metrics[metric.name] = metric
        elif "words" in rec:
            _keys(rec, _WORDS_KEYS, {"words", "list"}, where)
            if rec["words"] in words:
                raise RegistryError(f"{where}: word list {rec['words']!r} defined twice")
            words[_name(rec["words"], where)] = frozenset(_strings(rec["list"], "list", where))
        elif "measure" in rec:
            _keys(rec, _MEASURE_KEYS, {"measure", "cues"}, where)
            kind = _one_of(rec["measure"], MEASURES, "measure", where)
            if kind in measure_cues:
                raise RegistryError(f"{where}: measure {kind!r} defined twice")
            measure_cues[kind] = tuple(_strings(rec["cues"], "cues", where))
        else:
            raise RegistryError(f"{where}: a record names a metric, a measure or a word list")
    if not metrics:
        raise RegistryError(f"{path.name}: no metrics")
    _check_cues(metrics, path.name)
    return Registry(metrics, measure_cues, words, path.name)


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    return load_registry()


def _metric(rec: dict, where: str) -> Metric:
    _keys(rec, _METRIC_KEYS, {"metric", "units", "subject", "counterparty", "measure", "measures", "cues"}, where)
    name = _name(rec["metric"], where)
    units = tuple(_one_of(u, UNITS, "unit", where) for u in _strings(rec["units"], "units", where))
    if not units:
        raise RegistryError(f"{where}: metric {name!r} has no unit")
    subject = _one_of(rec["subject"], ROLES, "role", where)
    counterparty = None if rec["counterparty"] is None else _one_of(rec["counterparty"], ROLES, "role", where)
    measure = None if rec["measure"] is None else _one_of(rec["measure"], MEASURES, "measure", where)
    measures = tuple(_one_of(k, MEASURES, "measure", where) for k in _strings(rec["measures"], "measures", where))
    if (measure is not None or measures) and MONEY not in units:
        raise RegistryError(f"{where}: metric {name!r}: only money has a measure kind")
    if measure is not None and measure not in measures:
        raise RegistryError(f"{where}: metric {name!r}: default measure {measure!r} is not one of its measures")
    cues = tuple(_strings(rec["cues"], "cues", where))
    if MONEY in units and not cues:
        raise RegistryError(f"{where}: money metric {name!r} needs cues (only a unit of its own can decide alone)")
    steps = frozenset(_one_of(k, STEPS, "step", where) for k in _strings(rec.get("steps", []), "steps", where))
    return Metric(name, units, subject, counterparty, measure, measures, cues, steps)


def _check_cues(metrics: dict[str, Metric], source: str) -> None:
    for unit in UNITS:
        owner: dict[str, str] = {}
        bare = [m.name for m in metrics.values() if unit in m.units and not m.cues]
        if len(bare) > 1:
            raise RegistryError(f"{source}: unit {unit} is decided alone by several metrics: {', '.join(bare)}")
        for m in metrics.values():
            if unit not in m.units:
                continue
            for cue in m.cues:
                if cue in owner and owner[cue] != m.name:
                    raise RegistryError(f"{source}: cue {cue!r} names both {owner[cue]} and {m.name}")
                owner[cue] = m.name


def _keys(rec: dict, allowed: set[str], required: set[str], where: str) -> None:
    unknown, missing = set(rec) - allowed, required - set(rec)
    if unknown:
        raise RegistryError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    if missing:
        raise RegistryError(f"{where}: missing field(s) {', '.join(sorted(missing))}")


def _name(value, where: str) -> str:
    if not isinstance(value, str) or not value.replace("_", "").isalnum() or not value.islower():
        raise RegistryError(f"{where}: a name is lower-case letters, digits and '_', not {value!r}")
    return value


def _strings(value, field: str, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RegistryError(f"{where}: {field} must be a list of non-empty strings")
    return [v for v in value]


def _one_of(value, allowed: tuple[str, ...], what: str, where: str) -> str:
    if value not in allowed:
        raise RegistryError(f"{where}: unknown {what} {value!r} (one of: {', '.join(allowed)})")
    return value
