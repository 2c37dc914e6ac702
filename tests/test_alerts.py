"""Alerts: new conflicts and new large facts, sent through a Prefect notification block."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from review_docs import review_docs

from newsfacts.flows.config import ConfigError, parse_sources
from newsfacts.resources import DEMO_SOURCES
from newsfacts.warehouse import conflicts
from newsfacts.warehouse.report import alert_text

from test_warehouse_support import load_docs


def test_the_alert_names_new_conflicts_with_their_suggestion_and_large_new_facts(con):
    load_docs(con, "r1", review_docs())
    found = conflicts.detect_conflicts(con, "r1")
    subject, body = alert_text(con, "r1", found.new_ids, min_usd=5e9)
    assert subject == "newsfacts: 1 new conflict(s), 1 new large fact(s)"
    assert "- Anthropic – Amazon: investment, total (USD): $4B, $8B (contradiction, id " in body   # in date order
    assert "accept: newsfacts resolve " in body
    assert "- Anthropic – Amazon: investment $8B (as of 2024-11; Research Notes)" in body
    assert "$2.75B (as of" not in body                  # under the configured size
    again = conflicts.detect_conflicts(con, "r2")
    assert alert_text(con, "r2", again.new_ids) is None  # nothing new: no alert


def test_alert_settings_are_checked():
    base = DEMO_SOURCES.read_text().replace("{{base}}", "http://127.0.0.1:1")
    config = parse_sources(base.replace("[settings]", '[settings]\nalert_block = "custom-webhook/x"\n'
                                                      "alert_min_usd = 5e8"))
    assert (config.alert_block, config.alert_min_usd, config.alert_min_watts) == ("custom-webhook/x", 5e8, 1e9)
    for bad in ('alert_block = "no-slash"', "alert_min_usd = -1", 'alert_min_watts = "big"'):
        with pytest.raises(ConfigError, match="alert_"):
            parse_sources(base.replace("[settings]", f"[settings]\n{bad}"))


class _Hook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length", 0))
        self.received.append(json.loads(self.rfile.read(length) or b"{}"))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    _Hook.received = []
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", _Hook.received
    server.shutdown()
    server.server_close()


@pytest.mark.prefect
def test_a_run_alerts_the_reviewer_through_a_webhook_block(prefect_harness, site_server, webhook, tmp_path):
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    from newsfacts.flows.config import load_sources
    from newsfacts.flows.pipeline import run_once

    url, received = webhook
    CustomWebhookNotificationBlock(name="newsfacts", url=url, timeout=5,
                                   json_data={"subject": "{{subject}}", "body": "{{body}}"}
                                   ).save("newsfacts-alerts", overwrite=True)
    sources = tmp_path / "sources.toml"
    sources.write_text(DEMO_SOURCES.read_text().replace(
        "[settings]", '[settings]\nalert_block = "custom-webhook/newsfacts-alerts"\nalert_min_usd = 50e9\n'))
    config = load_sources(sources, substitutions={"base": site_server.base_url})
    run_once(config, tmp_path / "w.duckdb")
    [message] = received
    assert message["subject"].startswith("newsfacts: 1 new conflict(s)")
    assert "Anthropic – Amazon: investment, total (USD): $8B, up to $4B (contradiction" in message["body"]
    assert "more than $100B" in message["body"]          # the one new fact above $50B
    run_once(config, tmp_path / "w.duckdb")
    assert len(received) == 1                            # a second run has nothing new to say
