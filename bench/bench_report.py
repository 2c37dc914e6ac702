"""How long the conflict report takes with many conflicts, and its charts per chart.

    python bench/bench_report.py [N]      # N contradicting keys (default 1000)

Loads N keys, each with four values from four publishers (two of them a year apart), detects
conflicts and renders the HTML report; prints the time per chart and the whole render. The
charts are written as SVG text directly (warehouse/charts.py): no plotting library.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from newsfacts.warehouse import conflicts, load
from newsfacts.warehouse.db import open_writer
from newsfacts.warehouse.report import chart_svg, collect, render_report


def records_and_facts(n: int):
    records, facts = [], {}
    for i in range(n):
        for j, (value, as_of) in enumerate(((8e9, "2024-11"), (6e9, "2024-11"), (4e9, "2023"), (120e9, "2024-11"))):
            url = f"https://pub{j}.example/{i}"
            text = f"Company{i} has invested ${value / 1e9:g} billion in Lab{i} in total."
            records.append({"url": url, "canonical_url": url, "source": "bench", "publisher": f"Publisher {j}",
                            "title": f"Lab{i}", "text": text, "published_at": "2024-11-20T00:00:00",
                            "content_hash": f"{i}-{j}", "signature": [i * 10 + j]})
            facts[url] = [{"subject": f"Lab{i}", "counterparty": f"Company{i}", "metric": "investment",
                           "value": value, "unit": "USD", "qualifier": "exact", "as_of": as_of,
                           "sentence": text, "span": (22, 30)}]
    return records, facts


def main(n: int = 1000) -> None:
    with tempfile.TemporaryDirectory() as folder, open_writer(Path(folder) / "bench.duckdb") as con:
        run_id = load.start_run(con)
        records, facts = records_and_facts(n)
        stats = load.load_articles(con, run_id, records)   # each article its own story
        load.replace_facts(con, {stats.article_ids[url]: fs for url, fs in facts.items()}, "bench", run_id=run_id)
        conflicts.detect_conflicts(con, run_id)
        data = collect(con)
        started = time.perf_counter()
        for conflict in data.conflicts:
            chart_svg(conflict)
        per_chart = (time.perf_counter() - started) / max(len(data.conflicts), 1)
        started = time.perf_counter()
        html = render_report(con, "html")
        whole = time.perf_counter() - started
    print(f"{len(data.conflicts)} conflicts to review; chart {per_chart * 1000:.2f} ms each; "
          f"HTML report {whole:.2f} s ({len(html) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
