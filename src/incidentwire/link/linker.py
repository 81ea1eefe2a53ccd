"""The linker: blocks a new mention to the known incidents it could be, scores them (rules.py,
words.py) and links it to the best or starts a new incident (see the package docstring)."""

from __future__ import annotations

import gc
from collections import Counter, defaultdict
from collections.abc import Callable

from ..reconcile import reconcile
from ..records import Mention
from .known import CachedIncidents, Candidate, KnownIncidents, MemoryBlocks, candidate_of
from .rules import link_score, linking_date
from . import rules
from .vectors import TermSpace
from .words import PRIOR_DOCUMENTS, WordSimilarity, mention_terms, report_year

LINK_THRESHOLD = 3.0
AMBIGUITY_MARGIN = 0.25
GROUP_LINK_MIN = 2.0
TERM_POSTING_CAP = 500
WORD_CANDIDATES = 100
QUERY_TERMS = 8
INDEX_TERMS = 12
# a main report that scores MERGE_MIN or more against several known incidents merges them when
# their own reports agree on average at least MERGE_SIMILARITY (package docstring, point 6)
MERGE_MIN = 5.0
MERGE_SIMILARITY = 0.2


def _months(date: dict | None, around: int) -> list[str]:
    """Block periods of a reconciled date: its month (and ``around`` months either side), or
    its year; [] when unknown."""
    value = (date or {}).get("value")
    if not value:
        return []
    if len(value) == 4:
        return [value] + [f"{value}-{m:02d}" for m in range(1, 13)] if around else [value]
    y, mo = int(value[:4]), int(value[5:7])
    out = [value[:4]] if around else []
    for d in range(-around, around + 1):
        yy, mm = divmod((y * 12 + mo - 1) + d, 12)
        out.append(f"{yy:04d}-{mm + 1:02d}")
    return out


