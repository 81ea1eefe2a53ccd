"""Two more rules of the linker (link package docstring, point 6): a report close to two known
incidents merges them (an early split is not permanent), in memory and in the store; and two
articles written years apart are kept apart unless their words agree far more closely."""

from __future__ import annotations

import itertools
import json
from collections import Counter

import pytest
from sqlalchemy import text

import incidentwire
from incidentwire import link, pipeline
from incidentwire.engine import database_fingerprint
from incidentwire.records import Mention
from test_link_articles import _main as _article_main

# One nomination told by the nominating office twice (its two pages share the office's wording,
# which is why a report is never compared with its own outlet) and by a newspaper.
OFFICE_1 = ("Today, President Barack Obama announced his intent to nominate Dr. Regina Benjamin as "
            "Surgeon General. Dr. Benjamin founded the Bayou La Batre Rural Health Clinic in Alabama.")
OFFICE_2 = ("President Obama introduced Dr. Regina Benjamin, his nominee for Surgeon General, in the Rose "
            "Garden. Benjamin runs a rural health clinic in Bayou La Batre, Alabama.")
PAPER = ("Obama nominates Regina Benjamin, a rural Alabama doctor whose clinic in Bayou La Batre "
         "survived Hurricane Katrina, to be Surgeon General, announcing the pick in the Rose Garden.")
OTHER = ("The Philadelphia 76ers fired coach Maurice Cheeks on Saturday after a 9-14 start to the "
         "2008-09 season; assistant general manager Tony DiLeo takes over.")


def _main(article_id: str, words: str, publisher: str | None = None, published: str | None = None) -> Mention:
    """An off-topic article's main incident: only its words (and outlet, date) to link by."""
    return _article_main(article_id, words, on_topic=False, publisher=publisher, published=published)


def _linker():
    counter = itertools.count(1)
    return link.Linker([], lambda: f"inc-{next(counter)}")


def test_a_report_close_to_two_known_incidents_merges_them():
    lk = _linker()
    a, _ = lk.link(_main("a1", OFFICE_1, "whitehouse.gov"))
    b, _ = lk.link(_main("a2", OFFICE_2, "whitehouse.gov"))
    assert a != b  # the office's second page is not compared with its first: an early split
    c, score = lk.link(_main("a3", PAPER, "paper.com"))
    assert lk.merged and c in (a, b) and score >= link.linker.MERGE_MIN
    gone = ({a, b} - {c}).pop()
    assert gone not in lk.by_id and gone not in lk.by_id.fetch([a, b, gone])
    assert sorted(m.article_id for m in lk.by_id[c].mentions) == ["a1", "a2", "a3"]
    assert all(m.incident_id == c for m in lk.by_id[c].mentions)
    moved, merges = lk.take_merges()
    assert merges == [(gone, c)] and [m.article_id for m in moved] == [m.article_id for m in lk.by_id[c].mentions]
    assert lk.take_merges() == ([], [])


def test_incidents_that_share_an_article_or_differ_in_words_are_not_merged(monkeypatch):
    lk = _linker()
    a, _ = lk.link(_main("a1", OFFICE_1, "whitehouse.gov"))
    b, _ = lk.link(_main("a2", OTHER, "whitehouse.gov"))
    assert not lk._merge(a, b)  # a coach fired and a nomination: their words do not agree
    monkeypatch.setattr(link.linker, "MERGE_SIMILARITY", 0.0)
    other = _main("a1", OFFICE_2, "whitehouse.gov")  # a second incident of article a1
    lk.by_id[b].mentions.append(other)
    lk.by_id[b].terms.append(link.mention_terms(other))
    assert not lk._merge(a, b) and not lk.merged


def test_articles_written_years_apart_need_closer_words():
    year = link.report_year
    assert year(_main("a", OTHER), link.mention_terms(_main("a", OTHER))) == 2008  # "2008-09 season"
    dated = _main("b", OFFICE_1, published="2009-07-13")
    assert year(dated, link.mention_terms(dated)) == 2009
    lk = _linker()
    a, _ = lk.link(_main("a1", OFFICE_1, "whitehouse.gov", "2009-07-13"))
    cand = lk.by_id[a]
    mention = _main("a2", PAPER, "paper.com", "2009-07-14")
    terms = link.mention_terms(mention)
    same_year = lk.score(mention, {}, terms, cand)
    later = _main("a2", PAPER, "paper.com", f"{2009 + link.rules.YEAR_GAP}-07-14")
    assert lk.score(later, {}, link.mention_terms(later), cand) == same_year - link.rules.YEAR_CONFLICT_POINTS


