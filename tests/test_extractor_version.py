"""EXTRACTOR_VERSION is derived from the rules: the package version plus a hash of the rule files."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from newsfacts.extractors.facts import EXTRACTOR_VERSION, version

FACTS = Path(__file__).resolve().parents[1] / "extractors" / "facts"
MODELS = Path(__file__).resolve().parents[1] / "extractors" / "models"


def test_the_version_is_the_code_version_plus_a_digest_of_the_rules():
    assert re.fullmatch(r".+\+rules\.[0-9a-f]{12}", EXTRACTOR_VERSION)
    assert EXTRACTOR_VERSION.startswith(metadata.version("newsfacts") + "+rules.")
    assert EXTRACTOR_VERSION.endswith(version.digest(version.rule_files()))


def test_every_pattern_and_data_file_and_the_model_meta_are_covered():
    names = {name for name, _data in version.rule_files()}
    expected = {f"{path.parent.name}/{path.name}" for folder in ("patterns", "data")
                for path in (FACTS / folder).glob("*.jsonl")}
    expected |= {path.name for path in FACTS.glob("*.cfg")}   # the pipeline config
    expected |= {f"models/{meta.parent.name}/meta.json" for meta in MODELS.glob("*/meta.json")}
    assert names == expected and expected


def test_changing_any_rule_file_changes_the_version():
    files = version.rule_files()
    base = version.digest(files)
    for index, (name, data) in enumerate(files):
        edited = files[:index] + [(name, data + b"\n")] + files[index + 1:]
        assert version.digest(edited) != base, name
    assert version.digest(list(reversed(files))) == base     # order of discovery does not matter
