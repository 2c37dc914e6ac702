"""Roles read from dependency structure (patterns/roles.jsonl) with the shipped syntax model."""
import pytest

from newsfacts.extractors.facts import extract_facts
from newsfacts.extractors.facts.components import FIGURE_SPANS
from newsfacts.extractors.facts.dependency import frames, metric_roles
from newsfacts.extractors.facts.extractor import shared_extractor
from newsfacts.extractors.facts.parties import parse_of, parties, party_name
from newsfacts.extractors.facts.syntax import PARSES, load_model, model_path

pytestmark = pytest.mark.skipif(load_model(str(model_path())) is None, reason="no syntax model in the package")

FRAMES = [frame["id"] for frame in frames()[0]]


def _frame(frame_id):
    return next(f for f in frames()[0] if f["id"] == frame_id)


@pytest.mark.parametrize("frame_id", FRAMES)
def test_each_role_frame_reads_its_example(frame_id):
    """Every frame of patterns/roles.jsonl matches its own example sentence with the shipped
    model, on the party it names, and the metric's roles then give the expected parties."""
    from newsfacts.extractors.facts.figures import parse_figure
    from newsfacts.extractors.facts.registry import default_registry
    frame = _frame(frame_id)
    expect = frame["expect"]
    doc = shared_extractor().nlp(frame["example"])
    units = default_registry().get(expect["metric"]).units
    figure = next(span for span in doc.spans[FIGURE_SPANS] if parse_figure(span).unit in units)
    parse = parse_of(doc, figure.start)
    fired = {party_name(parse, m.party, doc) for m in parse.matches
             if m.frame == frame_id and parse.figures.get(m.figure) == figure.start}
    expected_party = {expect["subject"], expect["counterparty"]} - {None}
    assert fired & expected_party, (frame_id, fired)
    read = parties(doc, figure.start, expect["metric"], parse_figure(figure).unit)
    assert (read.subject if expect["subject"] else None, read.counterparty if expect["counterparty"] else None) \
        == (expect["subject"], expect["counterparty"])


def test_every_metric_of_the_registry_is_read_and_every_frame_has_an_expectation():
    from newsfacts.extractors.facts.registry import RegistryError, default_registry
    registry = default_registry()
    for metric in registry.names:
        for unit in registry.get(metric).units:
            subject, _ = metric_roles(metric, unit)
            assert subject
    for frame in frames()[0]:
        assert frame["expect"]["metric"] in registry.names
    with pytest.raises(RegistryError):
        metric_roles("employee_headcount")


def _pair(text, metric):
    return [(f.subject, f.counterparty) for f in extract_facts(text) if f.metric == metric]


def test_figure_headed_noun_phrase_keeps_direction():
    text = "Amazon's $4 billion investment in Anthropic was its largest bet."
    assert _pair(text, "investment") == [("Anthropic", "Amazon")]


def test_gapping_gives_each_investor_its_figure():
    text = ("In Copenhagen, antibody developer Pellion Therapeutics said Sofinnova Partners will invest up to "
            "$40 million in the company and Novo Holdings up to $25 million.")
    facts = {f.value: (f.subject, f.counterparty) for f in extract_facts(text) if f.metric == "investment"}
    assert facts[40e6] == ("Pellion Therapeutics", "Sofinnova Partners")
    assert facts[25e6] == ("Pellion Therapeutics", "Novo Holdings")


def test_passive_buyer_is_the_investor():
    text = "A 35% stake in Danish enzyme maker Enzora was bought by Novo Holdings for $640 million."
    assert _pair(text, "investment") == [("Enzora", "Novo Holdings")]


def test_money_paid_for_a_company_keeps_the_payer_as_buyer():
    text = "Novartis paid $3.1 billion for Corvane Bio, the companies said."
    assert [(f.subject, f.counterparty) for f in extract_facts(text)] == [("Novartis", "Corvane Bio")]


def test_respectively_pairs_kth_company_with_kth_figure():
    text = ("In Spain, developer Helios Grid said Microsoft and Google would take 300 MW and 180 MW, respectively, "
            "from its Extremadura solar complex under long-term contracts signed in February.")
    facts = {f.value: f.subject for f in extract_facts(text) if f.metric == "power"}
    assert facts == {300e6: "Microsoft", 180e6: "Google"}


