"""as_of is the date the sentence gives for the figure, resolved against the article's date;
dates of something else (a start, a completion) do not date the figure."""
import pytest

from newsfacts.extractors.facts import extract_facts


@pytest.mark.parametrize("sentence, published, as_of", [
    # a start or a completion is not the figure's date: the article's date is
    ("Amazon poured up to $4 billion into Anthropic beginning in 2023.", "2026-06-03", "2026-06-03"),
    ("Amazon will invest $5 billion in Anthropic, with the first site online in 2026.", "2025-11-02", "2025-11-02"),
    # ... but a date the sentence gives for the deal still counts, even beside such a date
    ("The October 2025 deal gave Anthropic $5 billion from Amazon, with the site online in 2026.",
     "2026-01-10", "2025-10"),
    # the end of a year is its last month
    ("As of end-2024, Amazon had invested $4 billion in Anthropic.", "2025-06-01", "2024-12"),
    ("At the end of 2024, Amazon had invested $4 billion in Anthropic.", "2025-06-01", "2024-12"),
    # a bare month after "in" takes the article's year, or the year before if still to come
    ("In March, Amazon invested $4 billion in Anthropic.", "2026-06-01", "2026-03"),
    ("In September, Amazon invested $4 billion in Anthropic.", "2026-06-01", "2025-09"),
    ("In May, Amazon invested $4 billion in Anthropic.", "2026-06-01", "2026-05"),
])
def test_as_of_from_the_sentence_resolved_against_the_article_date(sentence, published, as_of):
    facts = extract_facts(sentence, published)
    assert [f.as_of for f in facts] == [as_of]
