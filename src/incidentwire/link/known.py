"""The incidents the linker knows: each as a ``Candidate`` (its reports, reconciled fields and
words), held all in memory or read from the store and cached; and the block index in memory.

To be scored, a stored incident is read from its *card* (``card_of``: the fields scoring reads,
its linking date, and per report the article, role, outlet, topic, publication date and words;
a few KB of JSON in ``link_cards``, store/link_index.py). Reading the incident's mentions with
every claim and evidence quote (~25 KB a report) and reconciling them was the ingesting
process's largest cost once the store outgrew the cache: ~40% of its CPU on a 10k-article
store, and growing with the store, since more of the candidates were read back. Only the
incident a mention joins (or a merge takes) is read in full.

Reading cards still made the ingesting process's time per article grow with the store until
~18k articles (5 -> 12 ms, then flat: by then nearly every candidate was a card read again).
Three things cut it, the database unchanged (same fingerprint after a 22k-article run): the
name conflict is judged only where it counts (rules.words_decide), a mention's card reports
are weighed in one batch (vectors.TermSpace.weigh_cards), and the cache holds cards under a
budget of their own (``CachedIncidents``). Driver-only replay of 22k synthetic articles
(workers' output recorded), CPU ms per article by 1,000-article block, two runs each, load
1.1-3: 0-10k stored 6.9 / 7.5 -> 5.9 / 6.6, 14k-21k stored 12.2 / 12.9 -> 7.5 / 8.3 (9.8
with the first two alone); peak RSS 393 -> 544 MB at 22k, the cards' budget (bounded: it
does not grow past ~20k stored). Past that budget (a 100k store holds ~100k reports) most
candidates are read again, at about the cost without it.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..errors import StoreError
from ..reconcile import reconcile
from ..records import Mention
from .rules import linking_date
from .vectors import PackedTerms
from .words import mention_terms, report_year


@dataclass
class Candidate:
    """A known incident as the linker sees it: its mentions, fields and words."""

    incident_id: str
    mentions: list[Mention] = field(default_factory=list)
    fields: dict = field(default_factory=dict)
    terms: list[Counter] = field(default_factory=list)
    date: dict | None = None     # linking_date of the fields
    light: bool = False          # read from its card: ``mentions`` are Members, without claims
    year: int | None = None      # the median year its reports were written (words.report_year)

    def add(self, m: Mention) -> None:
        self.mentions.append(m)
        self.terms.append(mention_terms(m))
        self.refresh()

    def absorb(self, other: Candidate) -> None:
        """Take over the reports of ``other`` (a merge), after this incident's own."""
        self.mentions += other.mentions
        self.terms += other.terms
        self.refresh()

    def refresh(self) -> None:
        """Recompute what is derived from the reports (after reports were added)."""
        self.fields = reconcile(self.mentions)
        self.date = linking_date(self.fields, self.mentions)
        self.year = _median_year(self.mentions, self.terms)


