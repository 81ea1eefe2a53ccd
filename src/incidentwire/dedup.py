"""Duplicate stage: group syndicated copies of one story so they count as one source.

Two levels, both over the clean text:

* exact duplicates: the SHA-256 of the clean text with whitespace and case folded. The later
  article gets ``duplicate_of`` = the first one's id (and its ``story_id``).
* near-duplicates: a MinHash (datasketch, ``NUM_PERM`` permutations, scheme ``affine64``) of the
  first ``MAX_WORDS`` words' ``SHINGLE``-grams, looked up in a MinHash LSH index at Jaccard ``THRESHOLD`` (banding tuned for recall); a
  candidate is accepted only if its estimated Jaccard similarity really reaches the threshold.
  A wire report picked up by several outlets -- new headline, trimmed last paragraphs, an
  added line of local colour -- stays well above it; two outlets writing up the same event
  in their own words share few 4-word runs and stay apart (separate sources, as they should).

Every article gets ``story_id``: the id of the first article seen of its story (its own id
when it is the first). The linker counts independent sources as distinct story ids.

The index is rebuilt at the start of each run from the signatures stored with each article
(``Article.minhash``, 8 bytes per permutation), so grouping is the same whether a folder is
ingested in one run or resumed after a crash. Articles under ``MIN_WORDS`` words are only
matched exactly (a handful of shingles says nothing).
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from .records import Article

NUM_PERM = 64
SHINGLE = 4
THRESHOLD = 0.6
MIN_WORDS = 25
MAX_WORDS = 400   # a wire story's copies share their first paragraphs; later ones are often cut
SCHEME = "affine64"
LSH_WEIGHTS = (0.2, 0.8)   # (false positive, false negative) weights for datasketch's banding
_WORD = re.compile(r"\w+")
# the fewest equal permutations whose share reaches THRESHOLD (as the float comparison reads it)
_MIN_EQUAL = next(c for c in range(NUM_PERM + 1) if c / float(NUM_PERM) >= THRESHOLD)


def text_key(text: str) -> str:
    """The exact-duplicate key: SHA-256 of the text with case and whitespace folded."""
    return hashlib.sha256(" ".join(text.split()).casefold().encode("utf-8", "surrogatepass")).hexdigest()


def _identity(value):
    return value


# ASCII bytes -> the same bytes lower-cased, every byte that ``\w`` does not match -> a space, so
# that ``split()`` gives exactly the ``_WORD`` matches of the case-folded text.
_ASCII_WORDS = bytes(c + 32 if 65 <= c <= 90 else c if (48 <= c <= 57 or 97 <= c <= 122 or c == 95) else 32
                     for c in range(256))


def _words(text: str) -> list[bytes]:
    r"""The first ``MAX_WORDS`` ``\w+`` words of the case-folded text, UTF-8 encoded.

    Most news is ASCII: one ``bytes.translate`` and ``split`` give the words in a tenth of the
    regex's time (the regex over the case-folded text cost 0.17 ms a page). Other text takes
    the regex."""
    head = text[:MAX_WORDS * 12]
    if head.isascii():
        return head.encode("ascii").translate(_ASCII_WORDS).split()[:MAX_WORDS]
    words = _WORD.findall(head.casefold())[:MAX_WORDS]
    # one encode for all words (a per-word generator cost 0.2 ms); \w never matches NUL
    return "\x00".join(words).encode("utf-8", "surrogatepass").split(b"\x00") if words else []


def _shingle_hashes(words: list[str] | list[bytes]) -> np.ndarray:
    """Stable 64-bit hashes of the word ``SHINGLE``-grams: CRC-32 per word (of its UTF-8 bytes),
    then a polynomial over each window in numpy (hashing every shingle string with datasketch's
    default SHA-1 cost more than trafilatura's whole extraction on long pages). A repeated
    shingle is left in: the minimum over a multiset is the minimum over its set, and sorting
    them out cost as much as the hashing."""
    if words and isinstance(words[0], str):
        words = "\x00".join(words).encode("utf-8", "surrogatepass").split(b"\x00")
    ids = np.fromiter(map(zlib.crc32, words), dtype=np.uint64, count=len(words))
    out = np.zeros(len(words) - SHINGLE + 1, dtype=np.uint64)
    for k in range(SHINGLE):  # uint64 arithmetic wraps, which is what a hash wants
        out = out * np.uint64(0x100000001B3) + ids[k:len(ids) - SHINGLE + 1 + k]
    return out


@lru_cache(maxsize=1)
def _permutations() -> np.ndarray:
    """The permutation parameters every sketch shares: drawing them again for each new MinHash
    (datasketch's default) cost a third of the signature's time.

    Drawn the way datasketch's ``MinHash(scheme="affine64")`` draws them (odd multipliers and
    offsets from ``RandomState(1)``; tests/test_ingest_speed.py pins the two together), without
    importing it: datasketch pulls in scipy, ~0.5 s of CPU in every process of every run."""
    gen = np.random.RandomState(1)
    a = gen.randint(0, 1 << 63, NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = gen.randint(0, 1 << 64, NUM_PERM, dtype=np.uint64)
    return np.array([a, b])


# MurmurHash3's 64-bit finalizer, which datasketch's affine64 scheme applies to each input hash
_FMIX64 = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(33), np.uint64(0xC4CEB9FE1A85EC53), np.uint64(33))


def _hashvalues(shingles: np.ndarray) -> np.ndarray:
    """The affine64 MinHash values of ``shingles``, as datasketch's ``update_batch`` computes
    them (tests/test_ingest_speed.py pins the two together) but in three numpy operations:
    its per-value Python loop over the hash function took half the signature's time."""
    s1, m1, s2, m2, s3 = _FMIX64
    a, b = _permutations()
    with np.errstate(over="ignore"):
        hv = (shingles ^ (shingles >> s1)) * m1
        hv = (hv ^ (hv >> s2)) * m2
        hv ^= hv >> s3
        return (hv[:, None] * a + b).min(axis=0)


def _signature_values(text: str) -> np.ndarray | None:
    words = _words(text)
    return _hashvalues(_shingle_hashes(words)) if len(words) >= MIN_WORDS else None


def signature(text: str):
    """MinHash of the word shingles of ``text``'s first ``MAX_WORDS`` words, or None when the
    text is too short to compare."""
    values = _signature_values(text)
    if values is None:
        return None
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, scheme=SCHEME, hashvalues=values, permutations=_permutations())


