"""The linker's block index kept in the store (store/link_index.py): ingest links exactly as
the in-memory linker would, holds only a bounded cache of known incidents, carries its index
from one run to the next, rebuilds it when mentions were moved behind its back, and takes an
updated article's old reports out of it without a rebuild.

Real parts: synthetic news ingested through the pipeline into real SQLite files, with the
relevance filter off so that off-topic articles are linked by their words too.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter

import pytest
from sqlalchemy import text

import incidentwire
from incidentwire import link, pipeline, review, synth
from incidentwire.engine import database_fingerprint
from incidentwire.link import known as link_known
from incidentwire.pipeline import ingest
from incidentwire.store import Store
from incidentwire.store.link_index import StoredBlocks

N_ARTICLES = 160


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Two shards of 80 articles (one folder reads as both shards in order)."""
    return synth.write_corpus(tmp_path_factory.mktemp("news") / "news", N_ARTICLES, seed=21, shard_size=80)


def _ingest(db_file, paths):
    db = incidentwire.open(db_file)
    report = ingest(db.store, paths, relevance_filter=False, partition_size=8)
    assert not report.rejected
    return db, report


@pytest.fixture(scope="module")
def whole(corpus, tmp_path_factory):
    """The corpus in one run, every known incident held in memory (the default cache)."""
    return _ingest(tmp_path_factory.mktemp("whole") / "whole.db", [corpus])[0]


def _relinked_in_memory(mentions):
    """Incident ids the in-memory linker gives the same mentions, linked in the same order."""
    counter = itertools.count(1)
    linker = link.Linker([], lambda: f"inc-{next(counter):06d}")
    for m in mentions:
        m.incident_id = None
        linker.link(m)
    return linker, [m.incident_id for m in mentions]


def test_index_rows_live_in_the_store_and_a_new_run_starts_with_nothing_in_memory(whole):
    counts = {t: whole.store.engine.connect().execute(text(f"SELECT COUNT(*) FROM {t}")).scalar()
              for t in ("link_blocks", "link_words", "mentions")}
    assert counts["link_blocks"] > counts["mentions"] > 100 and counts["link_words"] > 500
    linker = pipeline.open_linker(whole.store)
    assert len(linker.by_id) == 0 and linker.n_mentions == counts["mentions"]
    some = sorted({m.incident_id for m in whole.store.mentions()})[:5]
    assert [c.incident_id for c in linker.by_id.fetch(some)] == some   # read from the store on demand
    assert len(linker.by_id) == 5


def test_a_cache_of_a_few_mentions_gives_the_same_database(whole, corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "LINK_CACHE_MENTIONS", 3)  # nearly every candidate is read back
    small, _ = _ingest(tmp_path / "small.db", [corpus])
    assert database_fingerprint(small.store) == database_fingerprint(whole.store)


def test_two_runs_give_the_database_of_one(whole, corpus, tmp_path):
    db_file = tmp_path / "two.db"
    _, first = _ingest(db_file, [corpus / "part-00000.jsonl"])
    db, second = _ingest(db_file, [corpus / "part-00001.jsonl"])
    assert first.added == second.added == N_ARTICLES // 2
    assert second.incidents_updated > 0          # the second run linked to incidents of the first
    assert database_fingerprint(db.store) == database_fingerprint(whole.store)


def test_stored_index_links_and_files_like_the_in_memory_linker(corpus, tmp_path, monkeypatch):
    # a low cap makes common words leave the word index (and their rows the table) mid-run
    monkeypatch.setattr(link.linker, "TERM_POSTING_CAP", 6)
    monkeypatch.setattr(pipeline, "LINK_CACHE_MENTIONS", 10)
    db, _ = _ingest(tmp_path / "capped.db", [corpus])
    stored = db.store.mentions(saved_order=True)
    ids = [m.incident_id for m in stored]
    memory, again = _relinked_in_memory(stored)
    assert again == ids and len(set(ids)) < len(ids) - 20
    index = db.store.link_index()
    assert index.valid and index.n_mentions == len(stored) == memory.n_mentions
    assert index.common == memory._common and len(index.common) > 10
    assert index.df == memory.df
    with db.store.engine.connect() as conn:
        rows = set(conn.execute(text("SELECT key, incident_id FROM link_blocks")).all())
    assert rows == {(json.dumps(k, separators=(",", ":"), ensure_ascii=False), i) for k, held in memory.blocks.items() for i in held}


