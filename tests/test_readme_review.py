"""The README's review examples run on the demo as written."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from click.testing import CliRunner

from newsfacts.cli import DEFAULT_DEMO_PORT, cli
from newsfacts.warehouse import ids
from newsfacts.warehouse.db import open_reader

README = Path(__file__).resolve().parents[1] / "README.md"


def review_commands() -> list[list[str]]:
    section = README.read_text(encoding="utf-8").split("## Reviewing conflicts", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    commands = []
    for line in block.splitlines():
        words = re.findall(r'"[^"]*"|\S+', line.split("  #")[0])
        if words and words[0] == "newsfacts":
            commands.append([w.strip('"') for w in words[1:]])
    return commands


def ids_as_in_the_readme(db) -> dict[str, str]:
    """README id → this warehouse's id. `newsfacts run --demo` serves the site on port
    DEFAULT_DEMO_PORT; a fact id hashes its article's URL, so ids of a demo served on another
    port are mapped by recomputing them with the default port (conflict ids hold no URL)."""
    con = open_reader(db)
    rows = con.execute("SELECT f.fact_id, a.canonical_url, f.metric, f.subject, f.counterparty, f.unit,"
                       " f.value, f.span_start, f.span_end FROM fact_rows f JOIN article_rows a USING (article_id)"
                       " WHERE f.value IS NOT NULL").fetchall()
    con.close()
    mapping = {}
    for fact_id, url, metric, subject, counterparty, unit, value, start, end in rows:
        port = urlsplit(url).port
        readme_url = url.replace(f"127.0.0.1:{port}", f"127.0.0.1:{DEFAULT_DEMO_PORT}")
        readme_id = ids.fact_id(ids.article_id(readme_url), metric, subject, counterparty, unit, value,
                                (start, end))
        mapping[readme_id] = fact_id
    return mapping


def test_the_readme_review_examples_work_on_the_demo(demo_warehouse, tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    shutil.copy(demo_warehouse, db)
    mapping = ids_as_in_the_readme(db)
    commands = review_commands()
    assert [c[0] for c in commands] == ["review", "resolve", "resolve", "resolve", "report"]
    accept = commands[1]
    assert accept[accept.index("--accept") + 1] in mapping, "the README's fact id is not in the demo"
    monkeypatch.chdir(tmp_path)
    for command in commands:
        args = [mapping.get(word, word) for word in command] + ["--db", str(db)]
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, (command, result.output)
        if command[0] == "review":   # the README's ids are the ones review shows on the demo
            assert accept[1] in result.output
            assert mapping[accept[accept.index("--accept") + 1]] in result.output
        if "--dismiss" in command:
            assert result.output.strip() == f"{command[1]}: dismissed"
    assert (tmp_path / "conflicts.html").is_file()
