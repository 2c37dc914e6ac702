"""Who a figure belongs to, read from the sentence's structure.

Each organisation in the sentence gets a role from the words just before it:
  agent    the grammatical subject or possessor ("Amazon will invest", "OpenAI's $300B deal"),
           with a coordinated partner ("Anthropic and Amazon said …")
  target   after in / into ("… $4B in Anthropic")
  source   after by / from, or "led by" (lead)
  partner  after with / to / on / at / through / across / via / for
Only names in the figure's clause count when that clause names someone before the figure
("Meta … 5 GW, and Nebius … a 250 MW site"); "X and investment firm Y" is one coordinated pair.

The metric then decides which role is the subject and which the counterparty: an investment
belongs to the company receiving it, a compute deal to the customer buying compute. Who buys
is read from the words first (buy / rent / lease / take … from Y; supply / provide … to X;
"developing with Y" names a partner in a build), for unknown companies as well; only when
the words say nothing do the kinds of company decide, and the attribution then carries the
lower confidence KIND_GUESS.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from .components import CHIP_TOKENS, lower_words, token_columns
from .figures import DOC_TEXT
from .orgs import OrgLexicon

TARGET_PREPS = {"in", "into"}
SOURCE_PREPS = {"from", "by", "lead"}
PARTNER_PREPS = {"mod", "paid", "with", "to", "on", "at", "through", "across", "via", "for", "alongside", "including", "among", "between"}
PREPOSITIONS = TARGET_PREPS | SOURCE_PREPS | PARTNER_PREPS | {"of", "than", "like", "as", "over", "after", "before", "under"}
_WALK_STOPS = {",", ";", ":", "(", ")", "|", "—", "–", '"', "“", "”", "that", "which", "who", "and", "or", "but",
               "while", "whereas", "said", "says", "will", "has", "have", "had", "is", "was", "are", "were"}
_CLAUSE_BREAK = re.compile(r";|,\s+(?:and|but|while|whereas)\b", re.IGNORECASE)
_CONJUNCTIONS = {",", "and", "&", "+", "/", "or", "–", "—", "-"}
_DESCRIPTOR_WORDS = 3
_DEAL_NOUNS = {"deal", "deals", "agreement", "contract", "partnership", "pact", "tie-up", "arrangement"}
_LEAD_WORDS = {"led", "co-led", "anchored", "headed"}
RECEIVING_VERBS = {"raised", "raises", "raising", "received", "receives", "secured", "secures", "landed", "lands",
                   "got", "gets", "closed", "closes", "attracted", "won", "completed", "announced", "is", "was"}
PROVIDING_VERBS = {"gives", "give", "gave", "provides", "provide", "provided", "providing", "supplies", "supply",
                   "supplied", "offers", "offer", "delivers", "deliver", "rents", "leases", "sells", "sell", "sold",
                   "hosts", "host"}
INVESTING_VERBS = {"invests", "invested", "invest", "investing", "makes", "made", "puts", "put", "pours", "poured",
                   "injects", "injected", "adds", "added"}
# "SpaceX contributed $2 billion of the round": one investor's part of someone else's round
CONTRIBUTING_VERBS = INVESTING_VERBS | {"contributed", "contributes", "provided", "provides", "committed", "commits",
                                        "wrote", "writes"}
LEADING_VERBS = {"led", "leads", "co-led", "anchored", "headed"}
# verbs of the party that pays: "X will buy / rent / lease / take … (from Y)"
BUYING_VERBS = {"buy", "buys", "bought", "buying", "purchase", "purchases", "purchased", "purchasing", "rent",
                "renting", "rented", "lease", "leasing", "leased", "source", "sourcing", "sourced", "take", "takes",
                "took", "taking", "pay", "pays", "paid", "paying", "procure", "procures", "procured", "license",
                "licenses", "licensed", "contracted", "contracts", "reserved", "reserves", "booked", "books"}
_PAYING_VERBS = {"pay", "pays", "paid", "paying", "owe", "owes"}
_SOLD_NOUNS = {"capacity", "compute", "chips", "gpus", "servers", "power"}   # "… capacity from Y"
_BUYER_REACH = 6
_CO_DEVELOPING = {"developing", "develop", "develops", "developed", "building", "build", "builds", "built",
                  "jointly", "co-develop", "co-developing"}   # not "partnership with": deals say that too
KIND_GUESS = 0.8   # confidence of a direction read from company kinds alone
# words skipped when looking for the verb after a name ("Amazon has already invested")
_AUX = {"has", "have", "had", "will", "would", "is", "was", "also", "already", "just", "now", "said", "says",
        "it", "dramatically", "reportedly", "'s", "’s", "deal", "agreement", "partnership", "contract", "the", "new"}


@dataclass
class Mention:
    start: int
    end: int
    name: str
    prep: str | None = None
    group: int = -1          # index of the first mention of a coordinated list ("X, Y and Z")

    def verb_after(self, doc: Doc, limit: int = 4) -> str | None:
        """The first word after the mention that is not an auxiliary or filler."""
        for word in lower_words(doc)[self.end:self.end + limit]:
            if word not in _AUX:
                return word
        return None

    def possessive(self, doc: Doc) -> bool:
        return self.end < len(doc) and lower_words(doc)[self.end] in ("'s", "’s")

    def words_after(self, doc: Doc, limit: int = 4) -> set[str]:
        return set(lower_words(doc)[self.end:self.end + limit])


@dataclass
class Roles:
    agent: Mention | None = None
    co_agent: Mention | None = None
    targets: list[Mention] = field(default_factory=list)
    sources: list[Mention] = field(default_factory=list)
    leads: list[Mention] = field(default_factory=list)
    partners: list[Mention] = field(default_factory=list)
    others: list[Mention] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)

    def is_list(self, mention: Mention) -> bool:
        """Is the mention one of a coordinated list of different names ("AWS, Google and Azure")?"""
        return any(m.group == mention.group and m.name != mention.name for m in self.mentions)


def read_roles(doc: Doc, scope: Span, figure_start: int, figure_end: int, orgs: list[Span],
               inside_figures: set[int] = frozenset()) -> Roles:
    """The roles of the organisations in scope relative to the figure at [figure_start, figure_end)."""
    mentions = [Mention(o.start, o.end, o.label_) for o in orgs
                if scope.start <= o.start and o.end <= scope.end and o.start not in inside_figures
                and not _names_a_chip(doc, o.end) and not _names_a_model(doc, o.end)]
    mentions = _same_clause(doc, mentions, figure_start, figure_end)
    roles = Roles(mentions=mentions)
    words = lower_words(doc)
    previous: Mention | None = None
    for k, mention in enumerate(mentions):
        mention.group = k
        if previous is not None and _coordinated(doc, previous, mention):
            mention.prep, mention.group = previous.prep, previous.group
        else:
            mention.prep = _preposition_before(doc, mention.start, scope.start, figure_start, figure_end)
        following = words[mention.end] if mention.end < len(doc) else ""
        if mention.prep is None and mention.start > scope.start and words[mention.start - 1] in _PAYING_VERBS:
            mention.prep = "paid"  # "Cohere will pay Orlen Ridge $450 million": the one paid
        if mention.prep is None and following in _DEAL_NOUNS:
            mention.prep = "mod"  # "the SpaceX deal": the other party of the deal, not its agent
        elif mention.prep == "with" and following in ("leading", "co-leading"):
            mention.prep = "lead"  # "with Greenoaks leading"
        previous = mention
    before = [m for m in mentions if m.end <= figure_start]
    after = [m for m in mentions if m.start >= figure_end]
    candidates = [m for m in reversed(before) if m.prep is None and not _in_apposition(doc, m, before)]
    # a possessive far from the figure modifies some other noun ("… of Fluidstack's lease")
    direct = [m for m in candidates if not (m.possessive(doc) and figure_start - m.end > 3)]
    if candidates:
        mention = (direct or candidates)[0]
        group = [m for m in before if m.group == mention.group and m.prep is None]
        roles.agent = group[0]
        if len(group) > 1:
            roles.co_agent = group[1]
    for mention in before[::-1] + after:  # nearest before first, then after
        if mention.prep in TARGET_PREPS:
            roles.targets.append(mention)
        elif mention.prep == "lead":
            roles.leads.append(mention)
        elif mention.prep in SOURCE_PREPS:
            roles.sources.append(mention)
        elif mention.prep in PARTNER_PREPS:
            roles.partners.append(mention)
        elif mention not in (roles.agent, roles.co_agent):
            roles.others.append(mention)
    # "the 14% of Anthropic", "$100B of Anthropic spending": 'of' names the owner
    if roles.agent is None:
        owner = next((m for m in after + before[::-1] if m.prep == "of"), None) \
            or next((m for m in after if m.prep is None), None)
        if owner is not None:
            roles.agent = owner
            if owner in roles.others:
                roles.others.remove(owner)
    roles.targets.sort(key=lambda m: (m.start < figure_start, abs(m.start - figure_start)))
    roles.partners.sort(key=lambda m: m.start - figure_end if m.start >= figure_end else figure_start - m.end)
    return roles


def _same_clause(doc: Doc, mentions: list[Mention], figure_start: int, figure_end: int) -> list[Mention]:
    """"Meta said its campus would reach 5 GW, and Nebius said it had secured a 250 MW site":
    a name across ", and" / ";" belongs to another clause's figure, when the figure's own
    clause names someone before it. Read on the characters: walking tokens was slow."""
    if len(mentions) < 2 or figure_start >= figure_end:
        return mentions
    text = doc._.get(DOC_TEXT) or doc.text
    columns = token_columns(doc)
    idx, length = columns.idx, columns.length
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(text, int(idx[mentions[0].end - 1]),
                                                         int(idx[mentions[-1].start]) + 1)]
    if not breaks:
        return mentions
    fig_from, fig_to = int(idx[figure_start]), int(idx[figure_end - 1] + length[figure_end - 1])

    def crosses(a: int, b: int) -> bool:
        k = bisect_left(breaks, a)
        return k < len(breaks) and breaks[k] < b

    inside = [m for m in mentions
              if not (crosses(int(idx[m.end - 1]), fig_from) if m.end <= figure_start
                      else crosses(fig_to, int(idx[m.start])))]
    if not any(m.end <= figure_start for m in inside):
        return mentions
    return inside


def _in_apposition(doc: Doc, mention: Mention, before: list[Mention]) -> bool:
    """"Crusoe, the developer building OpenAI's site, has raised …": OpenAI is inside the aside."""
    for head in before:
        if head.end >= mention.start or head.end >= len(doc) or doc[head.end].text != ",":
            continue
        inside = doc[head.end + 1:mention.start]
        if any(t.text == "," for t in inside) or len(inside) > 8:
            continue
        tail = doc[mention.end:min(mention.end + 12, len(doc))]
        if any(t.text == "," for t in tail):
            return True
    return False


def _names_a_chip(doc: Doc, end: int) -> bool:
    """"Nvidia GB300 chips", "AMD's MI450 chips": the maker of a chip is not a party to the deal."""
    chips = doc._.get(CHIP_TOKENS) or []
    k = bisect_left(chips, end)
    if not (k < len(chips) and chips[k] < end + 3):
        return False
    # only names and model numbers stand between a maker and its chips ("Nebius said its GPU …" is no chip name)
    return all(t.text in ("'s", "’s") or t.text[:1].isupper() or t.text[:1].isdigit() for t in doc[end:chips[k]])


def is_model_number(text: str) -> bool:
    """"A321neo", "SGT-800", "GB300": letters and digits, as a product's model is written."""
    return any(c.isdigit() for c in text) and any(c.isalpha() for c in text) and text[:1].isalnum()