def test_moving_mentions_behind_the_linker_makes_the_next_run_rebuild(corpus, tmp_path):
    db_file = tmp_path / "review.db"
    db, _ = _ingest(db_file, [corpus / "part-00000.jsonl"])
    target, source = sorted({m.incident_id for m in db.store.mentions()})[:2]
    review.merge(db.store, target, source, who="tester")
    assert not db.store.link_index().valid
    db, report = _ingest(db_file, [corpus / "part-00001.jsonl"])
    index = db.store.link_index()
    assert index.valid and index.n_mentions == len(db.store.mentions())
    assert source not in {m.incident_id for m in db.store.mentions()}
    db.relink()
    assert not db.store.link_index().valid


def _assert_cards_match_stored_mentions(store) -> dict[str, list]:
    """Each card equals the candidate built from its incident's stored mentions, and only
    incidents with stored mentions have one; returns {incident: its stored mentions}."""
    with store.engine.connect() as conn:
        cards = dict(conn.execute(text("SELECT incident_id, card FROM link_cards")).all())
    stored = store.mentions_by_incident(sorted({m.incident_id for m in store.mentions()}))
    assert set(cards) == set(stored)
    for incident_id, mentions in stored.items():
        full, light = link.candidate_of(incident_id, mentions), link_known.candidate_of_card(incident_id, cards[incident_id])
        assert light.light and {k: full.fields.get(k) for k in link_known.SCORED_FIELDS} == \
            {k: light.fields.get(k) for k in link_known.SCORED_FIELDS}
        assert light.date == full.date and light.terms == full.terms
        assert [(m.article_id, m.role, m.on_topic, m.publisher, m.published) for m in light.mentions] == \
            [(m.article_id, m.role, m.on_topic, m.publisher, m.published) for m in full.mentions]
    return stored


def test_every_card_matches_its_incidents_stored_mentions(whole):
    """A card (link/known.py) is what scoring reads of a stored incident: after a whole run, with
    its merges, each equals the candidate built from the incident's stored mentions, and no card
    is left for an incident that has none."""
    assert len(_assert_cards_match_stored_mentions(whole.store)) > 50


def test_a_second_run_scores_stored_incidents_from_cards_and_reads_in_full_only_those_it_joins(
        whole, corpus, tmp_path, monkeypatch):
    """With an empty cache every candidate of the second run comes from the store: it is read
    from its card, and only an incident a mention joins (or a merge takes) is read with its
    mentions, so the reading per mention stays bounded however many candidates the store
    offers. The database is the one-run database."""
    db_file = tmp_path / "cards.db"
    _ingest(db_file, [corpus / "part-00000.jsonl"])
    monkeypatch.setattr(pipeline, "LINK_CACHE_MENTIONS", 0)
    read = {"full": 0, "cards": 0}
    load, cards = Store.mentions_by_incident, StoredBlocks.cards

    def counted_load(self, ids):
        ids = list(ids)
        read["full"] += len(ids)
        return load(self, ids)

    def counted_cards(self, ids):
        read["cards"] += len(ids)
        return cards(self, ids)

    monkeypatch.setattr(Store, "mentions_by_incident", counted_load)
    monkeypatch.setattr(StoredBlocks, "cards", counted_cards)
    linked = []
    real_link = link.Linker.link

    def counted_link(self, mention):
        before = dict(read)
        out = real_link(self, mention)
        linked.append((read["full"] - before["full"], out[1] is not None))
        return out

    monkeypatch.setattr(link.Linker, "link", counted_link)
    db, second = _ingest(db_file, [corpus / "part-00001.jsonl"])
    # candidates came from cards (a report dated by its text, "on Monday", looks up no word
    # candidates: 1.5 cards a link since a dateline's day no longer dates the attack, 2.8 before)
    assert read["cards"] > len(linked) >= 100
    assert all(full <= 2 for full, _ in linked)            # ...the joined one (or a merged pair) in full
    assert sum(1 for full, joined in linked if joined and full == 1) > 10
    assert sum(full for full, joined in linked if not joined) == 0
    assert database_fingerprint(db.store) == database_fingerprint(whole.store)