class Linker(WordSimilarity):
    """Holds the known incidents and their block index; assigns incident ids to new mentions.

    ``Linker(mentions, new_id)`` holds everything in memory, built from ``mentions``;
    ``Linker.stored(blocks, load, new_id)`` keeps the block index and word counts in the store
    (store/link_index.py) and only the incidents it is working on in memory, so its memory and
    its work per mention stay flat as the store grows. Both link a mention the same way."""

    def __init__(self, mentions: list[Mention], new_id, blocks=None, known: KnownIncidents | None = None):
        self._new_id = new_id
        self.by_id: KnownIncidents = KnownIncidents() if known is None else known
        self.blocks = MemoryBlocks() if blocks is None else blocks
        self.df: Counter = Counter()
        self.n_mentions = 0
        # Memos valid until the word counts change (each link call): the idf of every word
        # looked up, and which words the query vector of ``_space`` holds (vectors.py), which
        # every candidate's score needs: a mention meets ~20 candidates of ~2 reports each.
        self._idf: dict[str, float] = {}
        self._subjects: tuple[dict, dict] = (self._idf, {})
        self._query: Counter | None = None
        self._space = TermSpace(PRIOR_DOCUMENTS)
        self._common: set[str] = set()
        self.merged: list[tuple[str, str]] = []  # (gone, kept) incident ids, for the store to follow
        self._similarity: dict[str, float] = {}  # the words' cosine with each candidate of this link call
        # analysts' decisions (review.py) that bind automatic linking: article -> the articles it
        # was split from, and the incidents marked reviewed (never merged automatically)
        self.apart: dict[str, set[str]] = defaultdict(set)
        self.pinned: set[str] = set()
        grouped: dict[str, list[Mention]] = defaultdict(list)
        for m in mentions:
            grouped[m.incident_id].append(m)
        for incident_id, ms in grouped.items():
            self.by_id[incident_id] = candidate_of(incident_id, ms)
            for terms in self.by_id[incident_id].terms:
                self._count_words(terms)
        for cand in self.by_id.values():
            self._index(cand)
        # the known incidents live as long as the linker: keep the cyclic garbage collector
        # from rescanning them on every full collection (~1 s at a million incidents)
        gc.freeze()

    @classmethod
    def stored(cls, blocks, load: Callable[[list[str]], dict[str, list[Mention]]], new_id,
               cache_mentions: int, known: dict[str, Candidate] | None = None) -> Linker:
        """A linker over a block index kept in the store (``blocks``: store.link_index.StoredBlocks,
        with its word counts), reading known incidents through ``load`` and keeping at most
        ``cache_mentions`` of their mentions in memory (``known``: incidents already built)."""
        linker = cls([], new_id, blocks=blocks, known=CachedIncidents(load, cache_mentions, known,
                                                                      blocks.cards))
        linker.df, linker.n_mentions, linker._common = blocks.df, blocks.n_mentions, blocks.common
        linker._space = TermSpace(PRIOR_DOCUMENTS, blocks.df)
        return linker

    def flush(self, conn) -> None:
        """Write what changed in the block index (in the transaction that stores the mentions
        linked since the last flush), then let go of incidents beyond the cache."""
        if hasattr(self.blocks, "flush"):
            self.blocks.flush(conn)
        self.by_id.trim()

    def take_merges(self) -> tuple[list[Mention], list[tuple[str, str]]]:
        """What the merges since the last call changed, for the store: every report of each
        incident that absorbed others (in the order the linker holds them, so that the store's
        saved order stays the linker's), and the (gone, kept) incident id pairs."""
        merges, self.merged = self.merged, []
        gone = {g for g, _ in merges}
        kept = dict.fromkeys(k for _, k in merges if k not in gone)  # ordered, no duplicates
        return [m for k in kept for m in self.by_id[k].mentions], merges

    def remove(self, mentions: list[Mention]) -> set[str]:
        """Take stored reports out (an updated article's, before its new text is linked): the
        inverse of linking them, without rebuilding anything. Each report's words are uncounted
        (``_uncount_words``: what ``_count_words`` added); each incident that held one is rebuilt
        from its remaining reports, in their order (its cached candidate replaced, its card
        rewritten) and filed under the keys of what it now says, or, left without reports, goes
        like an incident merged away (its card and block rows with it). Returns the incidents
        that lost a report.

        The keys it was filed under for the reports taken out may stay (a superset): a key too
        many only offers the incident as one more candidate to score, where a key missing would
        hide it. Taking them out exactly is not simple: the index does not record which report
        put an incident under a key (``_index`` files it under what it says after each report,
        with the idf of that moment, and never takes a key away, so a date-and-place key may come
        from fields it no longer has even without updates), and refiling it under what it now
        says alone would take away keys the same incident keeps in a run without the update.
        Word keys' posting counts and words grown too common stay likewise.

        The incidents must be held as stored (the caller flushed what was linked before)."""
        keys = {m.key for m in mentions}
        for m in mentions:
            self._uncount_words(mention_terms(m))
        touched = sorted({m.incident_id for m in mentions if m.incident_id})
        for incident_id in touched:
            cand = self.by_id.full(incident_id)
            kept = [(m, t) for m, t in zip(cand.mentions, cand.terms) if m.key not in keys]
            if not kept:
                self.by_id.forget(incident_id)
                self.blocks.gone(incident_id)
                continue
            rest = Candidate(incident_id, mentions=[m for m, _ in kept], terms=[t for _, t in kept])
            rest.refresh()
            self.by_id[incident_id] = rest
            self.blocks.changed(rest)
            self._index(rest)
        return set(touched)

    def keep_apart(self, splits: list[tuple[list[str], list[str]]], reviewed: set[str] = frozenset()) -> None:
        """Honour analysts' splits (each: the article ids of its two sides) and reviewed incidents."""
        for one, other in splits:
            for a in one:
                self.apart[a].update(other)
            for b in other:
                self.apart[b].update(one)
        self.pinned |= set(reviewed)

    def _split_apart(self, articles: set[str], others: set[str]) -> bool:
        """Whether an analyst split an article of ``articles`` from one of ``others``."""
        apart = self.apart
        return bool(apart) and any(apart[a] & others for a in articles if a in apart)

    # --------------------------------------------------------------- index
    @staticmethod
    def _place_keys(fields: dict, periods: list[str], query: bool) -> set[tuple]:
        """An incident is indexed at its own place level and as inside its admin1 and country;
        a mention looks up its own place and the vaguer levels above it (a city report can be
        the same incident as a report that names only the province)."""
        loc = fields.get("location") or {}
        c, a1, city = loc.get("country"), loc.get("admin1"), loc.get("name")
        keys = set()
        for p in periods:
            if not query:
                own = ("city", c, city, p) if city else ("admin1", c, a1, p) if a1 else ("country", c, p)
                keys |= {own, ("in-country", c, p)} | ({("in-admin1", c, a1, p)} if a1 else set())
            elif city:
                keys |= {("city", c, city, p), ("admin1", c, a1, p), ("country", c, p)}
            elif a1:
                keys |= {("in-admin1", c, a1, p), ("country", c, p)}
            else:
                keys.add(("in-country", c, p))
        return keys

    def _index(self, cand: Candidate) -> None:
        keys = self._place_keys(cand.fields, _months(cand.fields.get("date"), 0) or ["?"], query=False)
        words = Counter()
        for t in cand.terms:
            words.update(t)
        keys |= {("word", w) for w in self._rare_words(words, INDEX_TERMS, shared=False)}
        for key in keys:
            if key[0] == "word" and key[1] in self._common:
                continue
            size = self.blocks.add(key, cand.incident_id)
            if key[0] == "word" and size > TERM_POSTING_CAP:
                self._common.add(key[1])
                self.blocks.drop(key)

    def candidates(self, mention: Mention, mf: dict, terms: Counter) -> set[str]:
        """Incident ids that share a date-and-place block with the mention; for a mention
        without a city or a date, also the ``WORD_CANDIDATES`` incidents that share most of its
        rare words (at most that many, whatever the size of the store)."""
        date, loc = mf.get("date") or {}, mf.get("location") or {}
        periods = _months(date, 1) + ["?"]  # "?": incidents not dated yet
        if not date and mention.published:  # undated: the year before publication
            year = int(mention.published[:4])
            periods += _months({"value": str(year)}, 1) + _months({"value": str(year - 1)}, 1)
        places = self._place_keys(mf, periods, query=True)
        by_words = not loc.get("name") or not date.get("value") or date.get("rule") == "publication-date"
        found = self.blocks.postings(places)  # one look-up (one query on a stored index)
        out: set[str] = set().union(*found.values())
        if by_words:
            words = [("word", w) for w in self._rare_words(terms, QUERY_TERMS, shared=True)]
            out.update(self.blocks.top_shared(words, WORD_CANDIDATES))
        return out

    # --------------------------------------------------------------- scoring
    def score(self, mention: Mention, mf: dict, terms: Counter, cand: Candidate) -> float | None:
        """Link score of a mention (with its own reconciled fields ``mf``) against a candidate;
        None when a cannot-link rule forbids it."""
        if any(x.article_id == mention.article_id for x in cand.mentions):
            return None
        if self._split_apart({mention.article_id}, {x.article_id for x in cand.mentions}):
            return None
        similarity = self._similarity[cand.incident_id] = self.text_similarity(
            terms, cand, mention.role == "main", mention.publisher)
        mine, theirs = report_year(mention, terms), cand.year
        apart = abs(mine - theirs) if mine is not None and theirs is not None else None
        missing = (bool(rules.NAME_CONFLICT_POINTS) and mention.role == "main"
                   and rules.words_decide(mention, cand, similarity) and self.subject_missing(terms, cand))
        return link_score(mention, mf, cand, similarity, apart, terms, missing)

    # --------------------------------------------------------------- linking
    def link(self, mention: Mention) -> tuple[str, float | None]:
        """Assign ``mention.incident_id``: an existing incident, or a new one. Returns the id and
        the winning score (None for a new incident)."""
        mf = reconcile([mention])
        mf["date"] = linking_date(mf, [mention])
        terms = mention_terms(mention)
        self._count_words(terms)
        self._similarity = {}
        known = self.by_id.fetch(sorted(self.candidates(mention, mf, terms)))
        self._space.weigh_cards(t for c in known if c.light for t in c.terms)
        scored = sorted(((s, c.incident_id) for c in known
                         if (s := self.score(mention, mf, terms, c)) is not None), reverse=True)
        best = None
        if scored and scored[0][0] >= LINK_THRESHOLD and (
                len(scored) == 1 or scored[0][0] - scored[1][0] >= AMBIGUITY_MARGIN):
            best = scored[0]
        elif scored:
            best = _group_member_link(mention, scored)
        # a whole article close in words to several incidents (not only in facts: two attacks of one
        # day and city are told apart by nothing else) bridges them: they were one, split early
        bridged = [si for si in scored if si[0] >= MERGE_MIN and self._similarity[si[1]] >= rules.ARTICLE_TEXT_MIN
                   and rules.bridge_dates_fit(mf.get("date"), self.by_id[si[1]])
                   ] if mention.role == "main" else []
        if len(bridged) > 1:
            keep = best or bridged[0]
            merged = [other for _, other in bridged if other != keep[1] and self._merge(keep[1], other)]
            best = keep if merged or best else None
        if best:
            incident_id = best[1]
            cand = self.by_id.full(incident_id)
        else:
            incident_id = self._new_id()
            cand = self.by_id[incident_id] = Candidate(incident_id)
            self.blocks.new_incident(incident_id)
        cand.add(mention)
        self.blocks.changed(cand)
        self._index(cand)
        mention.incident_id = incident_id
        return incident_id, (best[0] if best else None)

    def _subjects_differ(self, a: Candidate, b: Candidate) -> bool:
        """Whether a main report of one incident is about someone the other's reports never name
        while recalling their subject (words.WordSimilarity.subject_missing)."""
        return any(m.role == "main" and self.subject_missing(t, other)
                   for one, other in ((a, b), (b, a)) for m, t in zip(one.mentions, one.terms))

    def _merge(self, keep: str, gone: str) -> bool:
        """Move every report of incident ``gone`` to ``keep`` when nothing keeps them apart: neither
        is reviewed, no analyst split them, no article reports both, they were written within
        ``YEAR_GAP`` years of each other, and their words agree on average at least
        ``MERGE_SIMILARITY``. Returns whether it did. The store records where ``gone`` went
        (``Store.merged_into``); an alert it fired stands for the merged incident (alerts.evaluate)."""
        if keep in self.pinned or gone in self.pinned:
            return False
        a, b = self.by_id[keep], self.by_id[gone]  # light ones tell as well as full ones...
        articles_a, articles_b = {m.article_id for m in a.mentions}, {m.article_id for m in b.mentions}
        if articles_a & articles_b or self._split_apart(articles_a, articles_b):
            return False
        if rules.fresh_dates_conflict(a.date, rules.reports_of(a), b.date, rules.reports_of(b)):
            return False
        if rules.NAME_CONFLICT_POINTS and self._subjects_differ(a, b):
            return False
        ya, yb = a.year, b.year
        if ya is not None and yb is not None and abs(ya - yb) >= rules.YEAR_GAP:
            return False
        if self.incidents_similarity(a, b) < MERGE_SIMILARITY:
            return False
        a, b = self.by_id.full(keep), self.by_id.full(gone)  # ...but only full ones merge
        self.by_id.forget(gone)
        for m in b.mentions:
            m.incident_id = keep
        a.absorb(b)
        self._index(a)
        self.blocks.changed(a)
        self.blocks.gone(gone)
        self.merged.append((gone, keep))
        return True


def _group_member_link(mention: Mention, scored: list[tuple[float, str]]) -> tuple[float, str] | None:
    """A report of several events counted together and not told apart ("two explosions ... in
    May", extract.incidents._count_group) links one to one to the incidents other reports
    place: when exactly as many known incidents fit as the group has members still unlinked
    (its earlier members took theirs, and an article never links twice to one incident), the
    best of them is this member's. Each must reach ``GROUP_LINK_MIN`` (a compatible date and the
    same attack type)."""
    group = mention.value("event_group")
    if not group:
        return None
    fitting = [si for si in scored if si[0] >= GROUP_LINK_MIN]
    return fitting[0] if fitting and len(fitting) == group["size"] - group["member"] else None


def relink_mentions(mentions: list[Mention], new_id) -> Linker:
    """Link every mention afresh, in publication order (articles without a date last)."""
    linker = Linker([], new_id)
    order = sorted(mentions, key=lambda m: (m.published is None, m.published or "", m.article_id, m.index))
    for m in order:
        m.incident_id = None
        linker.link(m)
    return linker