def _names_a_model(doc: Doc, end: int) -> bool:
    """"60 Airbus A321neo jets": a maker before a model number names a product, not a party."""
    return end < len(doc) and is_model_number(doc[end].text)


def _coordinated(doc: Doc, left: Mention, right: Mention) -> bool:
    if not 0 < right.start - left.end <= 2 + _DESCRIPTOR_WORDS:
        return False
    between = [doc[i].text for i in range(left.end, right.start)]
    if all(w in _CONJUNCTIONS for w in between):
        return True
    # "Crusoe and investment firm Blue Owl": a conjunction, then a short lower-case descriptor
    return between[0] in ("and", "&") and all(_descriptor(w) for w in between[1:])


def _descriptor(word: str) -> bool:
    return word.isalpha() and word.islower() and word not in PREPOSITIONS and word not in _WALK_STOPS \
        and not word.endswith("ed")


def _preposition_before(doc: Doc, start: int, lower: int, fig_start: int, fig_end: int) -> str | None:
    words = lower_words(doc)
    if start + 1 < len(doc) and words[start + 1] in ("'s", "’s"):
        return None  # a possessor is an agent wherever it stands: "builds on CoreWeave's contract"
    j = start - 1
    for _ in range(7):
        if j < lower or fig_start <= j < fig_end:
            return None
        low = words[j]
        if low == "by" and j - 1 >= lower and words[j - 1] in _LEAD_WORDS:
            return "lead"
        if low in PREPOSITIONS:
            return low
        if low in _WALK_STOPS or (not low[:1].isalnum() and low not in ("-", "*", "**", "'s", "’s")
                                  and doc[j].is_punct):
            return None
        j -= 1
    return None