def test_the_cache_lets_go_of_cards_once_linking_is_over(whole):
    """Reconciling the touched incidents reads full mentions only: the cards scoring read are
    dropped first (the end of a 100k-article run peaked ~60 MB higher with them held), and
    the incidents held in full stay for it."""
    linker = pipeline.open_linker(whole.store)
    ids = sorted({m.incident_id for m in whole.store.mentions()})
    light = linker.by_id.fetch(ids[:6])
    full = linker.by_id.full(ids[0])
    assert all(c.light for c in light) and not full.light and len(linker.by_id) == 6
    linker.by_id.drop_cards()
    assert list(linker.by_id) == [ids[0]] and linker.by_id[ids[0]] is full
    assert [c.incident_id for c in linker.by_id.fetch(ids[1:3])] == ids[1:3]  # read again on demand


def test_a_card_packs_report_words_and_weighs_them_as_the_counter_would():
    """A card keeps a report's words packed (vectors.PackedTerms: lower-cased words in one
    string, counts negative for names); read back they equal the Counter and weigh exactly
    what term_basis gives it, in its order. Words that cannot be packed (a space, a mixed
    case, a name and its lower-case form both, a count past the table) keep the object form."""
    from collections import Counter

    import numpy as np

    from incidentwire.link.vectors import PackedTerms, term_basis
    from incidentwire.records import Mention

    plain = Counter({"bomb": 3, "Aden": 2, "2011": 1, "o'brien": 1, "well-known": 70, "market": 1})
    odd = [Counter({"two words": 1}), Counter({"iPhone": 1}), Counter({"Aden": 1, "aden": 2}), Counter({"x1": 0}),
           Counter({"bomb": 128})]
    assert PackedTerms.pack(plain) is not None and all(PackedTerms.pack(t) is None for t in odd)
    cand = link.Candidate("inc-1", mentions=[Mention(article_id=f"a{k}", index=0, role="main")
                                             for k in range(6)], terms=[plain, *odd])
    light = link_known.candidate_of_card("inc-1", link_known.card_of(cand))
    assert light.terms == cand.terms and isinstance(light.terms[0], PackedTerms)
    assert [type(t) for t in light.terms[1:]] == [Counter] * 5
    words, weights = light.terms[0].basis()
    expected = term_basis(plain)
    assert words == list(expected) and np.array_equal(weights, np.fromiter(expected.values(), dtype=np.float64))
    assert words[:3] == ["bomb", "aden", "2011"] and weights[1] == term_basis(Counter({"Aden": 2}))["aden"]
    # a card written before (counts as a list, any size) reads and weighs the same
    before = PackedTerms(" ".join(words), [3, -2, 1, 1, 200, 1])
    assert before["well-known"] == 200 and before.basis()[1][4] == term_basis(Counter({"well-known": 200}))["well-known"]


def test_the_store_ranks_shared_word_keys_as_the_postings_do(tmp_path):
    """StoredBlocks.top_shared (counted by the database, with what is filed but not flushed yet
    counted apart) gives the list link.known.top_shared makes of the same postings: most keys
    shared first, ties to the smaller id."""
    store = incidentwire.open(tmp_path / "shared.db").store
    blocks = store.link_index()
    words = [("word", w) for w in ("bomb", "market", "aden", "gunmen", "border")]
    for k in range(40):
        blocks.new_incident(f"inc-{k:03d}")
        for j, key in enumerate(words):
            if (k * 7 + j * 3) % 5 < 2 + k % 3:
                blocks.add(key, f"inc-{k:03d}")
    with store.engine.begin() as conn:
        blocks.flush(conn)
    for k in range(0, 50, 3):  # filed since the flush: stored incidents under new keys, and new incidents
        if k >= 40:
            blocks.new_incident(f"inc-{k:03d}")
        for key in words[k % 4:]:
            blocks.add(key, f"inc-{k:03d}")
    assert blocks._added
    for keys in (words, words[:2], words[3:], [("word", "absent")]):
        for n in (1, 4, 10, 100):
            assert blocks.top_shared(keys, n) == link_known.top_shared(blocks.postings(keys), n)
    assert {"inc-042", "inc-045", "inc-048"} < set(blocks.top_shared(words, 100))  # filed, not flushed