def _write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


RECORDS = [{"doc_id": "d1", "title": "Obama announces Surgeon General nominee", "text": OFFICE_1,
            "publisher": "whitehouse.gov", "published": "2009-07-13"},
           {"doc_id": "d2", "title": "Dr. Regina Benjamin nominated", "text": OFFICE_2,
            "publisher": "whitehouse.gov", "published": "2009-07-13"},
           {"doc_id": "d3", "title": "Obama picks Alabama doctor", "text": PAPER,
            "publisher": "paper.com", "published": "2009-07-13"}]


def _ingest(db_file, *paths):
    db = incidentwire.open(db_file)
    for path in paths:
        pipeline.ingest(db.store, [path], relevance_filter=False, partition_size=1)
    return db


def test_the_store_follows_a_merge_across_runs_and_caches(tmp_path, monkeypatch):
    news = tmp_path / "news"
    news.mkdir()
    first = _write(news / "part-00000.jsonl", RECORDS[:2])
    second = _write(news / "part-00001.jsonl", RECORDS[2:])
    db = _ingest(tmp_path / "one.db", news)
    mentions = db.store.mentions()
    assert len(mentions) == 3 and len({m.incident_id for m in mentions}) == 1
    with db.store.engine.connect() as conn:
        incidents = conn.execute(text("SELECT id FROM incidents")).scalars().all()
    assert incidents == [mentions[0].incident_id]  # the merged-away incident was deleted
    index = db.store.link_index()
    assert index.valid and index.n_mentions == 3
    with db.store.engine.connect() as conn:  # the merged-away incident left no block rows
        filed = conn.execute(text("SELECT DISTINCT incident_id FROM link_blocks")).scalars().all()
        postings = dict(conn.execute(text("SELECT word, posting FROM link_words WHERE posting > 0")).all())
        keys = conn.execute(text("SELECT key FROM link_blocks")).scalars().all()
    assert filed == incidents
    words = Counter(json.loads(k)[1] for k in keys if json.loads(k)[0] == "word")
    assert postings == dict(words) and words  # each word's posting counts the incidents under it
    # the first two reports stored by one run, the bridging one by the next: the same database
    two = _ingest(tmp_path / "two.db", first, second)
    assert database_fingerprint(two.store) == database_fingerprint(db.store)
    monkeypatch.setattr(pipeline, "LINK_CACHE_MENTIONS", 1)  # every candidate read back from the store
    small = _ingest(tmp_path / "small.db", news)
    assert database_fingerprint(small.store) == database_fingerprint(db.store)


def test_an_incident_read_from_its_link_card_keeps_the_year_of_its_reports():
    from incidentwire.link.known import candidate_of, candidate_of_card, card_of

    reports = [_main("a1", OTHER), _main("a2", OFFICE_1, published="2009-07-13"),
               _main("a3", PAPER, published="2009-07-14")]
    full = candidate_of("inc-1", reports)
    light = candidate_of_card("inc-1", card_of(full))
    assert light.light and full.year == light.year == 2009


BRIDGE = {"doc_id": "d4", "title": "Alabama doctor Regina Benjamin is Obama's Surgeon General pick",
          "text": ("President Obama will nominate Dr. Regina Benjamin, who runs a rural health clinic in Bayou "
                   "La Batre, Alabama, as Surgeon General, he announced in the Rose Garden."),
          "publisher": "wire.com", "published": "2009-07-14"}


def _incidents_of(store) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for m in store.mentions():
        out.setdefault(m.incident_id, set()).add(m.article_id)
    return out


def _split_then_bridge(tmp_path, name):
    from incidentwire import review

    db = _ingest(tmp_path / f"{name}.db", _write(tmp_path / "news.jsonl", RECORDS))
    (whole,) = _incidents_of(db.store)
    entry = review.split(db.store, whole, ["d2"], who="ana")
    pipeline.ingest(db.store, [_write(tmp_path / "bridge.jsonl", [BRIDGE])], relevance_filter=False)
    return db, entry