@dataclass(frozen=True)
class Attribution:
    subject: str | None
    counterparty: str | None
    confidence: float


def attribute(metric: str, roles: Roles, doc: Doc, doc_main: str | None, lexicon: OrgLexicon,
              runner_up: str | None = None) -> Attribution:
    """runner_up: the document's second most mentioned company, the one an investor the
    article is mostly about invests in ("Amazon makes an initial $500 million investment")."""
    if metric in ("investment", "equity_stake"):
        subject, cp = _investment(roles, doc, doc_main, runner_up)
    elif metric == "funding_round":
        subject, cp = _funding(roles, doc, doc_main)
    elif metric in ("valuation", "revenue"):
        owner = (roles.targets[0] if roles.targets and metric == "valuation" else None) or roles.agent
        subject, cp = (owner.name if owner else doc_main), None
    guessed = False
    if metric not in ("investment", "equity_stake", "funding_round", "valuation", "revenue"):
        subject, cp, guessed = _deal(metric, roles, doc, doc_main, lexicon)
    if cp == subject:
        cp = None
    confidence = 1.0 if roles.mentions else 0.6
    if guessed and cp is not None:
        confidence = KIND_GUESS   # the direction came from the companies' kinds, not the words
    if subject is None:
        return Attribution(None, None, 0.0)
    return Attribution(subject, cp, confidence)


