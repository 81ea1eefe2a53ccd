"""Link and reconcile stages on hand-made mentions, plus relink on the seeds through the CLI."""

from __future__ import annotations

import itertools
import subprocess
import sys

import incidentwire
from conftest import SEEDS, SEEDS_META, needs_shared
from incidentwire import link
from incidentwire.reconcile import reconcile
from incidentwire.records import Article, Claim, Mention

CLI = [sys.executable, "-m", "incidentwire.cli"]


def _mention(article_id: str, *, date=None, city=None, country="Kazakhstan", admin1=None, killed=None,
             perps=(), atype=None, published="2016-07-20", publisher=None, text="", on_topic=True,
             index=0, date_rule="absolute") -> Mention:
    def claim(field, value, conf=0.8):
        return Claim(field=field, value=value, start=500, end=500, quote="", extractor="test",
                     confidence=conf, article_id=article_id)
    m = Mention(article_id=article_id, index=index, role="main" if index == 0 else "background",
                published=published, publisher=publisher, on_topic=on_topic)
    if date:
        prec = {4: "year", 7: "month", 10: "day"}[len(date)]
        m.claims.append(claim("date", {"value": date, "precision": prec, "rule": date_rule}))
    m.claims.append(claim("location", {"name": city, "admin1": admin1, "country": country,
                                       "precision": 1 if city else 4, "kind": "city" if city else "country"}))
    if atype:
        m.claims.append(claim("attack_type", atype))
    if killed is not None:
        m.claims.append(claim("killed", {"min": killed, "best": killed, "max": killed}))
    for p in perps:
        m.claims.append(claim("perpetrators", p))
    if text:
        m.claims.append(claim("link_terms", dict(link.link_terms(text)), 1.0))
    return m


def _linker(mentions=()):
    counter = itertools.count(1)
    return link.Linker(list(mentions), lambda: f"inc-{next(counter):06d}")


def test_reports_of_one_attack_link_and_a_different_city_does_not():
    lk = _linker()
    a, _ = lk.link(_mention("a1", date="2016-07-18", city="Almaty", killed=4, atype="armed_assault"))
    b, score = lk.link(_mention("a2", date="2016-07-18", city="Almaty", killed=6, atype="armed_assault"))
    c, _ = lk.link(_mention("a3", date="2016-07-18", city="Aktobe", killed=6, atype="armed_assault"))
    assert a == b and score >= link.LINK_THRESHOLD
    assert c != a


def test_day_precise_dates_two_days_apart_never_link():
    lk = _linker()
    a, _ = lk.link(_mention("a1", date="2016-07-18", city="Almaty", atype="armed_assault", text="gunmen police"))
    b, _ = lk.link(_mention("a2", date="2016-07-20", city="Almaty", atype="armed_assault", text="gunmen police"))
    assert a != b


def test_two_mentions_of_one_article_are_never_one_incident():
    lk = _linker()
    a, _ = lk.link(_mention("a1", date="2016-06", city="Aktobe"))
    b, _ = lk.link(_mention("a1", date="2016-06", city="Aktobe", index=1))
    assert a != b


def test_background_mention_without_a_day_links_to_the_incident_reported_elsewhere():
    lk = _linker()
    main, _ = lk.link(_mention("a1", date="2016-06-05", city="Aktobe", killed=6, atype="armed_assault",
                               published="2016-06-06", text="Gunmen attacked gun shops and a military unit in Aktobe"))
    other, _ = lk.link(_mention("a1b", date="2016-06-05", city="Taraz", published="2016-06-06"))
    background, _ = lk.link(_mention("a2", date="2016-06", city="Aktobe", index=1, published="2016-07-20",
                                     text="the June attacks in Aktobe"))
    assert background == main != other


def test_undated_reports_of_one_place_link_only_when_their_words_agree():
    party = "A gunman opened fire at the office Christmas party of his former employer in Vancouver, killing one man"
    other = "Two masked robbers shot a jeweller during a hold-up at a mall downtown in Vancouver"
    lk = _linker()
    for seen in ("Vancouver police said a man was shot", "A gunman in Vancouver opened fire, police said",
                 "Police in Vancouver said the shooting killed one man") * 5:
        lk._count_words(link.link_terms(seen))  # the city's other news: its common words weigh less
    ids = [lk.link(_mention(f"d{i}", city="Vancouver", country="Canada", published=None, killed=1,
                            atype="armed_assault", text=t))[0]
           for i, t in enumerate([party, party.replace("killing one man", "police said on Saturday"), other])]
    assert ids[0] == ids[1] != ids[2]
    # a report read from a few sentences of another article (a background mention) needs the
    # city in common: the words alone do not link it ...
    vague, _ = lk.link(_mention("d3", city=None, country="Canada", published=None, killed=1,
                                atype="armed_assault", text=party, index=1))
    assert vague not in ids
    # ... nor when it states a different death toll
    other_toll, _ = lk.link(_mention("d4", city="Vancouver", country="Canada", published=None, killed=3,
                                     atype="armed_assault", text=party, index=1))
    assert other_toll not in ids


