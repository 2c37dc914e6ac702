"""Every development gold set held at an attributed and typed F1 floor.

Each floor is the score the set had when its floor was written, minus 0.01 (rounded down).
Whoever beats a floor raises it in the same commit; a floor is never lowered without saying
why in the commit message. A gold set added to fixtures/ must get a row here.
"""
from pathlib import Path

import pytest

from newsfacts.extractors.evaluate import evaluate_gold

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# (gold file relative to fixtures/, attributed F1 floor, typed F1 floor)
FLOORS = [
    ("blind/gold.jsonl", 0.880, 0.802),
    ("blind11/gold.jsonl", 0.508, 0.492),
    ("blind12/gold.jsonl", 0.363, 0.329),
    ("blind2/gold.jsonl", 0.733, 0.715),
    ("blind3/gold.jsonl", 0.790, 0.752),
    ("blind4/gold.jsonl", 0.686, 0.686),
    ("blind5/gold.jsonl", 0.785, 0.785),
    ("blind6/gold.jsonl", 0.603, 0.574),
    ("blind7/gold.jsonl", 0.723, 0.714),
    ("blind8/gold.jsonl", 0.549, 0.549),
    ("blind9/gold.jsonl", 0.487, 0.461),
    ("blind10/gold.jsonl", 0.579, 0.555),
    ("gold/extra.jsonl", 0.973, 0.837),
    ("gold/extra_heldout.jsonl", 0.990, 0.823),
    ("gold/extra_heldout2.jsonl", 0.990, 0.990),
    ("gold/extra_heldout3.jsonl", 0.990, 0.927),
    ("gold/seeds.jsonl", 0.960, 0.960),
]


def development_gold_sets() -> set[str]:
    found = {p.relative_to(FIXTURES).as_posix() for p in FIXTURES.glob("*/gold.jsonl")}
    found |= {p.relative_to(FIXTURES).as_posix() for p in (FIXTURES / "gold").glob("*.jsonl")}
    return found


def test_every_development_gold_set_has_a_floor():
    assert development_gold_sets() == {name for name, _, _ in FLOORS}


@pytest.mark.parametrize("name,attributed,typed", FLOORS, ids=[name.removesuffix(".jsonl") for name, _, _ in FLOORS])
def test_gold_set_stays_above_its_floor(name, attributed, typed):
    result = evaluate_gold(FIXTURES / name)
    scores = result.scores
    assert scores["attributed"].f1 >= attributed, result.render_text()
    assert scores["typed"].f1 >= typed, result.render_text()
