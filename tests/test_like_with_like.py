"""Conflicts worth a reviewer's time: like compared with like, dates, suggestions, charts."""

from __future__ import annotations

import re
from datetime import date

import pytest
from review_docs import total_doc

from newsfacts.warehouse import conflicts
from newsfacts.warehouse.charts import Mark, chart_svg
from newsfacts.warehouse.db import open_reader
from newsfacts.warehouse.rules import measure_of, period_of

from test_warehouse_support import Doc, fact_in, load_docs

# --------------------------------------------------------------------------- measure kinds

@pytest.mark.parametrize("sentence, stored, measure", [
    ("By late 2025, AWS spend alone was running at ~$6.5B annualized.", None, "rate"),
    ("- End of 2025: ~$9B ARR", None, "rate"),
    ("Through September 2025, Anthropic spent approximately $2.66 billion on AWS.", None, "period"),
    ("more than $100 billion of spending on AWS technologies over 10 years.", None, "period"),
    ("Amazon has invested $8 billion in Anthropic across three tranches:", None, "total"),
    ("Total raised: ~$37 billion.", None, "total"),
    ("| Series A | May 2021 | $124M | — |", None, "increment"),
    ("The initial investment is $1.25 billion.", None, "increment"),
    ("| September 2023 | $1.25B |", None, None),                      # no cue, no kind
    ("Amazon has invested $8 billion in Anthropic.", "increment", "total"),   # a default refined
    ("Amazon added $2.75B in a new round.", "total", "total"),         # a stored total stands
    ("Nvidia shipped 5 GW in total.", None, None),                     # not money
])
def test_measure_kind_from_the_fact_or_its_sentence(sentence, stored, measure):
    unit = "W" if "GW" in sentence else "USD"
    assert measure_of(unit, sentence, stored) == measure


def test_a_periods_length_is_part_of_its_kind():
    assert period_of("period", "tied to $100 billion of spending over 10 years.") == "10 years"
    assert period_of("period", "revenue in the first nine months of 2025") == "9 months"
    assert period_of("period", "spent $2.66 billion through September 2025") is None
    assert period_of("total", "over 10 years") is None


def doc(url, sentence, figure, value, as_of, published="2025-12-01", publisher=None, **fact):
    return Doc(url, sentence, published, publisher or url.split("/")[2], "t",
               [fact_in(sentence, figure, value, as_of=as_of, **fact)])


def open_conflicts(con):
    return con.execute("SELECT class, status, reason FROM conflicts ORDER BY conflict_id").fetchall()


@pytest.mark.parametrize("docs", [
    # a total and a tranche
    [doc("https://a.example/1", "Amazon has invested $8 billion in Anthropic in total.", "$8 billion", 8e9, "2025-11"),
     doc("https://b.example/2", "Amazon's latest tranche was $2.75 billion.", "$2.75 billion", 2.75e9, "2025-11")],
    # a run-rate and nine months of revenue
    [doc("https://a.example/3", "Anthropic is at a $9B annualized revenue run-rate.", "$9B", 9e9, "2025-09",
         counterparty=None, metric="revenue"),
     doc("https://b.example/4", "Anthropic made $2.55 billion in the first nine months of 2025.", "$2.55 billion",
         2.55e9, "2025-09", counterparty=None, metric="revenue")],
    # a ten-year commitment and a month's spend
    [doc("https://a.example/5", "Anthropic will spend $100 billion on AWS over 10 years.", "$100 billion", 100e9,
         "2025-10", metric="spend"),
     doc("https://b.example/6", "Anthropic spent $0.4 billion on AWS over one month.", "$0.4 billion", 0.4e9,
         "2025-10", metric="spend")],
])
def test_unlike_measures_are_never_compared(con, docs):
    load_docs(con, "r1", docs)
    summary = conflicts.detect_conflicts(con, "r1")
    assert (summary.new, summary.open) == (0, 0)
    assert open_conflicts(con) == []


def test_figures_a_year_apart_are_a_series_in_date_order_not_a_contradiction(con):
    docs = [doc("https://a.example/1", "Anthropic reached ~$1B ARR.", "~$1B", 1e9, "2024-12",
                counterparty=None, metric="revenue", qualifier="approx"),
            doc("https://b.example/2", "Anthropic reached ~$9B ARR.", "~$9B", 9e9, "2025-12",
                counterparty=None, metric="revenue", qualifier="approx")]
    load_docs(con, "r1", docs)
    assert conflicts.detect_conflicts(con, "r1").open == 0
    assert open_conflicts(con) == [
        ("changed_over_time", "noted", "figures by date: about $1B (2024-12) → about $9B (2025-12)")]