def fingerprint(article: Article) -> Article:
    """Set ``text_key`` and ``minhash`` from the clean text: the per-article half of the
    duplicate stage, which executors run on their workers; ``StoryIndex.assign`` (one process,
    in input order) does the lookups."""
    text = article.clean_text or article.text
    values = _signature_values(text)
    article.minhash = values.tobytes() if values is not None else b""
    article.text_key = text_key(text)
    return article


# (bands, rows per band) that datasketch's ``MinHashLSH`` picks for ``THRESHOLD``, ``NUM_PERM``
# and ``LSH_WEIGHTS``: recall-heavy banding (14 bands of 4 rows, the first 56 permutations), so a
# pair at Jaccard 0.7 becomes a candidate 98% of the time (the default weights: 71%); candidates
# are then checked exactly. Written out, not asked of datasketch: importing it (and the scipy
# it integrates with) cost the ingesting process ~1 s of CPU a run, while the workers that hash
# need only its permutations. tests/test_dedup_index.py pins these to datasketch's own choice.
BANDS = (14, 4)


def _bands() -> tuple[int, int]:
    """(bands, rows per band) of the LSH index (``BANDS``)."""
    return BANDS


_BAND_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5,
                      0x94D049BB133111EB, 0xBF58476D1CE4E5B9, 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD],
                     dtype=np.uint64)


def _band_keys(sketches: np.ndarray) -> np.ndarray:
    """One 64-bit key per band (its rows mixed) of each sketch (a row of ``sketches``, or one
    sketch): equal bands give equal keys, and two different bands one key with odds of
    2**-64, so the candidates are datasketch's."""
    b, r = _bands()
    with np.errstate(over="ignore"):
        mixed = sketches[..., :b * r].reshape(*sketches.shape[:-1], b, r) * _BAND_MIX[:r]
    return np.bitwise_xor.reduce(mixed ^ (mixed >> np.uint64(29)), axis=-1)


RECENT_ROWS = 1024  # rows filed in dicts before they are sorted into the arrays