def test_an_analysts_split_binds_later_merges_until_undone(tmp_path, monkeypatch):
    from incidentwire import review

    db, entry = _split_then_bridge(tmp_path, "split")
    assert review.binding_splits(db.store) == [(["d1", "d3"], ["d2"])]
    sides = sorted(_incidents_of(db.store).values(), key=sorted)
    assert len(sides) == 2 and sides[0] >= {"d1", "d3"} and sides[1] >= {"d2"}  # the split holds
    assert sorted(sides[0] | sides[1]) == ["d1", "d2", "d3", "d4"]
    assert pipeline.open_linker(db.store).apart["d2"] == {"d1", "d3"}
    review.undo(db.store, entry["id"], who="ana")
    assert review.binding_splits(db.store) == [] and not pipeline.open_linker(db.store).apart
    # the same bridging report, with the split not binding, merges the two parts again
    monkeypatch.setattr(pipeline, "binding_splits", lambda store: [])
    unbound, _ = _split_then_bridge(tmp_path, "unbound")
    assert list(_incidents_of(unbound.store).values()) == [{"d1", "d2", "d3", "d4"}]


def test_the_linker_does_not_merge_a_reviewed_incident():
    lk = _linker()
    a, _ = lk.link(_main("a1", OFFICE_1, "whitehouse.gov"))
    b, _ = lk.link(_main("a2", OFFICE_2, "whitehouse.gov"))
    lk.keep_apart([], {b})
    c, _ = lk.link(_main("a3", PAPER, "paper.com"))
    assert not lk.merged and {a, b} == {i for i in lk.by_id} and lk.by_id[b].mentions[0].article_id == "a2"


def test_a_merged_away_incident_fires_no_second_new_alert_and_says_where_it_went(tmp_path):
    from fastapi.testclient import TestClient

    from incidentwire import alerts
    from incidentwire.errors import MergedIncidentError
    from incidentwire.web.app import create_app

    db = _ingest(tmp_path / "alerts.db", _write(tmp_path / "first.jsonl", RECORDS[:1]))
    config = alerts.AlertConfig(rules=[alerts.Rule("all", "new_incident", sinks=["out"])],
                                sinks={"out": {"type": "jsonl", "path": str(tmp_path / "out.jsonl")}})
    first = alerts.record(db.store, alerts.evaluate(db.store, config))
    assert [a.id for a in first] == ["inc-000001:new"]
    # the second report starts an incident of its own, the third merges the two in the same run
    pipeline.ingest(db.store, [_write(tmp_path / "rest.jsonl", RECORDS[1:])], relevance_filter=False,
                    partition_size=1)
    assert {m.incident_id for m in db.store.mentions()} == {"inc-000002"}
    assert db.store.merged_into("inc-000001") == "inc-000002"
    assert alerts.record(db.store, alerts.evaluate(db.store, config)) == []  # told once already
    with pytest.raises(MergedIncidentError, match="merged into 'inc-000002'"):
        db.incident("inc-000001")
    client = TestClient(create_app(db))
    moved = client.get("/api/incidents/inc-000001", follow_redirects=False)
    assert moved.status_code == 308 and moved.headers["location"] == "/api/incidents/inc-000002"
    assert client.get("/api/incidents/inc-000001").json()["id"] == "inc-000002"
    assert client.get("/api/incidents/inc-000099").status_code == 404
    page = client.get("/incidents/inc-000001", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/incidents/inc-000002"
    # the gone id is never given to a new incident: it names where its reports went
    assert db.store.next_incident_id_factory()() == "inc-000003"
    # a later merge moves it on: the first alert follows the chain to the last survivor
    from incidentwire.store import record_merges
    with db.store.engine.begin() as conn:
        record_merges(conn, [("inc-000002", "inc-000009")])
    assert db.store.merged_into("inc-000001") == "inc-000009"
    assert alerts._told_before_merge(db.store) == {"inc-000009": {"id": "inc-000001:new", "sent": first[0].sent}}


def test_told_alerts_follow_merge_chains_on_both_backends(store_url):
    """The recursive survivors query runs on SQLite and PostgreSQL alike: the alert of an
    incident merged twice over stands for the last survivor, and a survivor that fired its own
    new-incident alert keeps it (nothing to stand in for)."""
    from incidentwire import alerts
    from incidentwire.alerts.events import Alert
    from incidentwire.store import Store, record_merges

    store = Store(store_url)
    told = [Alert(f"{i}:new", "new_incident", "h", "d", f"2026-01-0{n}T00:00:00+00:00", incident_id=i)
            for n, i in enumerate(["inc-a", "inc-x"], 1)]
    alerts.record(store, told)
    with store.engine.begin() as conn:
        record_merges(conn, [("inc-a", "inc-b"), ("inc-b", "inc-c"), ("inc-y", "inc-x")])
    assert alerts._told_before_merge(store) == {"inc-c": {"id": "inc-a:new", "sent": told[0].sent}}
    store.close()