def _name(mention: Mention | None) -> str | None:
    return mention.name if mention else None


def _investment(roles: Roles, doc: Doc, doc_main: str | None,
                runner_up: str | None = None) -> tuple[str | None, str | None]:
    investor = roles.agent or (roles.leads or roles.sources or [None])[0]
    if roles.targets:
        target = roles.targets[0]
        if investor is None or investor.name == target.name:
            investor = next((m for m in roles.sources + roles.leads + roles.others if m.name != target.name), None)
        return target.name, _name(investor) if not (investor and roles.is_list(investor)) else None
    if roles.sources or roles.leads:
        giver = (roles.leads or roles.sources)[0]
        receiver = roles.agent.name if roles.agent and roles.agent.name != giver.name else doc_main
        return receiver, None if roles.is_list(giver) else giver.name
    owned = next((m for m in roles.others if m.prep == "of"), None)
    if roles.agent is not None and owned is not None and owned.name != roles.agent.name:
        return owned.name, roles.agent.name  # "Nvidia owns about 6% of CoreWeave"
    if roles.agent is not None and roles.partners and roles.partners[0].name != roles.agent.name:
        return roles.partners[0].name, roles.agent.name
    if roles.agent is not None:
        if roles.agent.verb_after(doc) in RECEIVING_VERBS:
            return roles.agent.name, None
        if doc_main and doc_main != roles.agent.name:
            return doc_main, roles.agent.name
        if runner_up and runner_up != roles.agent.name and roles.agent.verb_after(doc) in INVESTING_VERBS:
            return runner_up, roles.agent.name
        return roles.agent.name, None
    return doc_main, None


def _funding(roles: Roles, doc: Doc, doc_main: str | None) -> tuple[str | None, str | None]:
    agent = roles.agent
    if agent and agent.verb_after(doc) in LEADING_VERBS:
        raiser = roles.targets[0].name if roles.targets else doc_main
        return raiser, agent.name
    raiser = _name(agent) or _name(roles.targets[0] if roles.targets else None) or doc_main
    lead = roles.leads[0] if roles.leads else None
    return raiser, _name(lead)


