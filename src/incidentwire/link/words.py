"""The words of a report, and how alike two reports' words are (TF-IDF cosine, average link).

A mention's words travel as its ``link_terms`` claim (:func:`add_link_terms`); the linker
counts every report's words (document frequencies) and compares a mention with a known
incident's reports through :class:`WordSimilarity`. Why names weigh more and why a mention's
own outlet is left out: see the package docstring, points 4 and 5.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from typing import TYPE_CHECKING

from ..extract.dates import MONTHS, WEEKDAYS
from ..extract.incidents import no_incident_tolls
from ..records import Article, Claim, Mention
from ..stopwords import STOP_WORDS

if TYPE_CHECKING:
    from .known import Candidate

PRIOR_DOCUMENTS = 50
# the name a report is about: written SUBJECT_MIN_COUNT times or more (package docstring, point 8)
SUBJECT_MIN_COUNT = 6
SUBJECT_REPORTS = 3
MAX_TERMS = 400
NAME_WEIGHT = 2.5
_THIS_YEAR = dt.date.today().year
_TOKEN_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|\d+(?:st|nd|rd|th)?")
_SENTENCE_RE = re.compile(r"[^\n.!?]+(?:[.!?]+[\"”’)]*|\n|$)")


def link_terms(text: str) -> Counter:
    """Content words of ``text`` ({word: count}), lower-cased, except that a word written
    capitalised inside a sentence at least as often as not (a name: "Jackman", "Aden") keeps
    its capital: names weigh ``NAME_WEIGHT`` times as much, since they tell two incidents of
    the same kind apart. Numbers are kept ("23", "2011"): a count or a year does too."""
    counts: Counter = Counter()
    named: Counter = Counter()
    for sent in _SENTENCE_RE.finditer(text):
        for k, m in enumerate(_TOKEN_RE.finditer(sent.group())):
            w = m.group()
            low = w.lower()
            if low in STOP_WORDS or len(low) < 3 and not low.isdigit():
                continue
            counts[low] += 1
            if k:  # the first word of a sentence is capitalised whatever it is
                named[low] += 1 if w[0].isupper() else -1
    out = Counter({w.capitalize() if named[w] > 0 else w: c for w, c in counts.items()})
    return Counter(dict(out.most_common(MAX_TERMS)))


def _sentences(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _SENTENCE_RE.finditer(text) if m.group().strip()]


def add_link_terms(article: Article, mentions: list[Mention]) -> None:
    """Give each mention a ``link_terms`` claim: the words of the sentences that hold its claims,
    or of the whole article for its main incident."""
    text = article.clean_text or article.text
    sentences = _sentences(text)
    for m in mentions:
        spans = [(c.start, c.end) for c in m.claims if c.end > c.start]
        chosen = [(s, e) for s, e in sentences if any(a < e and b > s for a, b in spans)]
        if m.role == "main":  # the article is about its main incident: all of it counts
            chosen = sentences
        if not chosen:
            continue
        words = " \n".join(text[s:e] for s, e in chosen)
        if m.role == "main" and article.title and not text.startswith(article.title):
            words = article.title + "\n" + words
        start, end = chosen[0][0], chosen[-1][1]
        m.claims.append(Claim(field="link_terms", value=dict(link_terms(words)), start=start, end=end,
                              quote=text[start:end], extractor="link", confidence=1.0,
                              article_id=article.id))


def main_event_mention(article: Article) -> Mention:
    """The article's main event when extraction found no incident in it (used when the
    relevance filter is off, so every article is linked): dated by publication, with words."""
    m = Mention(article_id=article.id, index=0, role="main", published=article.published)
    if article.published:
        prec = {4: "year", 7: "month"}.get(len(article.published), "day")
        m.claims.append(Claim(field="date", value={"value": article.published, "precision": prec,
                                                   "rule": "publication-date", "uncertain": True},
                              start=0, end=0, quote="", extractor="link", confidence=0.2,
                              article_id=article.id))
    m.claims.extend(no_incident_tolls(article))  # none reported: reconcile lets any stated toll win
    return m


def _lowered(terms: Counter) -> Counter:
    """``terms`` with names lower-cased like other words (for blocking and document counts)."""
    if not any(w[0].isupper() for w in terms):
        return terms
    out: Counter = Counter()
    for w, c in terms.items():
        out[w.lower()] += c
    return out


def mention_terms(m: Mention) -> Counter:
    return Counter(next((c.value for c in m.claims if c.field == "link_terms"), {}))

class WordSimilarity:
    """The linker's word statistics: document frequencies of every counted report's words and
    the TF-IDF cosine of a mention with a known incident's reports. Mixed into ``Linker``, which
    sets ``df``, ``n_mentions``, ``blocks``, ``_common``, the memos ``_idf``, ``_subjects``
    ((the ``_idf`` memo they were found with, {id of a report's words: (those words, subject)})) and
    ``_query`` (the Counter whose vector ``_space`` holds as its query) and ``_space`` (vectors.TermSpace, which
    keeps the same counts as arrays)."""

    def _count_words(self, terms: Counter) -> None:
        self.n_mentions += 1
        words = [w.lower() for w in terms]  # names count as their lower-case word
        self.df.update(words)
        self._space.count(words)
        self.blocks.counted(words)  # a stored index writes these words' new counts
        self._idf, self._query = {}, None

    def _uncount_words(self, terms: Counter) -> None:
        """Undo ``_count_words(terms)`` exactly (a stored report taken out): the same
        lower-cased words, a name and its lower-case form each once, as they were added; a
        word no report uses any more leaves the counts."""
        self.n_mentions -= 1
        words = [w.lower() for w in terms]
        df = self.df
        df.subtract(words)
        for w in words:
            if df.get(w, 1) <= 0:
                del df[w]
        self._space.uncount(words)
        self.blocks.uncounted(words)
        self._idf, self._query = {}, None

    def idf(self, word: str) -> float:
        # PRIOR_DOCUMENTS unseen reports stand in for the rest of the news: without them the
        # first few reports of a store share every word and no word looks rare
        value = self._idf.get(word)
        if value is None:
            value = self._idf[word] = math.log((self.n_mentions + PRIOR_DOCUMENTS) / (self.df.get(word, 0) + 0.5))
        return value

    def _rare_words(self, terms: Counter, n: int, shared: bool) -> list[str]:
        """The ``n`` words that weigh most in ``terms`` (TF-IDF); with ``shared``, only words
        some other report also used (a word no one else wrote finds nothing)."""
        terms = _lowered(terms)
        words = [w for w in terms if w not in self._common and (not shared or self.df.get(w, 0) > 1)]
        return sorted(words, key=lambda w: (-(1 + math.log(terms[w])) * self.idf(w), w))[:n]

    def text_similarity(self, terms: Counter, cand: Candidate, whole_articles: bool = False,
                        outlet: str | None = None) -> float:
        """Average TF-IDF cosine of the mention's words with each report of the incident (average
        link). With ``whole_articles`` (the mention is an article's main incident, its words the
        whole article's), only the reports that are main incidents too count when there are
        any: a background sentence is not comparable with a whole article."""
        members = cand.terms
        if whole_articles:
            mains = [t for t, m in zip(cand.terms, cand.mentions) if m.role == "main"]
            members = mains or members
        if outlet:
            members = [t for t, m in zip(cand.terms, cand.mentions) if m.publisher != outlet
                       and (not whole_articles or m.role == "main" or len(members) == len(cand.terms))]
        if not terms or not any(members):
            return 0.0
        if self._query is not terms:
            self._query = terms
            self._space.set_query(terms, self.n_mentions)
        sims = self._space.cosines([u for u in members if u], self.n_mentions)
        return sum(sims) / len(sims) if sims else 0.0

    def incidents_similarity(self, a: Candidate, b: Candidate) -> float:
        """Average TF-IDF cosine of every report of ``a`` with every report of ``b`` (average link)."""
        others = [v for v in b.terms if v]
        sims = []
        for u in a.terms:
            if u and others:
                self._space.set_query(u, self.n_mentions)
                sims += self._space.cosines(others, self.n_mentions)
        self._query = None  # the space's query is no longer the mention's
        return sum(sims) / len(sims) if sims else 0.0

    def _subject_memo(self) -> dict:
        """The memo of ``subject`` and ``_subject_and_recalled`` for the current word counts:
        renewed with the idf memo (a subject is chosen by idf). Entries keep the words they were
        found for, so a report's words that reuse the id of others gone miss instead of reading
        their answer."""
        counts_of, memo = self._subjects
        if counts_of is not self._idf:  # the word counts changed (the idf memo was renewed)
            memo = {}
            self._subjects = (self._idf, memo)
        return memo

    def subject(self, terms: Counter) -> str | None:
        """The name a report is about: of the names it writes ``SUBJECT_MIN_COUNT`` times or
        more, the one of highest TF-IDF weight (None when there is none). Memoised for the
        current word counts, like the idf."""
        memo = self._subject_memo()
        hit = memo.get(id(terms))
        if hit is None or hit[0] is not terms:
            names = [w for w, c in terms.items() if c >= SUBJECT_MIN_COUNT and w[:1].isupper()
                     and w not in _CALENDAR]
            hit = memo[id(terms)] = (terms, max(names, key=lambda w: (math.log(terms[w]) + 1) * self.idf(w.lower()))
                                     if names else None)
        return hit[1]

    def subject_missing(self, terms: Counter, cand: Candidate) -> bool:
        """Whether the report is about someone the incident's reports never name, while naming
        less often someone they are about: a second event of one kind (a lineman of a team
        arrested for drunk driving weeks after a receiver of the same team) reads like the first
        and recalls it; the first never names the second. The report is about its ``subject``;
        the incident's reports are about a name that ``SUBJECT_REPORTS`` or more of them write
        ``SUBJECT_MIN_COUNT`` times or more."""
        if len(cand.terms) < SUBJECT_REPORTS:
            return False
        name, recalled = self._subject_and_recalled(terms)
        if not recalled:
            return False
        low = name.lower()
        if any(name in t or low in t if isinstance(t, dict) else _writes(t, low) for t in cand.terms):
            return False
        return any(sum(_count(t, n) >= SUBJECT_MIN_COUNT for t in cand.terms) >= SUBJECT_REPORTS
                   for n in recalled)

    def _subject_and_recalled(self, terms: Counter) -> tuple[str | None, list[str]]:
        """The report's ``subject`` and the other names it writes less often (memoised like it)."""
        memo = self._subject_memo()
        key = ("recalled", id(terms))
        hit = memo.get(key)
        if hit is None or hit[0] is not terms:
            name = self.subject(terms)
            mine = terms[name] if name else 0
            hit = memo[key] = (terms, (name, [w for w, c in terms.items()
                                              if c < mine and w[:1].isupper() and w not in _CALENDAR]))
        return hit[1]

    def term_weights(self, terms: Counter) -> dict[str, float]:
        """TF-IDF weights of ``terms`` as the cosines use them (keyed lower-case, names times
        ``NAME_WEIGHT``)."""
        return self._space.weights_of(terms, self.n_mentions)


_CALENDAR = {w.capitalize() for w in (*WEEKDAYS, *MONTHS)}


def _count(terms: Counter, name: str) -> int:
    return terms.get(name, 0) + terms.get(name.lower(), 0)


def _writes(terms, word: str) -> bool:
    """Whether a link card's packed words (vectors.PackedTerms) hold the lower-cased ``word``."""
    return f" {word} " in f" {terms.text} "


def named_years(terms) -> list[int] | tuple[int, ...]:
    """The four-digit numbers among a report's words (a link card's words, vectors.PackedTerms,
    keep theirs: iterating them would build their word list)."""
    years = getattr(terms, "years", None)
    return [int(w) for w in terms if len(w) == 4 and w.isdigit()] if years is None else years


def report_year(mention: Mention, terms: Counter) -> int | None:
    """The year the report was written: its publication year, else the latest year its words
    name (a report seldom names a year after its own; an earlier one is often background).
    Kept on ``terms``, like their TF weights: a report's words never change."""
    year = getattr(terms, "_year", False)
    if year is False:
        if mention.published:
            year = int(mention.published[:4])
        else:
            # four-digit numbers from 1900 to this year (none later: a report is not written ahead)
            years = [y for y in named_years(terms) if 1900 <= y <= _THIS_YEAR]
            year = max(years) if years else None
        terms._year = year
    return year