def test_two_reports_of_one_moment_disagreeing_are_a_contradiction(con):
    docs = [doc("https://a.example/1", "Microsoft has invested $10 billion in OpenAI so far.", "$10 billion", 10e9,
                "2023-01", subject="OpenAI", counterparty="Microsoft"),
            doc("https://b.example/2", "Microsoft has invested $13 billion in OpenAI so far.", "$13 billion", 13e9,
                "2023-01", subject="OpenAI", counterparty="Microsoft")]
    load_docs(con, "r1", docs)
    assert conflicts.detect_conflicts(con, "r1").by_class == {"contradiction": 1}


def test_parts_in_one_sentence_and_tranches_at_different_dates_need_no_review(con):
    text = "Google made an initial $500M investment and an additional $1.5B commitment."
    listed = Doc("https://a.example/1", text, "2023-11-01", "A", "t",
                 [fact_in(text, "$500M", 0.5e9, as_of="2023", counterparty="Google"),
                  fact_in(text, "$1.5B", 1.5e9, as_of="2023", counterparty="Google")])
    later = doc("https://b.example/2", "Google added a further $1B tranche.", "$1B", 1e9, "2025-01",
                counterparty="Google")
    load_docs(con, "r1", [listed, later])
    assert conflicts.detect_conflicts(con, "r1").open == 0
    [(klass, status, reason)] = open_conflicts(con)
    assert (klass, status) == ("partial", "noted")


# --------------------------------------------------------------------------- suggestions

def suggestion_of(con):
    facts = conflicts.load_key_facts(con)
    [key] = [k for k, fs in facts.items() if conflicts.assess(fs) and conflicts.assess(fs).klass == "contradiction"]
    return conflicts.suggest(facts[key], conflicts.publisher_trust(con)), facts[key]


def value_of(facts, fact_id):
    return next(f.figure.value for f in facts if f.fact_id == fact_id)


def test_syndicated_copies_count_once_and_independent_sources_win(con):
    wire = total_doc(8e9, url="https://wire.example/a", publisher="Wire")
    copies = [total_doc(8e9, url=f"https://copy{i}.example/a", publisher=f"Copy {i}") for i in range(3)]
    for copy in copies:
        copy.story_of = wire.url
    others = [total_doc(10e9, url=f"https://other{i}.example/a", publisher=f"Other {i}") for i in range(2)]
    load_docs(con, "r1", [wire, *copies, *others])
    suggestion, facts = suggestion_of(con)
    assert value_of(facts, suggestion.fact_id) == 10e9   # two stories beat one story told four times
    assert suggestion.reason.startswith("2 independent sources (Other 0, Other 1)")


def test_the_newest_figure_wins_a_tie_and_a_total_that_fell_does_not(con):
    load_docs(con, "r1", [total_doc(8e9, as_of="2025-01", url="https://a.example/1", publisher="A"),
                          total_doc(9e9, as_of="2025-06", url="https://b.example/2", publisher="B")])
    conflicts.detect_conflicts(con, "r1")
    assert conflicts.load_key_facts(con) and not any(  # grew: a series, nothing to suggest
        r[1] == "open" for r in open_conflicts(con))
    load_docs(con, "r2", [total_doc(4e9, as_of="2025-09", url="https://c.example/3", publisher="C")])
    suggestion, facts = suggestion_of(con)
    assert value_of(facts, suggestion.fact_id) == 9e9
    assert "the higher total" in suggestion.reason