def _median_year(mentions: list, terms: list[Counter]) -> int | None:
    """The median year the reports were written (words.report_year), None when none says."""
    years = sorted(y for m, t in zip(mentions, terms) if (y := report_year(m, t)) is not None)
    return years[len(years) // 2] if years else None


# What scoring reads of a known incident's fields (rules.link_score, place_points, toll_points).
SCORED_FIELDS = ("location", "attack_type", "perpetrators", "killed", "toll_history")


@dataclass(slots=True)
class Member:
    """A report of a known incident as scoring reads it: a Mention without its claims."""

    article_id: str
    role: str
    on_topic: bool
    publisher: str | None
    published: str | None


def card_of(cand: Candidate) -> str:
    """The incident as scoring reads it, as JSON (see the module doc). A report's words are
    packed (vectors.PackedTerms: one string of words and one of counts), which decodes in
    about half the time of a {word: count} object and is weighed without a Counter; words that
    cannot be packed keep the object form, which ``candidate_of_card`` reads too (as it does
    the cards of stores written before)."""
    members = []
    for m, t in zip(cand.mentions, cand.terms):
        packed = PackedTerms.pack(t)
        members.append([m.article_id, m.role, m.on_topic, m.publisher, m.published,
                        *(packed if packed is not None else [dict(t)])])
    return json.dumps({"fields": {k: cand.fields[k] for k in SCORED_FIELDS if k in cand.fields},
                       "date": cand.date, "members": members}, separators=(",", ":"))


def candidate_of_card(incident_id: str, card: str) -> Candidate:
    """A light candidate (to score, not to add to) from ``card_of``'s JSON."""
    data = json.loads(card)
    members = data["members"]
    mentions = [Member(*m[:5]) for m in members]
    terms = [Counter(m[5]) if isinstance(m[5], dict) else PackedTerms(m[5], m[6]) for m in members]
    return Candidate(incident_id, mentions=mentions, fields=data["fields"], terms=terms, date=data["date"],
                     light=True, year=_median_year(mentions, terms))


class KnownIncidents(dict):
    """The incidents the linker knows, by id: all of them in memory (the default)."""

    def fetch(self, ids: list[str]) -> list[Candidate]:
        """The candidates of ``ids`` that exist, in that order (to score: they may be light)."""
        return [self[i] for i in ids if i in self]

    def full(self, incident_id: str) -> Candidate:
        """The candidate with its mentions and their claims (to add to or merge)."""
        return self[incident_id]

    def trim(self) -> None:
        """Let go of what need not stay in memory (nothing, here)."""

    def drop_cards(self) -> None:
        """Let go of the incidents read from their cards, which only scoring reads (none, here)."""

    def forget(self, incident_id: str) -> None:
        """An incident merged into another, or left without reports: it no longer exists."""
        dict.pop(self, incident_id, None)

    def mentions_of(self, ids: list[str]) -> dict[str, list[Mention]]:
        """The mentions of each incident of ``ids`` that has any, in the order they were linked."""
        return {i: self[i].mentions for i in ids if i in self}


# reports of incidents read from their cards that the cache holds for each full mention it may
# hold: a card's report, weighed (vectors.TermSpace), takes ~5.5 KB (its incident's fields, its
# words as text and packed counts, its vector: int32 ids and float64 weights), a full mention
# ~26 KB. It was ~9 KB on average (20,000 card reports held 186 MB in a 40k-article run) while a
# look-up kept a dict and a word list on the report (vectors.PackedTerms)
CARD_REPORTS_PER_MENTION = 4


class CachedIncidents(KnownIncidents):
    """Known incidents read from the store when first needed, the most recently used kept up to
    ``capacity`` mentions of incidents held in full and ``CARD_REPORTS_PER_MENTION`` times as
    many reports of incidents read from their cards. To score, a candidate is read from its card (``cards(ids)``:
    {incident id: card JSON}); in full through ``load(ids)``: {incident id: its stored
    mentions, in the order they were saved} (the order the linker added them). Trimmed only
    between saves, so an incident with mentions not yet stored is never dropped.

    The cards' own budget: with one budget for both, the incidents a run joined crowded out
    the candidates, which a 20k-article store offers ~50 reports of per article (a mention
    without a city or a date meets 100 incidents by their words): the cache then turned over
    every ~100 articles and nearly every candidate was read and weighed again, the cost that
    made the ingesting process's time per article grow with the store (see the module doc)."""

    def __init__(self, load: Callable[[list[str]], dict[str, list[Mention]]], capacity: int,
                 known: dict[str, Candidate] | None = None,
                 cards: Callable[[list[str]], dict[str, str]] | None = None):
        super().__init__(known or {})
        self._load, self._cards, self.capacity = load, cards, capacity
        self.card_capacity = capacity * CARD_REPORTS_PER_MENTION
        # merged into another or left without reports: the store may still file reports under
        # them (until the next flush)
        self._gone: set[str] = set()

    def forget(self, incident_id: str) -> None:
        dict.pop(self, incident_id, None)
        self._gone.add(incident_id)

    def __missing__(self, incident_id: str) -> Candidate:
        found = self.fetch([incident_id])
        if not found:
            raise KeyError(incident_id)
        return found[0]

    def fetch(self, ids: list[str]) -> list[Candidate]:
        ids = [i for i in ids if i not in self._gone]
        missing = [i for i in ids if not dict.__contains__(self, i)]
        if missing and self._cards is not None:
            for incident_id, card in self._cards(missing).items():
                dict.__setitem__(self, incident_id, candidate_of_card(incident_id, card))
            missing = [i for i in missing if not dict.__contains__(self, i)]
        if missing:
            for incident_id, mentions in self._load(missing).items():
                if mentions:
                    dict.__setitem__(self, incident_id, candidate_of(incident_id, mentions))
        out = []
        for i in ids:
            cand = dict.pop(self, i, None)
            if cand is not None:
                dict.__setitem__(self, i, cand)  # most recently used last
                out.append(cand)
        return out

    def full(self, incident_id: str) -> Candidate:
        cand = self[incident_id]
        if cand.light:
            mentions = self._load([incident_id]).get(incident_id)
            if not mentions:
                raise StoreError(f"incident {incident_id} has a link card but no stored mentions: "
                                 "run `incidentwire relink` to rebuild the link index")
            cand = candidate_of(incident_id, mentions)
            dict.__setitem__(self, incident_id, cand)
        return cand

    def mentions_of(self, ids: list[str]) -> dict[str, list[Mention]]:
        out = {i: c.mentions for i in ids if (c := dict.get(self, i)) is not None and not c.light}
        missing = [i for i in ids if i not in out and i not in self._gone]
        if missing:  # read, not cached: this is for reconciling once, not for linking
            out.update((i, ms) for i, ms in self._load(missing).items() if ms)
        return out

    def drop_cards(self) -> None:
        for incident_id in [i for i, c in dict.items(self) if c.light]:
            dict.pop(self, incident_id)

    def trim(self) -> None:
        held = {False: 0, True: 0}  # reports held, of full and of light (card) incidents
        for c in self.values():
            held[c.light] += len(c.mentions)
        cap = {False: self.capacity, True: self.card_capacity}
        for incident_id in list(self):  # the least recently used first
            if held[False] <= cap[False] and held[True] <= cap[True]:
                break
            light = dict.__getitem__(self, incident_id).light
            if held[light] > cap[light]:
                held[light] -= len(dict.pop(self, incident_id).mentions)


def candidate_of(incident_id: str, mentions: list[Mention]) -> Candidate:
    """A known incident from its mentions, in the order they were linked."""
    cand = Candidate(incident_id)
    for m in mentions:
        cand.mentions.append(m)
        cand.terms.append(mention_terms(m))
    cand.refresh()
    return cand


def top_shared(postings: dict[tuple, set[str]], n: int) -> list[str]:
    """The ``n`` incidents found under most of the keys of ``postings``, ties to the smaller id."""
    shared: Counter = Counter()
    for ids in postings.values():
        shared.update(ids)
    return [i for i, _ in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


class MemoryBlocks:
    """The block index in memory: key -> ids of the incidents under it (the default)."""

    def __init__(self):
        self._postings: dict[tuple, set[str]] = defaultdict(set)

    def postings(self, keys: Iterable[tuple]) -> dict[tuple, set[str]]:
        got = self._postings
        return {k: got[k] for k in keys if k in got}

    def add(self, key: tuple, incident_id: str) -> int:
        """File the incident under ``key``; returns how many incidents the key holds."""
        posting = self._postings[key]
        posting.add(incident_id)
        return len(posting)

    def top_shared(self, keys: list[tuple], n: int) -> list[str]:
        """The ``n`` incidents filed under most of ``keys``, ties to the older (smaller) id:
        most_common would break them in the order the postings' sets iterate, which string
        hashing makes differ from process to process."""
        return top_shared(self.postings(keys), n)

    def drop(self, key: tuple) -> None:
        self._postings.pop(key, None)

    def new_incident(self, incident_id: str) -> None:
        """A hint: ``incident_id`` is new, under no key yet."""

    def counted(self, terms: Counter) -> None:
        """A hint: a report with these words was counted."""

    def uncounted(self, terms: Counter) -> None:
        """A hint: a report with these words was taken out."""

    def changed(self, cand: Candidate) -> None:
        """A hint: ``cand`` took or lost reports (a stored index rewrites its card)."""

    def gone(self, incident_id: str) -> None:
        """A hint: the incident was merged into another or lost its last report (a stored
        index drops its card); its keys here stay, and it is no longer known to the linker."""

    def items(self):
        return self._postings.items()