def test_off_topic_reports_link_by_their_words():
    hosting = "Hugh Jackman will host the Academy Awards ceremony, producers of the Oscars telecast said"
    lk = _linker()
    ids = [lk.link(_mention(f"d{i}", country=None, published=None, on_topic=False, text=t))[0]
           for i, t in enumerate([hosting, hosting.replace("said", "announced on Wednesday"),
                                  "Pirates attacked a merchant vessel in the Gulf of Aden"])]
    assert ids[0] == ids[1] != ids[2]


def test_blocking_keeps_the_candidates_of_a_dated_city_report_small():
    stored = []
    for n in range(3000):  # other cities and other months: none may be scored
        m = _mention(f"s{n}", date=f"20{10 + n % 10}-{1 + n % 12:02d}-{1 + n % 28:02d}", city=f"City{n % 50}",
                     text=f"attack word{n % 7} bombing")
        m.incident_id = f"inc-{n:06d}"
        stored.append(m)
    lk = _linker(stored)
    new = _mention("x", date="2013-04-05", city="City3", text="attack word3 bombing")
    cands = lk.candidates(new, reconcile([new]), link.mention_terms(new))
    assert 0 < len(cands) < 30
    fields = [lk.by_id[i].fields for i in cands]
    assert all(f["location"]["name"] == "City3" and f["date"]["value"][:4] == "2013" for f in fields)


def test_link_terms_claim_covers_the_main_incident_article():
    art = Article(id="x", text="", clean_text="Gunmen attacked a police station in Almaty.\nFour were killed.")
    m = Mention(article_id="x", index=0, role="main")
    link.add_link_terms(art, [m])
    [claim] = [c for c in m.claims if c.field == "link_terms"]
    # a name keeps its capital (it weighs NAME_WEIGHT times as much); other words are lower-cased
    assert claim.value["Almaty"] == 1 and claim.value["police"] == 1 and claim.quote.startswith("Gunmen")


def test_main_event_mention_is_dated_by_publication():
    m = link.main_event_mention(Article(id="x", text="Awards news", published="2013-08-02"))
    assert m.role == "main" and m.value("date")["rule"] == "publication-date"


def test_reconcile_flags_perpetrator_conflict_and_counts_outlets_once():
    ms = [_mention("a1", date="2016-07-18", city="Almaty", perps=["Ruslan Kulikbayev"], publisher="Wire"),
          _mention("a2", date="2016-07-18", city="Almaty", perps=["Islamic State"], publisher="Wire"),
          _mention("a3", date="2016-07-18", city="Almaty", publisher="Daily")]
    f = reconcile(ms)
    assert f["sources"] == 3 and f["independent_sources"] == 2
    [conflict] = [c for c in f["conflicts"] if c["field"] == "perpetrators"]
    assert conflict["values"] == {"islamic state": ["a2"], "ruslan kulikbayev": ["a1"]}
    assert f["confidence"]["date"] == 0.8 and f["confidence"]["perpetrators"] == 0.8


def test_rising_toll_is_not_a_conflict_but_a_higher_ignored_report_is():
    rising = [_mention("a1", killed=4, published="2016-07-18"), _mention("a2", killed=6, published="2016-07-19")]
    f = reconcile(rising)
    assert f["killed"]["best"] == 6 and [r["killed"] for r in f["toll_history"]] == [4, 6]
    assert not [c for c in f["conflicts"] if c["field"] == "killed"] and f["confidence"]["killed"] == 0.8
    odd = [_mention("a1", killed=21, published="2016-06-06"), _mention("a2", killed=6, published="2016-06-07")]
    assert [c["field"] for c in reconcile(odd)["conflicts"]] == ["killed"]


def _tolls(db):
    return sorted([r["killed"] for r in i.fields["toll_history"]] for i in db.incidents())


