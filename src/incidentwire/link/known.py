"""The incidents the linker knows: each as a ``Candidate`` (its reports, reconciled fields and
words), held all in memory or read from the store and cached; and the block index in memory.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..reconcile import reconcile
from ..records import Mention
from .rules import linking_date
from .words import mention_terms


@dataclass
class Candidate:
    """A known incident as the linker sees it: its mentions, fields and words."""

    incident_id: str
    mentions: list[Mention] = field(default_factory=list)
    fields: dict = field(default_factory=dict)
    terms: list[Counter] = field(default_factory=list)
    date: dict | None = None     # linking_date of the fields

    def add(self, m: Mention) -> None:
        self.mentions.append(m)
        self.terms.append(mention_terms(m))
        self.fields = reconcile(self.mentions)
        self.date = linking_date(self.fields, self.mentions)

    def absorb(self, other: Candidate) -> None:
        """Take over the reports of ``other`` (a merge), after this incident's own."""
        self.mentions += other.mentions
        self.terms += other.terms
        self.fields = reconcile(self.mentions)
        self.date = linking_date(self.fields, self.mentions)


class KnownIncidents(dict):
    """The incidents the linker knows, by id: all of them in memory (the default)."""

    def fetch(self, ids: list[str]) -> list[Candidate]:
        """The candidates of ``ids`` that exist, in that order."""
        return [self[i] for i in ids if i in self]

    def trim(self) -> None:
        """Let go of what need not stay in memory (nothing, here)."""

    def forget(self, incident_id: str) -> None:
        """An incident merged into another: it no longer exists."""
        dict.pop(self, incident_id, None)

    def mentions_of(self, ids: list[str]) -> dict[str, list[Mention]]:
        """The mentions of each incident of ``ids`` that has any, in the order they were linked."""
        return {i: self[i].mentions for i in ids if i in self}


class CachedIncidents(KnownIncidents):
    """Known incidents read from the store when first needed, the most recently used kept up to
    ``capacity`` mentions in all. ``load(ids)`` returns {incident id: its stored mentions, in
    the order they were saved} (the order the linker added them). Trimmed only between saves,
    so an incident with mentions not yet stored is never dropped."""

    def __init__(self, load: Callable[[list[str]], dict[str, list[Mention]]], capacity: int,
                 known: dict[str, Candidate] | None = None):
        super().__init__(known or {})
        self._load, self.capacity = load, capacity
        self._gone: set[str] = set()  # merged into another: the store may still file reports under them

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

    def mentions_of(self, ids: list[str]) -> dict[str, list[Mention]]:
        out = {i: dict.__getitem__(self, i).mentions for i in ids if dict.__contains__(self, i)}
        missing = [i for i in ids if i not in out and i not in self._gone]
        if missing:  # read, not cached: this is for reconciling once, not for linking
            out.update((i, ms) for i, ms in self._load(missing).items() if ms)
        return out

    def trim(self) -> None:
        held = sum(len(c.mentions) for c in self.values())
        for incident_id in list(self):
            if held <= self.capacity:
                break
            held -= len(dict.pop(self, incident_id).mentions)


def candidate_of(incident_id: str, mentions: list[Mention]) -> Candidate:
    """A known incident from its mentions, in the order they were linked."""
    cand = Candidate(incident_id)
    for m in mentions:
        cand.mentions.append(m)
        cand.terms.append(mention_terms(m))
    cand.fields = reconcile(cand.mentions)
    cand.date = linking_date(cand.fields, cand.mentions)
    return cand


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

    def drop(self, key: tuple) -> None:
        self._postings.pop(key, None)

    def new_incident(self, incident_id: str) -> None:
        """A hint: ``incident_id`` is new, under no key yet."""

    def counted(self, terms: Counter) -> None:
        """A hint: a report with these words was counted."""

    def items(self):
        return self._postings.items()