# ---------------------------------------------------------------- updated articles

def _df_recount(mentions) -> Counter:
    """Document counts as ``Linker._count_words`` adds them, recounted over ``mentions``."""
    df = Counter()
    for m in mentions:
        df.update(w.lower() for w in link.mention_terms(m))
    return df


def _updates(corpus, folder):
    """A file of updates to the first shard's articles: ten with a word changed, eight that now
    tell another article's story (their incidents lose a report, the single-report ones their
    only one), and one of the ten changed again (updated twice in a run). Returns the file and
    the ids updated."""
    records = [json.loads(line) for line in (corpus / "part-00000.jsonl").read_text().splitlines()]
    plain = [{k: v for k, v in r.items() if k != "html"} for r in records]
    reworded = [dict(r, text=r["text"].replace("killed", "shot dead") + "\nUpdated.") for r in plain[3:13]]
    retold = [dict(r, text=other["text"], title=other["title"]) for r, other in zip(plain[20:28], plain[50:58])]
    again = [dict(reworded[0], text=reworded[0]["text"] + " Updated again.")]
    path = folder / "updates.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in reworded + retold + again))
    return path, {r["doc_id"] for r in reworded + retold}


def test_updates_keep_the_stored_index_without_rebuilding_it(corpus, tmp_path, monkeypatch):
    """An updated article's old reports leave the stored index through the linker: the index
    stays valid, nothing is rebuilt from every stored mention, the word counts are a recount of
    the stored mentions' words, every card is its incident's stored mentions, incidents left
    without mentions keep no card, block rows or fields, and every remaining incident is filed
    under the keys of what it now says (keys of what it said before may stay)."""
    db_file = tmp_path / "updates.db"
    db, _ = _ingest(db_file, [corpus / "part-00000.jsonl"])
    updates, updated = _updates(corpus, tmp_path)
    held_before = {m.incident_id for m in db.store.mentions() if m.article_id in updated}

    real_init = link.Linker.__init__

    def no_rebuild(self, mentions, *args, **kwargs):
        assert not mentions, "the linker was rebuilt from every stored mention"
        real_init(self, mentions, *args, **kwargs)

    def no_replace(*_args, **_kwargs):
        raise AssertionError("the stored index was replaced")

    monkeypatch.setattr(link.Linker, "__init__", no_rebuild)
    monkeypatch.setattr(StoredBlocks, "replace", no_replace)
    monkeypatch.setattr(pipeline, "LINK_CACHE_MENTIONS", 10)  # updated incidents are cached, or not
    db, report = _ingest(db_file, [updates, corpus / "part-00001.jsonl"])
    assert report.updated == len(updated) + 1 and report.added == N_ARTICLES // 2

    store = db.store
    mentions = store.mentions()
    index = store.link_index()
    assert index.valid and index.n_mentions == len(mentions)
    assert index.df == _df_recount(mentions)
    stored = _assert_cards_match_stored_mentions(store)
    gone = held_before - set(stored)
    assert gone and held_before & set(stored)  # some incidents lost every report, some only theirs
    with store.engine.connect() as conn:
        filed = conn.execute(text("SELECT key, incident_id FROM link_blocks")).all()
        unused_words = conn.execute(text("SELECT COUNT(*) FROM link_words WHERE df = 0 AND posting = 0 "
                                         "AND common = 0")).scalar()
        incidents = {r[0] for r in conn.execute(text("SELECT id FROM incidents"))}
    keys_of = _keys_filed(store)
    assert set(keys_of) == set(stored) == incidents and not gone & incidents
    assert unused_words == 0
    for incident_id, ms in stored.items():
        assert _own_place_keys(incident_id, ms) <= keys_of[incident_id], incident_id


def _keys_filed(store) -> dict[str, set[tuple]]:
    keys_of: dict[str, set[tuple]] = {}
    with store.engine.connect() as conn:
        for key, incident_id in conn.execute(text("SELECT key, incident_id FROM link_blocks")):
            keys_of.setdefault(incident_id, set()).add(tuple(json.loads(key)))
    return keys_of