def _deal(metric: str, roles: Roles, doc: Doc, doc_main: str | None,
          lexicon: OrgLexicon) -> tuple[str | None, str | None, bool]:
    """Customer and provider of a deal, and whether only the companies' kinds decided it."""
    subject = roles.agent
    others = [m for m in ([roles.co_agent] if roles.co_agent else []) + roles.partners + roles.targets
              + roles.sources + roles.leads + roles.others if subject is None or m.name != subject.name]
    other = others[0] if others else None
    cp = None if other is None or (other is not roles.co_agent and roles.is_list(other)) else other.name
    if subject is None:
        supplied = _supplied_to_by(roles, doc)
        if supplied is not None:
            return supplied[0], supplied[1], False
        if cp is not None and doc_main and metric != "infrastructure" \
                and lexicon.seller_rank(doc_main, metric) > lexicon.seller_rank(cp, metric):
            return cp, doc_main, True   # "Signed a $2.1 billion contract with xAI" in a neocloud's report: xAI buys
        return doc_main, cp if cp != doc_main else None, False
    beneficiary = next((m for m in roles.partners if m.prep == "for" and m.name != subject.name), None)
    if beneficiary is not None:
        return beneficiary.name, subject.name, False  # "Fluidstack is building data centers for Anthropic"
    if metric == "infrastructure" or _co_developer(other if cp else None, doc):
        return subject.name, cp, False  # "a campus it is developing with Tallgrass": the agent builds
    buys, seller = _buying(subject, roles, doc)
    if seller is not None:
        return subject.name, seller.name, False  # "G42 will buy $1.3B of capacity from Cerebras"
    if buys:
        return subject.name, cp, False  # "Nscale will lease all 60 MW at Halvorsen Data's site"
    provides = bool(subject.words_after(doc, 3) & PROVIDING_VERBS)
    if cp is not None and (provides or lexicon.seller_rank(subject.name, metric) > lexicon.seller_rank(cp, metric)):
        return cp, subject.name, not provides
    # "AWS spend", "Oracle signed a $300B deal": the customer is the one the story is about
    sells = provides or (metric in ("compute_deal", "spend") and lexicon.is_provider(subject.name))
    if cp is None and sells and doc_main and not lexicon.is_provider(doc_main):
        return doc_main, subject.name, not provides
    return subject.name, cp, True


def _supplied_to_by(roles: Roles, doc: Doc) -> tuple[str, str] | None:
    """"22,000 GPUs are to be supplied to the robotics company by CoreWeave": in the passive,
    the party after "to" receives and the one after "by" provides."""
    to = next((m for m in roles.partners if m.prep == "to"), None)
    by = next((m for m in roles.sources if m.prep == "by"), None)
    if to is None or by is None or to.name == by.name:
        return None
    if not set(lower_words(doc)[max(to.start - 4, 0):to.start]) & PROVIDING_VERBS:
        return None
    return to.name, by.name


def _buying(subject: Mention, roles: Roles, doc: Doc) -> tuple[bool, Mention | None]:
    """Is the agent the buyer (a buying verb follows it), and who sells (a "from" party after it)?

    The verb and the preposition decide, whatever kind of company each side is, so the rule
    holds for companies the lexicon does not know."""
    words = lower_words(doc)
    following = set(words[subject.end:subject.end + _BUYER_REACH])
    buys = bool(following & BUYING_VERBS) and not any(m.prep == "to" and m.start > subject.end for m in roles.partners)
    seller = next((m for m in roles.sources if m.prep == "from" and m.start > subject.end and m.name != subject.name
                   and any(w in BUYING_VERBS or w in _SOLD_NOUNS for w in words[subject.end:m.start])),
                  None) or next((m for m in roles.partners if m.prep == "paid" and m.name != subject.name), None)
    return buys, seller


def _co_developer(partner: Mention | None, doc: Doc) -> bool:
    """"… which it is developing with Tallgrass", "Crusoe and Blue Owl … will develop": a
    partner in the build, not a seller, whatever kind of company it is."""
    if partner is None:
        return False
    if partner.prep == "with":
        return bool(set(lower_words(doc)[max(partner.start - 4, 0):partner.start]) & _CO_DEVELOPING)
    return partner.prep is None and bool(partner.words_after(doc, 8) & _CO_DEVELOPING)
