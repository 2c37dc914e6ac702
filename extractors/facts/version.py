"""The version stamped on every stored fact (`fact_rows.extractor_version`), derived from the rules.

It is the package version plus a hash over what decides the facts besides the code: the
pipeline config (pipeline.cfg), the pattern and data files of extractors/facts (JSONL) and the
meta.json of any shipped model under extractors/models/. Editing a word list, a pattern or the metric registry, or shipping another
model, changes it; `newsfacts reextract` then reports which versions it replaced.
"""

from __future__ import annotations

import hashlib
from importlib import metadata, resources

_RULE_FOLDERS = (("newsfacts.extractors.facts", "patterns"), ("newsfacts.extractors.facts", "data"))
_MODELS = ("newsfacts.extractors", "models")
_CONFIG = ("newsfacts.extractors.facts", "pipeline.cfg")


def rule_files() -> list[tuple[str, bytes]]:
    """(name, bytes) of every file the version covers, in a stable order."""
    found = []
    for package, folder in _RULE_FOLDERS:
        root = resources.files(package).joinpath(folder)
        found += [(f"{folder}/{entry.name}", entry.read_bytes())
                  for entry in root.iterdir() if entry.name.endswith(".jsonl")]
    found.append((_CONFIG[1], resources.files(_CONFIG[0]).joinpath(_CONFIG[1]).read_bytes()))
    models = resources.files(_MODELS[0]).joinpath(_MODELS[1])
    if models.is_dir():
        for model in models.iterdir():
            meta = model.joinpath("meta.json")
            if meta.is_file():
                found.append((f"models/{model.name}/meta.json", meta.read_bytes()))
    return sorted(found)


def digest(files: list[tuple[str, bytes]]) -> str:
    """12 hex digits of a hash over the files' names and contents, whatever their order."""
    combined = hashlib.sha256()
    for name, data in sorted(files):
        combined.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return combined.hexdigest()[:12]


def code_version() -> str:
    try:
        return metadata.version("newsfacts")
    except metadata.PackageNotFoundError:   # running from a checkout that was never installed
        return "0+unknown"


EXTRACTOR_VERSION = f"{code_version()}+rules.{digest(rule_files())}"
