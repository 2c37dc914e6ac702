"""Files that ship inside the package: the default sources and the demo site.

They are found through the import system, so the same code works from a checkout, an
editable install and a regular `pip install .`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def _package_path(package: str, *parts: str) -> Path:
    return Path(str(resources.files(package).joinpath(*parts)))


BUNDLED_SOURCES = _package_path("newsfacts", "sources.toml")
DEMO_SITE = _package_path("newsfacts.fixtures", "site")
DEMO_SOURCES = _package_path("newsfacts.fixtures", "sources.demo.toml")