def test_publisher_trust_is_learnt_from_past_decisions(con):
    from newsfacts.warehouse.review import resolve

    # a past conflict: the reviewer kept Careful's value over Sloppy's
    load_docs(con, "p", [total_doc(5e9, url="https://careful.example/1", publisher="Careful"),
                         total_doc(3e9, url="https://sloppy.example/1", publisher="Sloppy")])
    conflicts.detect_conflicts(con, "p")
    [(conflict_id,)] = con.execute("SELECT conflict_id FROM conflicts WHERE status = 'open'").fetchall()
    careful = con.execute("SELECT fact_id FROM facts WHERE publisher = 'Careful'").fetchall()[0][0]
    resolve(con, conflict_id, accept_fact_id=careful, user="t")
    assert conflicts.publisher_trust(con) == {"Careful": (1, 1), "Sloppy": (0, 1)}
    # a new conflict between them elsewhere: one source each, Sloppy's the newer by a day;
    # Careful is suggested for its record
    text_c, text_s = "Meta has invested $2 billion in Scale so far.", "Meta has invested $1 billion in Scale so far."
    load_docs(con, "r1", [Doc("https://careful.example/new", text_c, "2025-05-01", "Careful", "t",
                              [fact_in(text_c, "$2 billion", 2e9, as_of="2025-05", subject="Scale", counterparty="Meta")]),
                          Doc("https://sloppy.example/new", text_s, "2025-05-02", "Sloppy", "t",
                              [fact_in(text_s, "$1 billion", 1e9, as_of="2025-05", subject="Scale", counterparty="Meta")])])
    conflicts.detect_conflicts(con, "r1")
    facts = conflicts.load_key_facts(con)
    [scale] = [fs for fs in facts.values() if fs[0].subject == "Scale"]
    suggestion = conflicts.suggest(scale, conflicts.publisher_trust(con))
    assert value_of(scale, suggestion.fact_id) == 2e9
    assert "Careful's values were accepted" in suggestion.reason


# --------------------------------------------------------------------------- charts

def test_a_chart_has_one_legend_entry_per_publisher_and_no_labels_on_points():
    marks = [Mark(f"Pub {i % 2}", date(2024, 1 + i, 1), date(2024, 1 + i, 1), (i + 1) * 1e9) for i in range(6)]
    svg = str(chart_svg(marks, "USD"))
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert texts.count("Pub 0") == 1 and texts.count("Pub 1") == 1     # in the legend only
    assert svg.count("<title>Pub 0</title>") == 4                        # legend and marks: on hover
    assert svg.count("<circle") == 6


def test_a_year_is_drawn_as_a_span_and_a_day_as_a_point():
    svg = str(chart_svg([Mark("A", date(2023, 1, 1), date(2023, 12, 31), 4e9),
                         Mark("B", date(2024, 11, 5), date(2024, 11, 5), 8e9)], "USD"))
    spans = [(float(a), float(b)) for a, b in re.findall(r'<line x1="([\d.]+)" x2="([\d.]+)" y1="[\d.]+" y2="[\d.]+" '
                                                         r'stroke="#[0-9A-F]+" stroke-width="3"', svg)]
    assert len(spans) == 1 and spans[0][1] - spans[0][0] > 100   # the year 2023, a third of the axis


def test_the_axis_turns_logarithmic_only_when_one_value_would_flatten_the_others():
    close = [Mark("A", date(2025, 1, 1), date(2025, 1, 1), v) for v in (2e9, 3e9, 4e9)]
    assert "log scale" not in str(chart_svg(close, "USD"))
    outlier = close + [Mark("B", date(2025, 2, 1), date(2025, 2, 1), 100e9)]
    svg = str(chart_svg(outlier, "USD"))
    assert "log scale" in svg
    ys = sorted(float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg))
    assert ys[-1] - ys[-2] > 10    # $2B and $3B stay apart instead of sitting on the axis


def test_chart_text_is_escaped():
    svg = str(chart_svg([Mark("<script>x</script>", date(2025, 1, 1), date(2025, 1, 1), 1e9,
                              title="<img src=x onerror=alert(1)>")], "USD", "<b>label</b>"))
    assert "<script" not in svg and "<img" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg


# --------------------------------------------------------------------------- the demo

def test_the_demo_top_card_is_a_real_disagreement(demo_warehouse):
    con = open_reader(demo_warehouse)
    rows = con.execute("SELECT conflict_id, class, status FROM conflicts WHERE status IN ('open', 'reopened')"
                       " ORDER BY severity DESC").fetchall()
    assert [(r[1], r[2]) for r in rows] == [("contradiction", "open")]
    values = con.execute("SELECT value, qualifier, publisher, measure FROM facts WHERE key_id = ? ORDER BY value",
                         [rows[0][0]]).fetchall()
    assert values == [(4e9, "up_to", "Founders Daily", "total"), (8e9, "exact", "Compute Atlas Newsroom", "total")]
    # nothing else is a contradiction: no total against a tranche, no run-rate against a period,
    # no pair a year apart
    measures = con.execute("""
        SELECT c.conflict_id, count(DISTINCT coalesce(f.measure::VARCHAR, '?')) FROM conflicts c
        JOIN facts f ON f.key_id = c.conflict_id GROUP BY ALL""").fetchall()
    assert all(n == 1 for _, n in measures)
    con.close()
