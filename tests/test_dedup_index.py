"""The duplicate index (dedup.StoryIndex) keeps signatures in a numpy matrix and datasketch's
LSH banding in plain dicts: it must group exactly the stories datasketch's own MinHashLSH and
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