class BandIndex:
    """The rows (sketches) under each band key of the LSH index, in sorted arrays.

    Each (band, key) pair is filed under ``band << 60 | key >> 4``, one sorted uint64 array for
    all bands, beside the full key (checked after the search: two keys of one band that agree
    but in their last 4 bits are not one bucket) and the row: 20 bytes a row and band. Rows
    filed since the last sort wait in a dict and are sorted in, ``RECENT_ROWS`` at a time (a
    stable sort of a sorted run and a short one is a merge: one pass). A look-up is one binary
    search for all the bands. Per band a dict {key: row or [rows]} (the index before) cost a
    Python set of every candidate row to look up; with 100k articles filed the index (and the
    matrix) held 135 MB (tracemalloc), 115 MB as arrays, the low bytes (``StoryIndex``) included."""

    def __init__(self, bands: int):
        self._band_bits = np.arange(bands, dtype=np.uint64) << np.uint64(60)
        self._sorted = np.zeros(0, dtype=np.uint64)   # band << 60 | key >> 4, ascending
        self._keys = np.zeros(0, dtype=np.uint64)     # the full key of each entry
        self._rows = np.zeros(0, dtype=np.int32)
        self._recent: dict[tuple[int, int], list[int]] = {}  # (band, key) -> rows not sorted in yet
        self._n_recent = 0

    def add_many(self, keys: np.ndarray, rows: np.ndarray) -> None:
        """File ``rows`` (one a row of ``keys``: their band keys) and sort them in."""
        self._sort_in(keys.ravel(), np.repeat(rows.astype(np.int32), keys.shape[1]),
                      np.tile(self._band_bits, len(rows)))

    def add(self, keys: np.ndarray, row: int) -> None:
        for band, key in enumerate(keys.tolist()):
            self._recent.setdefault((band, key), []).append(row)
        self._n_recent += 1
        if self._n_recent >= RECENT_ROWS:
            pairs = [(band, key, r) for (band, key), held in self._recent.items() for r in held]
            self._sort_in(np.array([k for _, k, _ in pairs], dtype=np.uint64),
                          np.array([r for _, _, r in pairs], dtype=np.int32),
                          self._band_bits[np.array([b for b, _, _ in pairs], dtype=np.int64)])
            self._recent, self._n_recent = {}, 0

    def _sort_in(self, keys: np.ndarray, rows: np.ndarray, band_bits: np.ndarray) -> None:
        merged = np.concatenate([self._sorted, band_bits | (keys >> np.uint64(4))])
        order = np.argsort(merged, kind="stable")
        self._sorted = merged[order]
        self._keys = np.concatenate([self._keys, keys])[order]
        self._rows = np.concatenate([self._rows, rows])[order]

    def rows(self, keys: np.ndarray) -> np.ndarray:
        """The distinct rows filed under one of ``keys`` (a sketch's band keys) in its band."""
        wanted = self._band_bits | (keys >> np.uint64(4))
        lo, hi = self._sorted.searchsorted(wanted, "left"), self._sorted.searchsorted(wanted, "right")
        counts = hi - lo
        total = int(counts.sum())
        found = []
        if total:
            # every index of every [lo, hi) range, then only the entries of the exact key
            at = np.arange(total) + np.repeat(lo - (np.cumsum(counts) - counts), counts)
            found.append(self._rows[at][self._keys[at] == np.repeat(keys, counts)])
        if self._recent:
            get = self._recent.get
            found += [held for band, key in enumerate(keys.tolist()) if (held := get((band, key)))]
        if not found:
            return np.zeros(0, dtype=np.int64)
        rows = np.sort(np.concatenate([np.asarray(f, dtype=np.int64) for f in found]))
        return rows[np.concatenate(([True], rows[1:] != rows[:-1]))]  # np.unique hashes: 3x slower here


