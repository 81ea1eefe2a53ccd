"""TF-IDF cosines of report words for the linker (words.WordSimilarity), in numpy.

Every candidate incident the linker scores costs one cosine per report of it: the mention's
unit vector against the report's, whose norm needs the idf of all its words (~300 for a whole
article), and the idf changes with every report counted. In Python dicts that was half of the
ingesting process's time (profile of a 10k-article store: 3.2 ms of 6.4 ms per candidate-heavy
mention), and it grew with the store, since a report read back from the store had to be
weighed from scratch. Here a report's words become two arrays once (word ids and TF weights,
kept on its Counter) and a cosine is a few vector operations over them.

The values are the same cosine as the plain formula up to floating-point rounding (numpy sums
in another order): a test compares them with the formula computed from scratch.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

import numpy as np

from . import words

__all__ = ["TermSpace", "term_basis"]

_LOG_TF = [0.0] + [1 + math.log(c) for c in range(1, 64)]  # a word's TF weight by count, looked up


def term_basis(terms: Counter) -> dict[str, float]:
    """{lower-cased word: TF weight, times ``words.NAME_WEIGHT`` for a name} of ``terms``."""
    return {w.lower(): (_LOG_TF[c] if c < len(_LOG_TF) else 1 + math.log(c)) * (words.NAME_WEIGHT if w[0].isupper() else 1.0)
            for w, c in terms.items()}


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

    def _ids_of(self, words: Iterable[str]) -> np.ndarray:
        ids, get = self.ids, self.ids.get
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

    def vector(self, terms: Counter) -> tuple[np.ndarray, np.ndarray]:
        """(word ids, TF weights) of ``terms``, made once per Counter: a report's words never
        change, and every link call that meets its incident weighs them again."""
        cached = terms.__dict__.get("_vector")
        if cached is None or cached[0] is not self:
            basis = term_basis(terms)
            cached = terms._vector = (self, self._ids_of(basis), np.fromiter(basis.values(), dtype=np.float64,
                                                                             count=len(basis)))
        return cached[1], cached[2]

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
