"""Small hostile sites for the fault suite, served by the tests' DemoSite (conftest.serve_site).

A site is a folder of files; `{{base}}` in them becomes the server's base URL. These helpers
only write the files: the server, its counters and fault routes are newsfacts.demo_site's.
"""

from __future__ import annotations

import asyncio
from html import escape
from pathlib import Path

from newsfacts.flows.config import parse_sources

from conftest import run_pipeline_once


def rss(*items: dict, title: str = "Fault feed") -> str:
    """RSS 2.0 with the given items: dicts of title, link, date (RFC 822), description; a key
    left out is left out of the XML. Values are inserted as they are (they may be hostile)."""
    parts = [f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>{title}</title>'
             "<link>{{base}}/</link><description>faults</description>"]
    for item in items:
        parts.append("<item>")
        for key, tag in (("title", "title"), ("link", "link"), ("date", "pubDate"),
                         ("description", "description")):
            if key in item:
                parts.append(f"<{tag}>{item[key]}</{tag}>")
        parts.append("</item>")
    parts.append("</channel></rss>\n")
    return "".join(parts)


def article(title: str, *paragraphs: str, head: str = "") -> str:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{escape(title)}</title>{head}"
            f"</head><body><article><h1>{escape(title)}</h1>{body}</article></body></html>")


DEAL = ("Acme Cloud will invest $2 billion in Borealis AI, the companies said on Monday. "
        "The investment is the largest in Borealis AI's history.")
FILLER = "The agreement covers data centres in three countries over the next five years."


def write_site(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def config_for(*sources: str, settings: str = "timeout = 2.0"):
    """A SourcesConfig from [[source]] bodies (TOML lines), with [settings]."""
    text = f"[settings]\n{settings}\n" + "".join(f"\n[[source]]\n{body}\n" for body in sources)
    return parse_sources(text)


def rss_source(name: str, url: str) -> str:
    return f'name = "{name}"\nkind = "rss"\nurl = "{url}"'


def run(config, db: Path, extractor):
    """One pipeline run without Prefect (conftest.run_pipeline_once), in one batch; returns what
    its stages returned: (feeds, pages, extracted, article load stats)."""
    outputs: dict = {}

    def recording(name, function):
        def stage(*args, **kwargs):
            result = function(*args, **kwargs)
            if asyncio.iscoroutine(result):
                async def awaited():
                    outputs[name] = await result
                    return outputs[name]
                return awaited()
            outputs[name] = result
            return result
        return stage

    run_pipeline_once(config, db, extractor, runner=recording)
    articles = outputs["load"][0] if "load" in outputs else None
    return outputs["fetch feeds"], outputs["fetch articles"], outputs["extract"], articles


def read_rows(db: Path, sql: str) -> list[tuple]:
    """What an analyst would read: the query's rows from the published warehouse."""
    from newsfacts.warehouse.db import open_reader

    con = open_reader(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def fetch_one(url: str, **options):
    from newsfacts.flows.http import Fetcher

    async def go():
        async with Fetcher(timeout=2.0, retries=0, backoff_base=0.01, **options) as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(go())