class StoryIndex:
    """Assigns ``story_id`` / ``duplicate_of`` to articles, remembering every one it has seen.

    The LSH banding is datasketch's (``_bands``), held as one numpy matrix of signatures
    (8 bytes a permutation) and a ``BandIndex`` of their band keys. A candidate then costs a
    row compare, not a Python object: on synthetic news, where templates make ~400
    candidates per article at 10k articles (~4,000 at 100k: the one cost here that grows with
    the store), datasketch's MinHash objects and tables cost ~5 KB an article and most of the
    ingesting process's time. Candidates are first compared on the low byte of each value
    (``_low``, 64 bytes a row): most fall short there. Look-up and compare, the same 1,000
    articles against 10k / 50k / 99k stored (load ~5): 0.2 / 1.1-1.5 / 2.1-2.7 ms an article
    with per-band dicts and full rows, 0.2 / 0.6-0.8 / 0.9-1.3 ms now."""

    def __init__(self, known: Iterable[tuple[str, str | None, str | None, bytes | None]] = ()):
        """``known``: (article id, story id, text key, minhash bytes) of stored articles, in the
        order they were ingested."""
        self._matrix = np.zeros((1024, NUM_PERM), dtype=np.uint64)
        self._low = np.zeros((1024, NUM_PERM), dtype=np.uint8)  # each value's low byte
        self._alive = np.zeros(1024, dtype=bool)  # row -> still filed (False: forgotten)
        self._ids: list[str | None] = []        # row -> article id (None: forgotten)
        self._row: dict[str, int] = {}          # article id -> row
        self._bands = BandIndex(_bands()[0])
        self.story_of: dict[str, str] = {}
        self.by_key: dict[str, str] = {}
        for art_id, story_id, key, raw in known:
            self._remember(art_id, story_id or art_id, key, self._load(raw), file=False)
        if self._ids:  # the stored sketches' bands, sorted at once
            rows = np.arange(len(self._ids))
            self._bands.add_many(_band_keys(self._matrix[rows]), rows)

    @staticmethod
    def _load(raw: bytes | None) -> np.ndarray | None:
        return np.frombuffer(raw, dtype=np.uint64) if raw else None

    def _remember(self, art_id: str, story_id: str, key: str | None, sketch: np.ndarray | None,
                  file: bool = True) -> None:
        self.story_of[art_id] = story_id
        if key:
            self.by_key.setdefault(key, art_id)
        if sketch is not None and art_id not in self._row:
            row = len(self._ids)
            if row == len(self._matrix):
                self._matrix = np.concatenate([self._matrix, np.zeros_like(self._matrix)])
                self._low = np.concatenate([self._low, np.zeros_like(self._low)])
                self._alive = np.concatenate([self._alive, np.zeros_like(self._alive)])
            self._matrix[row] = sketch
            self._low[row] = sketch.astype(np.uint8)
            self._alive[row] = True
            self._ids.append(art_id)
            self._row[art_id] = row
            if file:
                self._bands.add(_band_keys(sketch), row)

    def forget(self, art_id: str) -> None:
        """Drop an article about to be re-ingested with new content."""
        row = self._row.pop(art_id, None)
        if row is not None:
            self._ids[row] = None
            self._alive[row] = False
        self.by_key = {k: v for k, v in self.by_key.items() if v != art_id}

    def assign(self, article: Article) -> Article:
        """Set ``story_id``, ``duplicate_of``, ``minhash`` (and ``text_key``) on ``article``;
        the hashes ``fingerprint`` already set (on a worker) are used as they are."""
        if article.text_key is None:
            fingerprint(article)
        key, sketch = article.text_key, self._load(article.minhash)
        article.duplicate_of = None
        first = self.by_key.get(key)
        if first is not None and first != article.id:
            article.duplicate_of = first
            article.story_id = self.story_of.get(first, first)
        elif sketch is not None:
            article.story_id = self._nearest_story(article.id, sketch) or article.id
        else:
            article.story_id = article.id
        self._remember(article.id, article.story_id, key, sketch)
        return article

    def _nearest_story(self, art_id: str, sketch: np.ndarray) -> str | None:
        """The story of the most similar article at Jaccard ``THRESHOLD`` or more (the estimate
        MinHash.jaccard gives: the share of equal permutations), ties to the smallest id."""
        rows = self._bands.rows(_band_keys(sketch))
        own = self._row.get(art_id)
        rows = rows[self._alive[rows] & (rows != (-1 if own is None else own))]
        if not len(rows):
            return None
        # the low byte of equal values is equal: a row whose low bytes agree too rarely cannot
        # reach the threshold, and most candidates stop there for an eighth of the reading
        low = np.count_nonzero(self._low[rows] == sketch.astype(np.uint8), axis=1)
        rows = rows[low >= _MIN_EQUAL]
        if not len(rows):
            return None
        sims = np.count_nonzero(self._matrix[rows] == sketch, axis=1) / float(NUM_PERM)
        top = sims.max()
        if top < THRESHOLD:
            return None
        best = min(self._ids[r] for r in rows[sims == top].tolist())
        return self.story_of.get(best, best)
