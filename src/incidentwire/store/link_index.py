"""The linker's block index kept in the store, so that linking holds in memory only what it
is working on, however large the store grows.

``link.Linker`` looks a new mention up under its blocking keys (date-and-place keys and rare
words, see link/linker.py) and scores only the incidents found there. Held in memory, that index and
every known incident grew with the corpus (the driver of a 10k-article ingest held all 8,000
incidents with every report's words). Here the index lives in three tables (migration
``m_link_block_index``):

- ``link_blocks (key, incident_id)``: one row per incident under a key (the Linker's key
  tuples as JSON), indexed by key for look-ups and by incident for re-filing;
- ``link_words (word, df, posting, common)``: how many reports use each word (its idf), how
  many incidents its word key holds, and whether it grew too common to block on;
- ``link_cards (incident_id, card)``: each incident as scoring reads it (link/known.py, card_of:
  its scored fields and its reports' words, a few KB of JSON), so that a candidate is read
  with one row instead of its mentions with every claim;
- ``link_state``: how many mentions the index has counted. The index is trusted only while
  that equals the number of stored mentions and nothing moved mentions behind it: relink,
  analyst merges or splits and mentions removed without the linker call :func:`invalidate`,
  and the pipeline then rebuilds it from the stored mentions, as the in-memory linker always
  did.

An updated article (same id, new text) takes its old mentions out through the linker instead
(``link.Linker.remove``): their words are uncounted and the incidents they belonged to get
their cards rewritten from their remaining mentions (or lose card and block rows when none
remain), written in the transaction that deletes the mentions (``Store.remove_article_mentions``
with ``also``). A rebuild read every stored mention into memory: on a 40k-article store one
update cost over 13 minutes of CPU and 1.7 GB.

The word counts are read into memory at the start of a run (one entry per distinct word: they
grow with the vocabulary, not with the number of articles); postings are read per mention, one
query for all its keys. Changes are buffered and written by :meth:`StoredBlocks.flush` inside
the transaction that stores the mentions they came from, so a run killed at any point leaves
an index that matches the stored mentions.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable

from sqlalchemy import text

from ..link.known import Candidate, card_of, top_shared

__all__ = ["StoredBlocks", "invalidate"]

CHUNK = 500             # rows per IN clause / per insert batch (within every backend's limits)
KEY_SETS_HELD = 20_000  # incidents whose keys are remembered between flushes


def _key(key: tuple) -> str:
    return json.dumps(key, separators=(",", ":"), ensure_ascii=False)


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _in(values: list[str]) -> tuple[str, dict]:
    return "(" + ", ".join(f":v{n}" for n in range(len(values))) + ")", {f"v{n}": v for n, v in enumerate(values)}


def invalidate(conn) -> None:
    """Mentions changed outside the linker: the next ingest rebuilds the index."""
    conn.execute(text("DELETE FROM link_state"))


class StoredBlocks:
    """The block index and word counts of a store, as ``link.Linker.stored`` uses them."""

    def __init__(self, engine):
        self.engine = engine
        self.df: Counter = Counter()
        self.sizes: dict[str, int] = {}   # word -> incidents under its key
        self.common: set[str] = set()
        self.n_mentions = 0
        self._added: dict[str, set[str]] = defaultdict(set)  # key -> incidents filed since the flush
        self._dropped: set[str] = set()
        self._words: set[str] = set()      # words whose counts changed since the flush
        self._keys_of: dict[str, set[str]] = {}  # incident -> keys it is filed under (a cache)
        self._changed: dict[str, Candidate] = {}  # incidents whose card is to be rewritten
        self._gone: set[str] = set()              # merged into another: their cards go
        with engine.connect() as conn:
            state = conn.execute(text("SELECT mentions FROM link_state WHERE id = 1")).scalar()
            stored = conn.execute(text("SELECT COUNT(*) FROM mentions")).scalar()
            self.valid = state == stored or (state is None and stored == 0)
            if self.valid:
                self.n_mentions = stored
                for word, df, posting, common in conn.execute(text("SELECT word, df, posting, common FROM link_words")):
                    if df:
                        self.df[word] = df
                    if posting:
                        self.sizes[word] = posting
                    if common:
                        self.common.add(word)

    # ------------------------------------------------------------ what the Linker calls
    def postings(self, keys: Iterable[tuple]) -> dict[tuple, set[str]]:
        by_text = {_key(k): k for k in keys}
        out: dict[tuple, set[str]] = defaultdict(set)
        wanted = [t for t in by_text if t not in self._dropped]
        with self.engine.connect() as conn:
            for chunk in _chunks(wanted):
                clause, params = _in(chunk)
                for key, incident_id in conn.execute(
                        text(f"SELECT key, incident_id FROM link_blocks WHERE key IN {clause}"), params):
                    out[by_text[key]].add(incident_id)
        for t, k in by_text.items():
            if t in self._added:
                out[k] |= self._added[t]
        return out

    def top_shared(self, keys: list[tuple], n: int) -> list[str]:
        """The ``n`` incidents filed under most of ``keys``, ties to the smaller id (what
        ``link.known.top_shared`` makes of their postings), counted by the database: a word
        key holds up to ``link.TERM_POSTING_CAP`` incidents, and reading every row of a
        mention's eight word keys into Python cost more per mention the larger the store (the
        postings fill up as it grows). Incidents filed since the last flush are counted apart
        and ranked with the database's first ``n`` of the others, which gives the same list."""
        texts = [t for t in dict.fromkeys(map(_key, keys)) if t not in self._dropped]
        pending = sorted({i for t in texts for i in self._added.get(t, ())})
        if not texts or len(texts) + len(pending) > CHUNK:
            return top_shared(self.postings(keys), n)
        clause, params = _in(texts)
        params.update({f"p{k}": v for k, v in enumerate(pending)})
        pending_in = "(" + ", ".join(f":p{k}" for k in range(len(pending))) + ")"
        order = 'incident_id COLLATE "C"' if self.engine.dialect.name == "postgresql" else "incident_id"
        with self.engine.connect() as conn:
            ranked = [(-c, i) for i, c in conn.execute(text(
                f"SELECT incident_id, COUNT(*) AS c FROM link_blocks WHERE key IN {clause}"
                + (f" AND incident_id NOT IN {pending_in}" if pending else "")
                + f" GROUP BY incident_id ORDER BY c DESC, {order} LIMIT {int(n)}"), params)]
            if pending:  # (key, incident) pairs, stored or not yet: each counts once
                filed = {(t, i) for t in texts for i in self._added.get(t, ())}
                filed.update(conn.execute(text(
                    f"SELECT key, incident_id FROM link_blocks WHERE key IN {clause} AND incident_id IN {pending_in}"),
                    params).all())
                ranked += [(-c, i) for i, c in Counter(i for _, i in filed).items()]
        return [i for _, i in sorted(ranked)[:n]]

    def add(self, key: tuple, incident_id: str) -> int:
        """File the incident under ``key``; returns how many incidents a word key holds (0 for
        other keys: only word keys have a cap)."""
        t = _key(key)
        filed = self._keys_of.get(incident_id)
        if filed is None:
            filed = self._keys_of[incident_id] = self._load_keys(incident_id)
        is_word = key[0] == "word"
        if t in filed:
            return self.sizes.get(key[1], 0) if is_word else 0
        filed.add(t)
        self._added[t].add(incident_id)
        if not is_word:
            return 0
        self.sizes[key[1]] = size = self.sizes.get(key[1], 0) + 1
        self._words.add(key[1])
        return size

    def drop(self, key: tuple) -> None:
        """Forget a word key grown too common (the Linker has put the word in ``common``)."""
        t = _key(key)
        self._added.pop(t, None)
        self._dropped.add(t)
        self._words.add(key[1])

    def new_incident(self, incident_id: str) -> None:
        self._keys_of[incident_id] = set()

    def counted(self, terms: Counter) -> None:
        self.n_mentions += 1
        self._words.update(terms)

    def uncounted(self, terms: Counter) -> None:
        """A report was taken out (``link.Linker.remove``; the linker lowered ``df``, which is
        this index's)."""
        self.n_mentions -= 1
        self._words.update(terms)

    def changed(self, cand: Candidate) -> None:
        self._changed[cand.incident_id] = cand
        self._gone.discard(cand.incident_id)

    def gone(self, incident_id: str) -> None:
        """The incident was merged into another: its card and its block rows go (at the flush),
        and each word key it was under holds one incident fewer (toward the posting cap)."""
        self._changed.pop(incident_id, None)
        self._gone.add(incident_id)
        filed = self._keys_of.pop(incident_id, None)
        for t in self._load_keys(incident_id) if filed is None else filed:
            if t in self._added:
                self._added[t].discard(incident_id)
            key = json.loads(t)
            if key[0] == "word" and self.sizes.get(key[1]):
                self.sizes[key[1]] -= 1
                self._words.add(key[1])

    def cards(self, incident_ids: list[str]) -> dict[str, str]:
        """{incident id: its card} of those of ``incident_ids`` that have one."""
        out = {i: card_of(self._changed[i]) for i in incident_ids if i in self._changed}
        wanted = [i for i in incident_ids if i not in out and i not in self._gone]
        with self.engine.connect() as conn:
            for chunk in _chunks(wanted):
                clause, params = _in(chunk)
                out.update(conn.execute(text(f"SELECT incident_id, card FROM link_cards WHERE incident_id IN {clause}"),
                                        params).all())
        return out

    def _load_keys(self, incident_id: str) -> set[str]:
        with self.engine.connect() as conn:
            return {r[0] for r in conn.execute(text("SELECT key FROM link_blocks WHERE incident_id = :i"),
                                               {"i": incident_id})}

    # ------------------------------------------------------------ writing
    def flush(self, conn) -> None:
        """Write the changes since the last flush on ``conn`` (the caller's transaction)."""
        for chunk in _chunks(sorted(self._dropped)):
            clause, params = _in(chunk)
            conn.execute(text(f"DELETE FROM link_blocks WHERE key IN {clause}"), params)
        rows = [{"k": t, "i": i} for t, ids in self._added.items() for i in sorted(ids)]
        for chunk in _chunks(rows):
            conn.execute(text("INSERT INTO link_blocks (key, incident_id) VALUES (:k, :i) "
                              "ON CONFLICT (key, incident_id) DO NOTHING"), chunk)
        self._write_words(conn, sorted(self._words))
        for chunk in _chunks(sorted(self._gone)):
            clause, params = _in(chunk)
            conn.execute(text(f"DELETE FROM link_cards WHERE incident_id IN {clause}"), params)
            conn.execute(text(f"DELETE FROM link_blocks WHERE incident_id IN {clause}"), params)
        self._write_cards(conn, self._changed.values())
        conn.execute(text("INSERT INTO link_state (id, mentions) VALUES (1, :n) "
                          "ON CONFLICT (id) DO UPDATE SET mentions = excluded.mentions"), {"n": self.n_mentions})
        self._added, self._dropped, self._words, self._changed = defaultdict(set), set(), set(), {}
        self._gone = set()
        if len(self._keys_of) > KEY_SETS_HELD:
            self._keys_of = {}

    def _write_words(self, conn, words: list[str]) -> None:
        """Write these words' counts; a word left with none (every report that used it taken
        out, under no key, not common) loses its row, as if it had never been counted."""
        rows, unused = [], []
        for w in words:
            r = {"w": w, "d": self.df.get(w, 0), "p": self.sizes.get(w, 0), "c": int(w in self.common)}
            if r["d"] or r["p"] or r["c"]:
                rows.append(r)
            else:
                unused.append(w)
        for chunk in _chunks(unused):
            clause, params = _in(chunk)
            conn.execute(text(f"DELETE FROM link_words WHERE word IN {clause}"), params)
        for chunk in _chunks(rows):
            conn.execute(text("INSERT INTO link_words (word, df, posting, common) VALUES (:w, :d, :p, :c) "
                              "ON CONFLICT (word) DO UPDATE SET df = excluded.df, posting = excluded.posting, "
                              "common = excluded.common"), chunk)

    @staticmethod
    def _write_cards(conn, candidates: Iterable[Candidate]) -> None:
        rows = [{"i": c.incident_id, "c": card_of(c)} for c in candidates]
        for chunk in _chunks(rows):
            conn.execute(text("INSERT INTO link_cards (incident_id, card) VALUES (:i, :c) "
                              "ON CONFLICT (incident_id) DO UPDATE SET card = excluded.card"), chunk)

    def replace(self, postings: Iterable[tuple[tuple, set[str]]], df: Counter, n_mentions: int,
                common: set[str], candidates: Iterable[Candidate]) -> None:
        """Replace the whole index with one built in memory (``link.Linker(mentions)``, its
        known incidents ``candidates``)."""
        self.df, self.n_mentions, self.common = Counter(df), n_mentions, set(common)
        self.sizes = {}
        self._added, self._dropped, self._keys_of, self._changed = defaultdict(set), set(), {}, {}
        self._gone = set()
        rows = []
        for key, ids in postings:
            if key[0] == "word":
                self.sizes[key[1]] = len(ids)
            t = _key(key)
            rows += [{"k": t, "i": i} for i in sorted(ids)]
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM link_blocks"))
            conn.execute(text("DELETE FROM link_words"))
            conn.execute(text("DELETE FROM link_cards"))
            self._write_cards(conn, candidates)
            for chunk in _chunks(rows, 5000):
                conn.execute(text("INSERT INTO link_blocks (key, incident_id) VALUES (:k, :i)"), chunk)
            self._words = set()
            self._write_words(conn, sorted(set(self.df) | set(self.sizes) | self.common))
            conn.execute(text("DELETE FROM link_state"))
            conn.execute(text("INSERT INTO link_state (id, mentions) VALUES (1, :n)"), {"n": n_mentions})
        self.valid = True
