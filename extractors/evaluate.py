"""Gold-set scoring for the fact extractor (`newsfacts eval GOLD`).

A gold file is JSON lines, one per document:
    {"doc": "<path relative to the gold file>", "published_at": "YYYY-MM-DD" | null,
     "facts": [{subject, counterparty, metric, value, unit, qualifier, as_of, ...}]}

Facts are matched one-to-one at three levels, each stricter than the last:
    figure      same unit, value within 1%
    attributed  + same subject and counterparty (canonical organisation names)
    typed       + same metric
and scored micro-averaged over all documents.

Errors by kind: what is left after the typed matching is paired again on the figure alone,
and each pair named by its first fault: "reversed" (subject and counterparty swapped),
"wrong_party" (another subject or counterparty), "wrong_metric" (right parties, other metric);
a gold fact with no figure found is "missed", a found fact with no gold figure "spurious".
Measure accuracy: among typed matches whose gold fact carries a `measure`, how many agree.

Unscored facts: a fact whose value is null (a non-USD amount with no dollar equivalent in the
text) cannot meet "unit + value within 1%", and annotators differ on whether to record such
amounts at all. Predictions and gold entries with a null value are therefore left out of
precision and recall, and listed apart as "unscored (no USD value)".
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from newsfacts.extractors.facts import FactExtractor
from newsfacts.extractors.facts.extractor import shared_extractor
from newsfacts.extractors.facts.orgs import OrgLexicon, default_lexicon

LEVELS = ("figure", "attributed", "typed")
ERROR_KINDS = ("reversed", "wrong_party", "wrong_metric", "missed", "spurious")
TOLERANCE = 0.01


@dataclass
class LevelScore:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "tp": self.true_positives, "fp": self.false_positives, "fn": self.false_negatives}


@dataclass
class EvalResult:
    gold_path: str
    documents: int
    scores: dict[str, LevelScore] = field(default_factory=lambda: {level: LevelScore() for level in LEVELS})
    misses: dict[str, list[dict]] = field(default_factory=lambda: {level: [] for level in LEVELS})
    false_positives: dict[str, list[dict]] = field(default_factory=lambda: {level: [] for level in LEVELS})
    unscored: dict[str, list[dict]] = field(default_factory=lambda: {"gold": [], "found": []})
    errors: dict[str, list[dict]] = field(default_factory=lambda: {kind: [] for kind in ERROR_KINDS})
    measures: list[tuple[dict, dict]] = field(default_factory=list)   # (gold, found) typed matches with a gold measure

    @property
    def measure_correct(self) -> int:
        return sum(gold["measure"] == found.get("measure") for gold, found in self.measures)

    def to_dict(self) -> dict:
        return {"gold": self.gold_path, "documents": self.documents,
                "scores": {level: score.to_dict() for level, score in self.scores.items()},
                "errors": {kind: {"count": len(items), "items": items} for kind, items in self.errors.items()},
                "measure": {"correct": self.measure_correct, "compared": len(self.measures),
                            "wrong": [dict(found, gold_measure=gold["measure"]) for gold, found in self.measures
                                      if gold["measure"] != found.get("measure")]},
                "misses": self.misses, "false_positives": self.false_positives,
                "unscored_no_usd_value": self.unscored}

    def render_text(self, level: str = "attributed") -> str:
        lines = [f"Gold: {self.gold_path} ({self.documents} documents)", "",
                 f"{'level':<12}{'precision':>10}{'recall':>10}{'F1':>8}{'tp':>6}{'fp':>6}{'fn':>6}"]
        for name, score in self.scores.items():
            lines.append(f"{name:<12}{score.precision:>10.3f}{score.recall:>10.3f}{score.f1:>8.3f}"
                         f"{score.true_positives:>6}{score.false_positives:>6}{score.false_negatives:>6}")
        lines += ["", "Errors by kind: " + ", ".join(f"{kind} {len(items)}" for kind, items in self.errors.items())]
        if self.measures:
            lines.append(f"Measure: {self.measure_correct} of {len(self.measures)} typed matches agree with gold")
        for kind, items in self.errors.items():
            if kind not in ("missed", "spurious"):
                lines += [f"  {kind}: {_describe(item['found'])} (gold: subject={item['gold']['subject']} "
                          f"counterparty={item['gold'].get('counterparty')} metric={item['gold']['metric']})"
                          for item in items]
        for title, items in ((f"Misses ({level})", self.misses[level]),
                             (f"False positives ({level})", self.false_positives[level])):
            lines += ["", f"{title}: {len(items)}"]
            lines += [f"  - {_describe(item)}" for item in items]
        for side, items in (("gold", self.unscored["gold"]), ("found", self.unscored["found"])):
            lines += ["", f"Unscored (no USD value), {side}: {len(items)}"]
            lines += [f"  - {_describe(item)}" for item in items]
        return "\n".join(lines)


def _describe(item: dict) -> str:
    value = item.get("value")
    shown = f"{value:,.0f}" if isinstance(value, (int, float)) else f"{item.get('currency')} {item.get('amount')}"
    return (f"[{Path(item['doc']).name}] {item['metric']} {shown} {item['unit']} "
            f"subject={item['subject']} counterparty={item['counterparty']}")


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= TOLERANCE * max(abs(a), abs(b), 1e-9)


def _canon(lexicon: OrgLexicon, name: str | None) -> str | None:
    canonical = lexicon.canonical(name)
    return canonical.lower() if canonical else None


def scored(fact: dict) -> bool:
    """Only a fact with a value can be compared on "unit + value within 1%"."""
    return fact.get("value") is not None


def _matches(gold: dict, found: dict, level: str, lexicon: OrgLexicon) -> bool:
    if gold["unit"] != found["unit"] or not _close(gold["value"], found["value"]):
        return False
    if level == "figure":
        return True
    if _canon(lexicon, gold["subject"]) != _canon(lexicon, found["subject"]) or \
            _canon(lexicon, gold.get("counterparty")) != _canon(lexicon, found.get("counterparty")):
        return False
    return level == "attributed" or gold["metric"] == found["metric"]


def _match_one_to_one(gold: list[dict], found: list[dict], level: str, lexicon: OrgLexicon) -> dict[int, int]:
    """Maximum bipartite matching (gold index -> found index) by augmenting paths."""
    options = [[j for j, f in enumerate(found) if _matches(g, f, level, lexicon)] for g in gold]
    owner: dict[int, int] = {}

    def assign(i: int, visited: set[int]) -> bool:
        for j in options[i]:
            if j in visited:
                continue
            visited.add(j)
            if j not in owner or assign(owner[j], visited):
                owner[j] = i
                return True
        return False

    for i in range(len(gold)):
        assign(i, set())
    return {i: j for j, i in owner.items()}


def read_gold(path: str | Path) -> list[dict]:
    path = Path(path)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate_gold(path: str | Path, extractor: FactExtractor | None = None,
                  lexicon: OrgLexicon | None = None) -> EvalResult:
    """Run the extractor over every document of a gold file and score it."""
    path = Path(path)
    extractor = extractor or shared_extractor()
    lexicon = lexicon or default_lexicon()
    records = read_gold(path)
    texts = [((path.parent / rec["doc"]).read_text(encoding="utf-8"), rec.get("published_at")) for rec in records]
    result = EvalResult(str(path), len(records))
    for rec, facts in zip(records, extractor.extract_many(texts)):
        gold = [dict(f, doc=rec["doc"]) for f in rec["facts"]]
        found = [dict(f.to_dict(), doc=rec["doc"]) for f in facts]
        result.unscored["gold"] += [g for g in gold if not scored(g)]
        result.unscored["found"] += [f for f in found if not scored(f)]
        gold, found = [g for g in gold if scored(g)], [f for f in found if scored(f)]
        for level in LEVELS:
            pairs = _match_one_to_one(gold, found, level, lexicon)
            score = result.scores[level]
            score.true_positives += len(pairs)
            score.false_negatives += len(gold) - len(pairs)
            score.false_positives += len(found) - len(pairs)
            matched = set(pairs.values())
            result.misses[level] += [g for i, g in enumerate(gold) if i not in pairs]
            result.false_positives[level] += [f for j, f in enumerate(found) if j not in matched]
        typed = _match_one_to_one(gold, found, "typed", lexicon)
        result.measures += [(gold[i], found[j]) for i, j in typed.items() if gold[i].get("measure")]
        _classify_errors(result.errors, [g for i, g in enumerate(gold) if i not in typed],
                         [f for j, f in enumerate(found) if j not in set(typed.values())], lexicon)
    return result


def _classify_errors(errors: dict[str, list], gold: list[dict], found: list[dict], lexicon: OrgLexicon) -> None:
    """Pair the facts the typed matching left over on their figure, and name each pair's fault."""
    pairs = _match_one_to_one(gold, found, "figure", lexicon)
    for i, j in pairs.items():
        g, f = gold[i], found[j]
        gs, gc = _canon(lexicon, g["subject"]), _canon(lexicon, g.get("counterparty"))
        fs, fc = _canon(lexicon, f["subject"]), _canon(lexicon, f.get("counterparty"))
        if (gs, gc) == (fs, fc):
            kind = "wrong_metric"
        elif gs is not None and fs != gs and fc == gs and (gc is None or fs == gc):
            kind = "reversed"     # the subject became the counterparty ("X invests in Y" read backwards)
        else:
            kind = "wrong_party"
        errors[kind].append({"gold": g, "found": f})
    errors["missed"] += [g for i, g in enumerate(gold) if i not in pairs]
    errors["spurious"] += [f for j, f in enumerate(found) if j not in set(pairs.values())]
