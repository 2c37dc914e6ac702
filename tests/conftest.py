"""Shared fixtures: the demo site on a loopback server, with fault routes (tests/fault_site.py).

    def test_feed(site_server):                 # fixtures/site/ on 127.0.0.1, ephemeral port
        url = site_server.url("/feed.xml")      # {{base}} in its files is site_server.base_url
        ...
        assert site_server.hits["/feed.xml"] == 1

    def test_robots(tmp_path, serve_site):      # any directory, e.g. a site written by the test
        (tmp_path / "robots.txt").write_text("User-agent: *\\nDisallow: /\\n")
        site = serve_site(tmp_path)

Both are per test: fresh counters every time, and starting a server costs about a millisecond.
The fault routes (/_fault/...) are served whatever the root; the product's demo site has none.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from newsfacts.demo_site import DEFAULT_ROOT, DemoSite
from newsfacts.extractors.facts import FactExtractor
from newsfacts.flows import pipeline
from newsfacts.flows.config import parse_sources
from newsfacts.flows.http import Fetcher
from newsfacts.warehouse.db import migrate

from fault_site import FaultSite

PROJECT = Path(__file__).resolve().parents[1]
DEMO_SOURCES = PROJECT / "fixtures" / "sources.demo.toml"


@pytest.fixture
def site_server() -> Iterator[FaultSite]:
    """The bundled fixture site, fixtures/site/, served on 127.0.0.1 (plus the fault routes)."""
    with FaultSite(DEFAULT_ROOT) as site:
        yield site


@pytest.fixture
def serve_site() -> Iterator[Callable[[Path], FaultSite]]:
    """Start a FaultSite on the given root; it is stopped when the test ends."""
    sites: list[FaultSite] = []

    def start(root: Path) -> FaultSite:
        sites.append(FaultSite(root).start())
        return sites[-1]

    yield start
    for site in sites:
        site.stop()


@pytest.fixture
def con(tmp_path):
    """A fresh, migrated warehouse connection (no publish step: for unit tests of warehouse code)."""
    connection = duckdb.connect(str(tmp_path / "unit.duckdb"))
    migrate(connection)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def extractor() -> FactExtractor:
    """One rule pipeline for the whole session (building it costs ~1 s)."""
    return FactExtractor()


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory, extractor) -> Path:
    """A warehouse loaded from the demo site once per session. Copy it before writing to it."""
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with DemoSite(DEFAULT_ROOT) as site:
        run_pipeline_once(demo_config(site), db, extractor)
    return db


def demo_config(site, extra: str = ""):
    text = DEMO_SOURCES.read_text() + extra
    return parse_sources(text.replace("{{base}}", site.base_url))


def quick_fetcher(config, validators):
    """Short timeouts and backoff so that fault tests stay bounded."""
    return Fetcher(timeout=1.0, retries=1, backoff_base=0.01, validators=validators,
                   trusted_urls=config.trusted_urls, allow_private_addresses=config.allow_private_addresses)


def run_pipeline_once(config, db_path, extractor, **options):
    """One run of the library pipeline (flows.pipeline, no Prefect, no report), fetching with
    short timeouts; returns its RunDetails."""
    return asyncio.run(pipeline.run_stages(config, db_path, extractor=extractor, fetcher_factory=quick_fetcher,
                                           **options))


@pytest.fixture(scope="session")
def prefect_harness():
    """Prefect's test harness (a temporary server), started once per session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):   # 30 s is short on a loaded machine
        yield