@needs_shared
def test_relink_rebuilds_the_same_seed_incidents(tmp_path):
    path = tmp_path / "seeds.db"
    db = incidentwire.open(path)
    db.ingest([SEEDS], metadata=SEEDS_META)
    before = _tolls(db)
    r = subprocess.run(CLI + ["--db", str(path), "relink"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "incidents before" in r.stderr
    n_before, n_after = (int(x.split()[0]) for x in r.stderr.split(":", 1)[1].split(","))
    assert n_before == n_after and _tolls(db) == before
    [almaty] = [i for i in db.incidents() if (i.fields["location"] or {}).get("name") == "Almaty"
                and (i.fields["date"] or {}).get("value") == "2016-07-18"]
    history = [r["killed"] for r in db.toll_history(almaty.id)]
    assert history[0] == 4 and history[-1] == 6


@needs_shared
def test_relink_keeps_incident_ids(tmp_path):
    db = incidentwire.open(tmp_path / "seeds.db")
    db.ingest([SEEDS], metadata=SEEDS_META)
    before = {i.id: sorted(m.key for m in i.mentions) for i in db.incidents()}
    db.relink()
    assert {i.id: sorted(m.key for m in i.mentions) for i in db.incidents()} == before


SYNDICATED = ("ALMATY (Wire) - Gunmen attacked a police station and a security service office in Almaty on "
              "Monday, killing four police officers and one civilian, the Interior Ministry said. The attackers "
              "opened fire on officers guarding the building in the centre of the city before fleeing in a car, "
              "a police spokesman said, and a manhunt was under way across the city on Monday evening. No group "
              "immediately claimed responsibility for the attack in Kazakhstan's largest city.")


def test_syndicated_copies_from_two_outlets_are_two_reports_but_one_source(tmp_path):
    data = tmp_path / "in"
    data.mkdir()
    (data / "wire.txt").write_text(SYNDICATED)
    (data / "copy.txt").write_text(SYNDICATED.replace("Monday evening", "Monday night") + " Schools were closed.")
    meta = {"wire": {"publisher": "Wire Agency", "published": "2016-07-18"},
            "copy": {"publisher": "Daily Herald", "published": "2016-07-18"}}
    db = incidentwire.open(tmp_path / "s.db")
    db.ingest([data], metadata=meta)
    [incident] = [i for i in db.incidents() if len(i.fields["toll_history"]) or i.fields["sources"] > 1]
    assert incident.fields["sources"] == 2 and incident.fields["independent_sources"] == 1
    db.relink()  # the story travels with the stored mentions
    [incident] = [i for i in incidentwire.open(tmp_path / "s.db").incidents() if i.fields["sources"] > 1]
    assert incident.fields["independent_sources"] == 1


def test_independent_sources_join_outlets_and_stories():
    ms = [_mention("a1", publisher="Wire"), _mention("a2", publisher="Herald"), _mention("a3", publisher="Post"),
          _mention("a4")]
    ms[1].story_id = ms[0].story_id = "a1"   # the Herald ran the wire story
    assert reconcile(ms)["independent_sources"] == 3
    ms[3].story_id = "a1"                    # an article of unknown outlet that copies it too
    assert reconcile(ms)["independent_sources"] == 2 and reconcile(ms)["sources"] == 4


_TIED_WORD_CANDIDATES = """
import itertools, json
from incidentwire import link
from incidentwire.records import Claim, Mention
from incidentwire.reconcile import reconcile

def mention(article_id, country, text):  # undated, no city: only its words can find others
    m = Mention(article_id=article_id, index=0, role="main", published=None, on_topic=True)
    for field, value in (("location", {"name": None, "admin1": None, "country": country, "precision": 4,
                                       "kind": "country"}), ("link_terms", dict(link.link_terms(text)))):
        m.claims.append(Claim(field=field, value=value, start=0, end=0, quote="", extractor="test",
                              confidence=1.0, article_id=article_id))
    return m

stored = []
for n in range(300):  # another country, all sharing the mention's words equally
    m = mention(f"s{n:03d}", "Kazakhstan", f"zorblat quixel filler{n}")
    m.incident_id = f"inc-{n:06d}"
    stored.append(m)
counter = itertools.count(1000)
lk = link.Linker(stored, lambda: f"inc-{next(counter):06d}")
new = mention("x", "Chad", "zorblat quixel")
print(json.dumps(sorted(lk.candidates(new, reconcile([new]), link.mention_terms(new)))))
"""


def test_word_candidates_are_bounded_and_the_same_in_every_process():
    """300 incidents share a mention's rare words equally: it meets WORD_CANDIDATES of them, the
    oldest, whatever order string hashing gives the postings' sets (PYTHONHASHSEED differs from
    one process to the next, and the ingesting process of each executor is another process)."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    runs = [json.loads(subprocess.run([sys.executable, "-c", _TIED_WORD_CANDIDATES], cwd=root, check=True,
                                      capture_output=True, text=True,
                                      env=dict(os.environ, PYTHONHASHSEED=seed)).stdout) for seed in ("1", "2", "3")]
    assert runs[0] == runs[1] == runs[2] == [f"inc-{n:06d}" for n in range(link.WORD_CANDIDATES)]
