"""The duplicate index (dedup.StoryIndex) keeps signatures in a numpy matrix and datasketch's
LSH banding in sorted arrays (dedup.BandIndex): it must group exactly the stories datasketch's own MinHashLSH and
MinHash.jaccard group, on text where many articles are near-copies of a few templates."""

from __future__ import annotations

import random

from datasketch import MinHash, MinHashLSH

from incidentwire import dedup
from incidentwire.records import Article


def _articles(n: int) -> list[Article]:
    """Wire copies with a changed word or two, trimmed copies, and unrelated texts."""
    rng = random.Random(3)
    vocab = [f"word{i}" for i in range(400)]
    stories = [[rng.choice(vocab) for _ in range(120)] for _ in range(12)]
    out = []
    for i in range(n):
        words = list(rng.choice(stories)) if rng.random() < 0.7 else [rng.choice(vocab) for _ in range(120)]
        for _ in range(rng.randint(0, 12)):          # edits: some copies stay above the threshold
            words[rng.randrange(len(words))] = rng.choice(vocab)
        words = words[:rng.randint(60, 120)]
        out.append(dedup.fingerprint(Article(id=f"a{i:04d}", text=" ".join(words))))
    return out


def _datasketch_stories(articles: list[Article]) -> list[str]:
    """What the index did when it held datasketch's MinHash objects and MinHashLSH."""
    lsh = MinHashLSH(threshold=dedup.THRESHOLD, num_perm=dedup.NUM_PERM, params=dedup._bands())
    sketches, story_of, out = {}, {}, []
    for art in articles:
        sketch = dedup.signature(art.text)
        best, best_sim = None, dedup.THRESHOLD
        for other in lsh.query(sketch):
            sim = sketch.jaccard(sketches[other])
            if sim >= best_sim and (best is None or sim > best_sim or other < best):
                best, best_sim = other, sim
        story_of[art.id] = story_of.get(best, best) if best else art.id
        sketches[art.id] = sketch
        lsh.insert(art.id, sketch)
        out.append(story_of[art.id])
    return out


def test_matrix_index_groups_the_stories_datasketch_groups():
    articles = _articles(400)
    index = dedup.StoryIndex()
    ours = [index.assign(a).story_id for a in articles]
    assert ours == _datasketch_stories(articles)
    assert 20 < sum(s != a.id for s, a in zip(ours, articles)) < 380   # both outcomes occur


def test_reloaded_and_forgotten_articles():
    articles = _articles(60)
    first = dedup.StoryIndex()
    for a in articles:
        first.assign(a)
    reloaded = dedup.StoryIndex([(a.id, a.story_id, a.text_key, a.minhash) for a in articles])
    copy = Article(id="late", text=articles[5].text + " one more line")
    assert reloaded.assign(dedup.fingerprint(copy)).story_id == articles[5].story_id
    assert isinstance(dedup.signature(articles[5].text), MinHash)
    story = articles[5].story_id
    for a in articles:
        reloaded.forget(a.id)
    # the originals are gone; the late copy still holds their story
    alone = Article(id="again", text=articles[5].text + " and another")
    assert reloaded.assign(dedup.fingerprint(alone)).story_id == story
    for gone in ("late", "again"):
        reloaded.forget(gone)
    fresh = Article(id="third", text=articles[5].text)
    assert reloaded.assign(dedup.fingerprint(fresh)).story_id == "third"   # nothing left to match


def test_banding_is_the_one_datasketch_picks():
    """dedup.BANDS is written out so the ingesting process need not import datasketch; it must
    stay what MinHashLSH computes for our threshold, permutations and weights."""
    lsh = MinHashLSH(threshold=dedup.THRESHOLD, num_perm=dedup.NUM_PERM, weights=dedup.LSH_WEIGHTS)
    assert dedup.BANDS == (lsh.b, lsh.r)


def test_band_index_finds_every_row_under_a_band_key_sorted_in_or_not():
    """dedup.BandIndex files (band, key) pairs in one sorted array under a 60-bit prefix of the
    key: a look-up gives exactly the rows with an equal key in the same band, whether they were
    sorted in or still wait in the recent dict, and never a row whose key differs only in the
    bits the prefix leaves out, nor one with that key in another band."""
    import numpy as np

    rng = np.random.default_rng(1)
    n, bands = 3000, dedup._bands()[0]
    keys = rng.integers(0, 2**63, size=(n, bands), dtype=np.uint64)
    keys[::7, 3] = keys[0, 3]                    # a big bucket
    keys[14::13, 2] = keys[1, 2] ^ np.uint64(1)  # the same prefix as row 1's key, not the same key
    keys[2::17, 5] = keys[0, 3]                  # row 0's band-3 key, in band 5
    index = dedup.BandIndex(bands)
    index.add_many(keys[:1000], np.arange(1000))
    for row in range(1000, n):                   # sorted in past 1,024 recent rows, some left waiting
        index.add(keys[row], row)
    assert index._recent
    for probe in [0, 1, 2, 13, 14, 999, 1000, 2500, n - 1]:
        expected = np.flatnonzero((keys == keys[probe]).any(axis=1)).tolist()
        assert index.rows(keys[probe]).tolist() == expected
    assert 1 not in index.rows(keys[14]).tolist() and len(index.rows(keys[0])) >= n // 7