def test_unknown_company_found_from_its_role_in_article_casing():
    from newsfacts.extractors.facts.orgs import default_lexicon
    assert "Kestrel Home" not in {e.name for e in default_lexicon().entries}
    facts = extract_facts("Kestrel Home reported revenue of $412 million for the quarter.")
    assert [(f.metric, f.subject) for f in facts] == [("revenue", "Kestrel Home")]


def test_dateline_and_hyphenated_fragments_are_no_companies():
    text = "LONDON, 25 September 2025 - T-Mobile won 1,210 licences for $3.3 billion, the results showed."
    names = {name for f in extract_facts(text) for name in (f.subject, f.counterparty) if name}
    assert "LONDON" not in names and "Mobile" not in names


def test_a_list_of_subjects_with_respectively_where_no_frame_fits():
    text = ("Microsoft, Alphabet and Amazon reported capital expenditures of $41.2 billion, $36.8 billion and "
            "$44.5 billion, respectively, for the quarter ended December 31.")
    subjects = {f.value: f.subject for f in extract_facts(text)}
    assert subjects == {41.2e9: "Microsoft", 36.8e9: "Google", 44.5e9: "Amazon"}


def test_a_gapped_figure_takes_its_own_preposition():
    text = ("Aurelia AI said it agreed to buy $5 billion of cloud capacity from Oracle and $2.5 billion from "
            "CoreWeave, with both contracts starting this year.")
    pairs = {f.value: (f.subject, f.counterparty) for f in extract_facts(text)}
    assert pairs == {5e9: ("Aurelia AI", "Oracle"), 2.5e9: ("Aurelia AI", "CoreWeave")}


def test_a_wire_dateline_is_no_part_of_the_parsed_sentence():
    text = ("SINGAPORE, March 3 (Harbour Wire) - Oracle, Meta and Amazon reported capital expenditures of "
            "$12.1 billion, $18.4 billion and $30.2 billion, respectively, for the quarter.")
    parse = next(iter(shared_extractor().nlp(text)._.get(PARSES).values()))
    assert parse.doc[0].text == "Oracle"
    # "Meta" is read as coordinated with the names around it, however the parser labels it
    subjects = {f.value: f.subject for f in extract_facts(text)}
    assert subjects == {12.1e9: "Oracle", 18.4e9: "Meta", 30.2e9: "Amazon"}


def test_a_sentence_is_parsed_as_one_tree():
    doc = shared_extractor().nlp("Kestrel Labs spent $610 million on Nvidia GPUs last year.")
    parse = next(iter(doc._.get(PARSES).values()))
    assert [t.text for t in parse.doc if t.dep_ == "ROOT"] == ["spent"]


def test_a_company_inside_another_clause_is_not_the_figures_counterparty():
    text = ("Nscale will deploy 20,000 Nvidia GPUs at a site in Norway, where it has contracted 100 megawatts "
            "of power from Statkraft.")
    pairs = {f.metric: (f.subject, f.counterparty) for f in extract_facts(text)}
    assert pairs["chips"] == ("Nscale", "NVIDIA")          # the maker, not the power supplier
    assert pairs["power"] == ("Nscale", "Statkraft")


def test_the_lead_of_a_round_in_a_participle_clause_stays():
    text = "Vektorwerk raised $465 million in a Series A led by General Catalyst, at a post-money valuation."
    assert _pair(text, "funding_round") == [("Vektorwerk", "General Catalyst")]


def test_a_verbs_frame_does_not_read_the_noun_a_figure_modifies():
    """"a $2.6 billion contract with Meta": "contract" is the noun here, and its "with" names no
    seller (the buy frames' "with" is the verb's: "bought capacity with Oracle")."""
    doc = shared_extractor().nlp("In November, Orison signed a $2.6 billion contract with Meta to provide GPU capacity.")
    parse = next(iter(doc._.get(PARSES).values()))
    assert not [m for m in parse.matches if m.frame.startswith("buy-")]
