"""TF-IDF cosines of report words for the linker (words.WordSimilarity), in numpy.

Every candidate incident the linker scores costs one cosine per report of it: the mention's
unit vector against the report's, whose norm needs the idf of all its words (~300 for a whole
article), and the idf changes with every report counted. In Python dicts that was half of the
ingesting process's time (profile of a 10k-article store: 3.2 ms of 6.4 ms per candidate-heavy
mention), and it grew with the store, since a report read back from the store had to be
weighed from scratch. Here a report's words become two arrays once (word ids and TF weights,
kept on its Counter) and a cosine is a few vector operations over them.

A report read back from a link card (link/known.py) comes as ``PackedTerms``: its words in one
string and their counts, in the Counter's order, weighed here with array look-ups. Once the
store outgrew the linker's cache nearly every candidate was read from its card, and decoding
each report's words into a Counter, then weighing them word by word, cost ~0.4 ms a card:
what made the ingesting process's time per article grow with the store. The weights are
the same floats, in the same order, as ``term_basis`` gives (a test compares them).

The values are the same cosine as the plain formula up to floating-point rounding (numpy sums
in another order): a test compares them with the formula computed from scratch.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping

import numpy as np

from . import words

__all__ = ["TermSpace", "term_basis", "PackedTerms"]

_LOG_TF = [0.0] + [1 + math.log(c) for c in range(1, 64)]  # a word's TF weight by count, looked up


def term_basis(terms: Counter) -> dict[str, float]:
    """{lower-cased word: TF weight, times ``words.NAME_WEIGHT`` for a name} of ``terms``."""
    return {w.lower(): (_LOG_TF[c] if c < len(_LOG_TF) else 1 + math.log(c)) * (words.NAME_WEIGHT if w[0].isupper() else 1.0)
            for w, c in terms.items()}


class PackedTerms(Mapping):
    """A report's words as a link card keeps them: ``text``, the lower-cased words joined by
    single spaces, and ``packed``, their counts in the same order (the Counter's) as signed
    bytes in hex, negative for a name (a word the Counter held capitalised); a list of ints is
    read too (cards written before). Reads like the Counter it was packed from ({word: count},
    equal to it), and ``TermSpace.vector`` weighs it with one array look-up, without a Python
    step per word: a hex string decodes from JSON in half the time of a list of numbers."""

    # slots: a held card's report is one of ~20,000 (no per-object dict; ``_vector`` and
    # ``_year`` are what TermSpace.vector and words.report_year keep on any report's words)
    __slots__ = ("text", "packed", "_vector", "_year", "_years")

    def __init__(self, text: str, packed: str | list[int]):
        self.text, self.packed = text, packed
        self._vector = self._years = None
        self._year = False  # not known yet (None: no year)

    @staticmethod
    def pack(terms: Mapping[str, int]) -> tuple[str, str] | None:
        """(text, packed counts) of ``terms``, or None when they do not pack: a word that is
        empty, holds a space, is neither lower-case nor capitalised (``str.capitalize``), or is
        another's name form, or a count that is not an integer from 1 to 127."""
        if isinstance(terms, PackedTerms):
            return terms.text, _hex(terms.counts)
        lowered, counts = [], []
        for w, c in terms.items():
            low = w.lower()
            name = w[:1].isupper()
            if (not w or " " in w or w != (low.capitalize() if name else low)
                    or type(c) is not int or not 1 <= c <= 127):
                return None
            lowered.append(low)
            counts.append(-c if name else c)
        if len(set(lowered)) != len(lowered):
            return None
        return " ".join(lowered), _hex(counts)

    def _signed(self) -> np.ndarray:
        if isinstance(self.packed, str):
            return np.frombuffer(bytes.fromhex(self.packed), dtype=np.int8)
        return np.asarray(self.packed, dtype=np.int64)

    # Nothing read from the words is kept on the object but ``years``: a card held in the
    # linker's cache weighs ~5 KB with its vector, and the {word: count} dict and word list that
    # a look-up once cached made it ~19 KB (~9 KB a report on average in a 40k-article run).
    @property
    def counts(self) -> list[int]:
        """The signed counts (negative for names), in order."""
        return self._signed().tolist()

    @property
    def words(self) -> list[str]:
        """The words as the Counter held them (names capitalised)."""
        low = self.text.split(" ") if self.text else []
        return [w.capitalize() if c < 0 else w for w, c in zip(low, self.counts)]

    def __getitem__(self, word: str) -> int:
        low = word.lower()
        at = f" {self.text} ".find(f" {low} ") if low and " " not in low else -1
        if at < 0:
            raise KeyError(word)
        i = self.text.count(" ", 0, at)  # the word's place in the order
        c = (int.from_bytes(bytes.fromhex(self.packed[2 * i:2 * i + 2]), "big", signed=True)
             if isinstance(self.packed, str) else self.packed[i])
        if word != (low.capitalize() if c < 0 else low):
            raise KeyError(word)
        return abs(c)

    def __iter__(self) -> Iterator[str]:
        return iter(self.words)

    def __len__(self) -> int:
        return len(self.packed) // 2 if isinstance(self.packed, str) else len(self.packed)

    @property
    def years(self) -> tuple[int, ...]:
        """The four-digit numbers among the words (rules.fresh reads them), kept: a few ints."""
        years = self._years
        if years is None:
            years = self._years = tuple(int(w) for w in _YEAR_RE.findall(self.text))
        return years

    def basis(self) -> tuple[list[str], np.ndarray]:
        """(lower-cased words, TF weights): what ``term_basis`` gives, as a list and an array."""
        signed = self._signed()
        # an old card's list of counts may go past the table (signed bytes cannot)
        if not isinstance(self.packed, str) and len(signed) and np.abs(signed).max() > _MAX_PACKED:
            basis = term_basis(self)
            return list(basis), np.fromiter(basis.values(), dtype=np.float64, count=len(basis))
        weights = _signed_weights(words.NAME_WEIGHT)[signed.astype(np.intp) + _MAX_PACKED]
        return (self.text.split(" ") if self.text else []), weights


_MAX_PACKED = 127  # the largest count a signed byte holds
_YEAR_RE = re.compile(r"(?<![^ ])\d{4}(?![^ ])")  # a word of four digits in PackedTerms.text


def _hex(counts: list[int]) -> str:
    return np.asarray(counts, dtype=np.int8).tobytes().hex()


@lru_cache(maxsize=4)
def _signed_weights(name_weight: float) -> np.ndarray:
    """The TF weight of each signed count from -127 to 127 (at index count + 127), names
    (negative) times ``name_weight``: the values ``term_basis`` computes, looked up."""
    tf = [_LOG_TF[c] if c < len(_LOG_TF) else 1 + math.log(c) for c in range(_MAX_PACKED + 1)]
    return np.array([tf[-c] * name_weight for c in range(-_MAX_PACKED, 0)] + [0.0]
                    + [tf[c] * 1.0 for c in range(1, _MAX_PACKED + 1)])


class TermSpace:
    """Word ids and document counts as arrays, and cosines over them.

    ``count(words)`` adds a report's (lower-cased) words to the document counts; ``idf`` is
    ``log((reports + prior) / (df + 0.5))`` as in words.WordSimilarity.idf. A report's vector is cached on
    its Counter, tagged with the space it was made in (ids belong to one space)."""

    def __init__(self, prior_documents: int, df: Counter | None = None):
        self.prior = prior_documents
        self.ids: dict[str, int] = {}
        self.df = np.zeros(1024)
        self._query = np.zeros(1024)     # the mention's unit vector, dense; zero outside its words
        self._query_ids = np.zeros(0, dtype=np.int64)
        if df:
            words = list(df)
            ids = self._ids_of(words)  # first: it grows the arrays
            self.df[ids] = [df[w] for w in words]

    def _ids_of(self, words: list[str] | dict[str, float]) -> np.ndarray:
        ids, get = self.ids, self.ids.get
        try:  # known words (most of them, once a store has grown): no list in between
            return np.fromiter(map(get, words), dtype=np.int64, count=len(words))
        except TypeError:  # a new word (its id is None): new words are numbered in the order they come
            pass
        out = []
        for w in words:
            i = get(w)
            if i is None:
                i = ids[w] = len(ids)
            out.append(i)
        if len(ids) > len(self.df):  # grow by doubling
            size = max(2 * len(self.df), len(ids))
            self.df = np.concatenate([self.df, np.zeros(size - len(self.df))])
            self._query = np.concatenate([self._query, np.zeros(size - len(self._query))])
        return np.fromiter(out, dtype=np.int64, count=len(out))

    def count(self, words: list[str]) -> None:
        """A report with these (lower-cased) words was counted."""
        ids = self._ids_of(words)  # first: it grows the arrays
        np.add.at(self.df, ids, 1.0)

    def uncount(self, words: list[str]) -> None:
        """A report with these (lower-cased) words was taken out (``count`` undone)."""
        np.subtract.at(self.df, self._ids_of(words), 1.0)

    def vector(self, terms: Counter) -> tuple[np.ndarray, np.ndarray]:
        """(word ids, TF weights) of ``terms``, made once per Counter: a report's words never
        change, and every link call that meets its incident weighs them again."""
        cached = getattr(terms, "_vector", None)
        if cached is None or cached[0] is not self:
            if isinstance(terms, PackedTerms):
                lowered, weights = terms.basis()
            else:
                basis = term_basis(terms)
                lowered, weights = basis, np.fromiter(basis.values(), dtype=np.float64, count=len(basis))
            cached = terms._vector = (self, self._ids_of(lowered), weights)
        return cached[1], cached[2]

    def weigh_cards(self, members: Iterable) -> None:
        """Make the vectors of the link cards' reports among ``members`` that have none in this
        space, all at once: their words split and looked up in one pass, their counts decoded
        and weighed with one array look-up (what ``vector`` does one report at a time, the same
        ids and floats). Once the store outgrew the linker's cache nearly every candidate came
        from its card, and a report's vector made alone cost ~8 numpy and string calls: on a
        20k-article store that was a tenth of the ingesting process's time."""
        todo = [t for t in members if type(t) is PackedTerms and isinstance(t.packed, str) and t.packed
                and ((c := t._vector) is None or c[0] is not self)]
        if not todo:
            return
        ids = self._ids_of(" ".join(t.text for t in todo).split(" "))
        signed = np.frombuffer(bytes.fromhex("".join(t.packed for t in todo)), dtype=np.int8)
        weights = _signed_weights(words.NAME_WEIGHT)[signed.astype(np.intp) + _MAX_PACKED]
        end = 0
        # copies (a slice would keep the whole batch alive while its card is cached); ids as
        # int32, half the bytes of a held card's ids (a space holds far fewer than 2**31 words)
        for t in todo:
            start, end = end, end + len(t.packed) // 2
            t._vector = (self, ids[start:end].astype(np.int32), weights[start:end].copy())

    def weights(self, ids: np.ndarray, basis: np.ndarray, reports: int) -> np.ndarray:
        return basis * np.log((reports + self.prior) / (self.df[ids] + 0.5))

    def set_query(self, terms: Counter | None, reports: int) -> None:
        """Make ``terms`` the vector that ``cosines`` compares with (None: no query)."""
        self._query[self._query_ids] = 0.0
        self._query_ids = np.zeros(0, dtype=np.int64)
        if terms is None:
            return
        ids, basis = self.vector(terms)
        w = self.weights(ids, basis, reports)
        self._query[ids] = w / (math.sqrt(float(w @ w)) or 1.0)
        self._query_ids = ids

    def cosines(self, members: list[Counter], reports: int) -> list[float]:
        """Cosine of the query with each of ``members`` (non-empty Counters)."""
        out = []
        for terms in members:
            ids, basis = self.vector(terms)  # first: a new word grows the arrays
            w = self.weights(ids, basis, reports)
            out.append(float(self._query[ids] @ w) / (math.sqrt(float(w @ w)) or 1.0))
        return out

    def weights_of(self, terms: Counter, reports: int) -> dict[str, float]:
        """{lower-cased word: TF-IDF weight} of ``terms`` (for inspection and tests)."""
        ids, basis = self.vector(terms)
        return dict(zip(term_basis(terms), self.weights(ids, basis, reports).tolist()))
