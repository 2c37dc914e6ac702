"""Money, power and chip figures: every written form parses to the same normalised value."""
import pytest

from newsfacts.extractors.facts import Fact, extract_facts

B = 1e9


def only(text: str, published_at: str | None = "2025-06-01") -> Fact:
    facts = extract_facts(text, published_at)
    assert len(facts) == 1, facts
    return facts[0]


@pytest.mark.parametrize("written, value", [
    ("$8B", 8 * B),
    ("$8 billion", 8 * B),
    ("$1.25bn", 1.25 * B),
    ("USD 4 billion", 4 * B),
    ("US$4 billion", 4 * B),
    ("8 billion dollars", 8 * B),
    ("$750M", 750e6),
    ("$750 million", 750e6),
    ("two billion dollars", 2 * B),
])
def test_money_forms(written, value):
    fact = only(f"Amazon will invest {written} in Anthropic.")
    assert fact.unit == "USD"
    assert fact.value == pytest.approx(value)
    assert fact.metric == "investment"


def test_span_points_at_the_figure():
    text = "Amazon will invest $4 billion in Anthropic."
    fact = only(text)
    assert text[fact.span[0]:fact.span[1]] == "$4 billion"
    assert fact.to_dict()["span"] == [fact.span[0], fact.span[1]]


def test_tranche_with_article():
    fact = only("Amazon invested a $1.25 billion tranche in Anthropic in September 2023.")
    assert fact.value == pytest.approx(1.25 * B)


@pytest.mark.parametrize("written", ["$10–20B", "$10-20B", "$10 billion to $20 billion", "between $10 billion and $20 billion",
                                     "$10 billion–$20 billion", "$10-$20B"])
def test_money_ranges(written):
    fact = only(f"Anthropic is raising {written} in a round led by Coatue.".replace("is raising", "raised"))
    assert (fact.value, fact.value_max, fact.qualifier) == (10 * B, 20 * B, "range")


def test_euro_amount_with_dollar_equivalent_is_converted():
    fact = only("Mistral raised €1.7 billion ($2 billion) in a round led by ASML.")
    assert (fact.value, fact.currency, fact.amount) == (2 * B, "EUR", 1.7e9)


def test_euro_range_with_a_dollar_range_is_converted():
    fact = only("Vektorwerk signed a deal with Nscale worth €1.6 billion to €1.9 billion ($1.85 billion–$2.2 billion).")
    assert (fact.value, fact.value_max, fact.qualifier, fact.currency) == (1.85 * B, 2.2 * B, "range", "EUR")


@pytest.mark.parametrize("written", ["between 18,000 and 22,000 GPUs", "18,000-22,000 GPUs", "18,000 to 22,000 GPUs"])
def test_chip_count_ranges(written):
    fact = only(f"Aldermark AI will deploy {written} in Texas.")
    assert (fact.metric, fact.value, fact.value_max, fact.qualifier) == ("chips", 18000, 22000, "range")


def test_a_count_growing_from_one_number_to_another_is_the_last():
    fact = only("Aldermark AI will grow its fleet from 20,000 to 100,000 GPUs this year.")
    assert (fact.value, fact.value_max, fact.qualifier) == (100000, None, "exact")


def test_euro_amount_without_dollar_equivalent_is_no_fact():
    # the contract's value is a number: an amount with no dollar figure is never a record
    assert extract_facts("Mistral raised €600 million in a round led by General Catalyst.") == []


def test_a_per_unit_price_in_any_currency_is_no_fact():
    text = ("Nscale will host Vektorwerk's cluster in Narvik, where hydropower costs about €0.04 per "
            "kilowatt-hour, against $0.09 in Virginia; Vektorwerk raised €400 million ($460 million) in a round led "
            "by Nvidia.")
    assert [(f.currency, f.amount, f.value) for f in extract_facts(text)] == [("EUR", 400e6, 460e6)]


def test_pound_amount():
    fact = only("Nscale closed a £850 million ($1.1 billion) funding round led by Aker ASA.")
    assert (fact.value, fact.currency, fact.amount) == (pytest.approx(1.1 * B), "GBP", 850e6)


@pytest.mark.parametrize("written, watts", [
    ("1.5GW", 1.5e9),
    ("1.5 GW", 1.5e9),
    ("two gigawatts", 2e9),
    ("300 megawatts", 300e6),
    ("a 300-megawatt", 300e6),
    ("500 MW", 500e6),
])
def test_power_forms(written, watts):
    fact = only(f"Meta signed a deal with CoreWeave for {written} of capacity.")
    assert (fact.metric, fact.unit, fact.value) == ("power", "W", pytest.approx(watts))


@pytest.mark.parametrize("written, count, chip_type", [
    ("220,000 Nvidia GPUs", 220_000, "Nvidia GPU"),
    ("one million TPUs", 1e6, "TPU"),
    ("1 million TPUs", 1e6, "TPU"),
    ("half a million GPUs", 5e5, "GPU"),
    ("500K Trainium2 chips", 5e5, "Trainium2"),
    ("350,000 H100s", 350_000, "H100"),
])
def test_chip_counts(written, count, chip_type):
    fact = only(f"OpenAI will deploy {written} under the agreement with Oracle.")
    assert (fact.metric, fact.unit, fact.value, fact.chip_type) == ("chips", "count", count, chip_type)


def test_organisation_inside_a_chip_figure_is_not_a_party():
    fact = only("Anthropic will get 220,000 Nvidia GPUs from SpaceX.")
    assert (fact.subject, fact.counterparty) == ("Anthropic", "SpaceX")


def test_equity_stake_percent():
    fact = only("Microsoft holds a 27% stake in OpenAI.")
    assert (fact.metric, fact.unit, fact.value) == ("equity_stake", "percent", 27)
    assert (fact.subject, fact.counterparty) == ("OpenAI", "Microsoft")
