"""Shared fixtures: the demo site on a loopback server (see newsfacts/demo_site.py).

    def test_feed(site_server):                 # fixtures/site/ on 127.0.0.1, ephemeral port
        url = site_server.url("/feed.xml")      # {{base}} in its files is site_server.base_url
        ...
        assert site_server.hits["/feed.xml"] == 1

    def test_robots(tmp_path, serve_site):      # any directory, e.g. a site written by the test
        (tmp_path / "robots.txt").write_text("User-agent: *\\nDisallow: /\\n")
        site = serve_site(tmp_path)

Both are per test: fresh counters every time, and starting a server costs about a millisecond.
The fault routes (/_fault/...) are served whatever the root.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from newsfacts.demo_site import DEFAULT_ROOT, DemoSite


@pytest.fixture
def site_server() -> Iterator[DemoSite]:
    """The bundled fixture site, fixtures/site/, served on 127.0.0.1."""
    with DemoSite(DEFAULT_ROOT) as site:
        yield site


@pytest.fixture
def serve_site() -> Iterator[Callable[[Path], DemoSite]]:
    """Start a DemoSite on the given root; it is stopped when the test ends."""
    sites: list[DemoSite] = []

    def start(root: Path) -> DemoSite:
        sites.append(DemoSite(root).start())
        return sites[-1]

    yield start
    for site in sites:
        site.stop()