def _own_place_keys(incident_id, mentions) -> set[tuple]:
    """The date-and-place keys an incident of these mentions is filed under (Linker._index)."""
    fields = link.candidate_of(incident_id, mentions).fields
    return link.Linker._place_keys(fields, link.linker._months(fields.get("date"), 0) or ["?"], query=False)


def _copy_of(whole, tmp_path):
    import shutil

    db_file = tmp_path / "copy.db"
    shutil.copy(whole.store.url.removeprefix("sqlite:///"), db_file)
    return incidentwire.open(db_file).store


def test_an_incident_that_lost_a_report_is_filed_under_what_it_now_says(whole, tmp_path):
    """Taking out a report can change what its incident says (its first report gave the city
    and month): the incident is filed under its new keys at once, so that later reports of it
    find it."""
    store = _copy_of(whole, tmp_path)
    keys_of = _keys_filed(store)
    by_incident = store.mentions_by_incident(sorted({m.incident_id for m in store.mentions()}))
    moved = {}  # incident -> an article whose removal leaves it saying something new
    for incident_id, ms in by_incident.items():
        for article in sorted({m.article_id for m in ms}):
            rest = [m for m in ms if m.article_id != article]
            if rest and not _own_place_keys(incident_id, rest) <= keys_of[incident_id]:
                moved.setdefault(incident_id, article)
    articles = sorted(set(moved.values()))[:6]
    assert len(articles) >= 3
    linker = pipeline.open_linker(store)
    for article in articles:
        linker.remove(store.article_mentions(article))
        store.remove_article_mentions(article, also=linker.flush)
    keys_of, stored = _keys_filed(store), _assert_cards_match_stored_mentions(store)
    assert store.link_index().valid
    for incident_id in {i for i, a in moved.items() if a in articles}:
        assert _own_place_keys(incident_id, stored[incident_id]) <= keys_of[incident_id], incident_id


def test_removing_reports_undoes_linking_them_in_memory(whole):
    """``Linker.remove`` is the inverse of counting and linking: after taking some articles'
    reports out of a linker built from every stored mention, its word counts (and the vector
    space's) and its incidents are those of a linker built from the remaining mentions."""
    mentions = whole.store.mentions(saved_order=True)
    articles = sorted({m.article_id for m in mentions})[::7]
    counter = itertools.count(1)
    linker = link.Linker(mentions, lambda: f"new-{next(counter)}")
    taken = [m for m in mentions if m.article_id in articles]
    touched = linker.remove(taken)
    rest = [m for m in mentions if m.article_id not in articles]
    fresh = link.Linker(rest, lambda: "unused")
    assert touched == {m.incident_id for m in taken} and len(touched) > 10
    assert linker.n_mentions == fresh.n_mentions == len(rest) and linker.df == fresh.df
    words = sorted(_df_recount(mentions))
    assert [linker._space.df[linker._space.ids[w]] for w in words] == [fresh.df.get(w, 0) for w in words]
    assert set(linker.by_id) == set(fresh.by_id) and linker.by_id.keys() <= {m.incident_id for m in mentions}
    for incident_id in touched & set(fresh.by_id):
        mine, theirs = linker.by_id[incident_id], fresh.by_id[incident_id]
        assert [m.key for m in mine.mentions] == [m.key for m in theirs.mentions]
        assert mine.fields == theirs.fields and mine.terms == theirs.terms and mine.date == theirs.date


def test_an_update_that_fails_to_write_its_index_changes_leaves_mentions_and_index_as_they_were(whole, tmp_path):
    """The mentions' deletion and the index changes commit together: an error while writing the
    index rolls the deletion back, and the index still matches the stored mentions."""
    store = _copy_of(whole, tmp_path)
    linker = pipeline.open_linker(store)
    article = store.mentions()[0].article_id
    before = len(store.mentions())

    def flush_then_fail(conn):
        linker.flush(conn)
        raise RuntimeError("disk full")

    linker.remove(store.article_mentions(article))
    with pytest.raises(RuntimeError, match="disk full"):
        store.remove_article_mentions(article, also=flush_then_fail)
    index = store.link_index()
    assert len(store.mentions()) == before and index.valid and index.n_mentions == before
