"""The storage suite, run on both backends: a SQLite file and a real PostgreSQL server started
by the ``postgres_cluster`` fixture. Query results are checked against the same filter computed
in Python over every incident, so SQL and intent cannot drift apart."""

from __future__ import annotations

import math
import re
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import EXAMPLES, EXAMPLES_META

import incidentwire
from incidentwire.records import Incident
from incidentwire.store.columns import period
from incidentwire.store.migrations import MIGRATIONS
from incidentwire.errors import QueryError

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def examples(request, tmp_path_factory):
    """The bundled example news ingested once per backend."""
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("examples") / "examples.db")
    else:
        url = request.getfixturevalue("postgres_cluster").new_database()
    db = incidentwire.open(url)
    db.ingest([EXAMPLES], metadata=EXAMPLES_META)
    yield db
    db.store.close()


def _loc(inc):
    return inc.fields.get("location") or {}


def _best(inc, name):
    return (inc.fields.get(name) or {}).get("best")


def _overlaps(inc, since, until):
    start, end = period((inc.fields.get("date") or {}).get("value"))
    return start is not None and end >= period(since)[0] and start <= period(until)[1]


def _km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def _has(inc, field, part):
    return any(part.casefold() in str(v).casefold() for v in inc.fields.get(field) or [])


FILTER_CASES = [
    ({"country": "FRANCE"}, lambda i: (_loc(i).get("country") or "").lower() == "france"),
    ({"city": "nice"}, lambda i: (_loc(i).get("name") or "").lower() == "nice"),
    ({"since": "2016-07", "until": "2017-03"}, lambda i: _overlaps(i, "2016-07", "2017-03")),
    ({"since": "2017-03-15"}, lambda i: _overlaps(i, "2017-03-15", "9999")),
    ({"min_killed": 30}, lambda i: (_best(i, "killed") or 0) >= 30),
    ({"min_injured": 50}, lambda i: (_best(i, "injured") or 0) >= 50),
    ({"perpetrator": "islamic"}, lambda i: _has(i, "perpetrators", "islamic")),
    ({"weapon": "TRUCK"}, lambda i: _has(i, "weapons", "truck")),
    ({"target": "hotel"}, lambda i: _has(i, "targets", "hotel")),
    ({"attack_type": ["bombing_explosion", "unarmed_assault"]},
     lambda i: i.fields.get("attack_type") in ("bombing_explosion", "unarmed_assault")),
    ({"bbox": (-5.0, 40.0, 15.0, 60.0)},
     lambda i: _loc(i).get("lat") is not None and 40 <= _loc(i)["lat"] <= 60 and -5 <= _loc(i)["lon"] <= 15),
    ({"near": (48.85, 2.35, 700.0)}, lambda i: _loc(i).get("lat") is not None
     and _km(48.85, 2.35, _loc(i)["lat"], _loc(i)["lon"]) <= 700),
    ({"min_sources": 3}, lambda i: (i.fields.get("sources") or 0) >= 3),
    ({"country": "france", "min_killed": 100}, lambda i: (_loc(i).get("country") or "").lower() == "france"
     and (_best(i, "killed") or 0) >= 100),
]


def test_examples_stored(examples):
    # 22 link_terms claims; MUC-4 lexicon claims; 20 act_types claims; "explosive device" once, not also "explosive"
    assert examples.store.counts() == {"articles": 15, "mentions": 21, "claims": 244, "incidents": 9,
                                       "rejects": 0}


@pytest.mark.parametrize("filters,predicate", FILTER_CASES, ids=[str(sorted(f)) for f, _ in FILTER_CASES])
def test_filter_matches_python(examples, filters, predicate):
    everything = examples.incidents(sort="id")
    expected = [i.id for i in everything if predicate(i)]
    assert 0 < len(expected) < len(everything), "a filter case that selects nothing (or all) tests nothing"
    assert [i.id for i in examples.incidents(**filters, sort="id")] == expected


def test_text_search_uses_article_text(examples):
    found = examples.incidents(text="explosions", sort="id")   # stemmed: matches "explosion" too
    assert found
    for inc in found:
        texts = [examples.article(m.article_id)["clean_text"] for m in inc.mentions]
        assert any(re.search(r"\bexplosion", t, re.I) for t in texts), inc.id
    assert examples.incidents(text="zzyzx qqwerty") == []


def test_sort_and_pages(examples):
    ranked = examples.incidents(sort="-killed")
    killed = [_best(i, "killed") for i in ranked]
    known = [k for k in killed if k is not None]
    assert known == sorted(known, reverse=True) and killed[:len(known)] == known   # nulls last
    pages, page = [], 1
    while True:
        result = examples.search(sort="-killed", page=page, per_page=4)
        assert result.total == 9
        pages += [i.id for i in result]
        if not result.has_more:
            break
        page += 1
    assert pages == [i.id for i in ranked] and page == 3
    newest = examples.incidents(limit=3)
    assert [i.id for i in newest] == [i.id for i in examples.incidents()[:3]]
    with pytest.raises(QueryError, match="cannot sort by"):
        examples.incidents(sort="colour")


@pytest.mark.parametrize("by", ["month", "country", "group"])
def test_aggregates_match_python(examples, by):
    expected = defaultdict(lambda: [0, 0, 0])
    for inc in examples.incidents():
        date = inc.fields["date"] or {}
        keys = {"month": [date.get("value", "")[:7] if date.get("precision") != "year" else None],
                "country": [_loc(inc).get("country")],
                "group": inc.fields["perpetrators"]}[by]
        for key in keys:
            row = expected[key]
            row[0] += 1
            row[1] += _best(inc, "killed") or 0
            row[2] += _best(inc, "injured") or 0
    got = {r[by]: [r["incidents"], r["killed"], r["injured"]] for r in examples.aggregate(by)}
    assert got == dict(expected)


def test_to_pandas(examples):
    frame = examples.incidents(country="France").to_pandas()
    assert list(frame["event_id"]) == [i.id for i in examples.incidents(country="France")]
    assert set(frame["country"]) == {"France"}
    assert frame["fatalities_best"].sum() == sum(_best(i, "killed") or 0 for i in examples.incidents(country="France"))


def _synthetic(n: int, country: str = "Testland") -> list[Incident]:
    return [Incident(id=f"syn-{k:05d}", fields={
        "date": {"value": f"2020-{k % 12 + 1:02d}-{k % 28 + 1:02d}", "precision": "day"},
        "location": {"name": f"Town {k % 7}", "admin1": f"Region {k % 3}", "country": country,
                     "lat": 10.0 + k % 5, "lon": 20.0 + k % 5, "precision": 1},
        "attack_type": "bombing_explosion", "killed": {"min": k % 4, "best": k % 4, "max": k % 4},
        "injured": None, "perpetrators": [f"Group {k % 2}"], "targets": [], "weapons": ["explosives"],
        "sources": 1}) for k in range(n)]


def test_save_keeps_columns_in_sync_and_reviewed(store_url):
    db = incidentwire.open(store_url)
    db.store.save_incidents(_synthetic(30))
    assert len(db.incidents(admin1="region 1")) == 10
    db.set_reviewed("syn-00001")
    changed = _synthetic(2)[1]
    changed.fields["location"] = dict(changed.fields["location"], admin1="Region 2")
    changed.fields["perpetrators"] = ["Renamed Front"]
    db.store.save_incident(changed)           # a re-ingest re-saves: columns follow, review stays
    assert len(db.incidents(admin1="region 1")) == 9
    assert [i.id for i in db.incidents(perpetrator="renamed")] == ["syn-00001"]
    assert [i.id for i in db.incidents(reviewed=True)] == ["syn-00001"]
    assert db.incident("syn-00001").fields["reviewed"] is True
    assert len(db.incidents(reviewed=False)) == 29
    db.store.delete_incident("syn-00001")
    assert db.incidents(perpetrator="renamed") == []
    with pytest.raises(incidentwire.IncidentwireError, match="no incident"):
        db.set_reviewed("syn-00001")
    db.store.close()


def test_migrations_applied_once(store_url):
    incidentwire.open(store_url).store.close()
    store = incidentwire.open(store_url).store
    with store.engine.connect() as conn:
        from sqlalchemy import text
        names = [r[0] for r in conn.execute(text("SELECT name FROM migrations ORDER BY n"))]
    assert names == [m.__name__ for m in MIGRATIONS]
    store.close()


def test_old_version_database_upgrades_itself(tmp_path):
    """tests/data/schema_v1.db was written by the version before the query columns (schema 1,
    the examples ingested); opening it applies the later migrations and keeps every record."""
    path = tmp_path / "old.db"
    shutil.copy(DATA / "schema_v1.db", path)
    db = incidentwire.open(path)
    assert db.store.counts() == {"articles": 15, "mentions": 22, "claims": 160, "incidents": 11, "rejects": 0}
    assert [i.fields["location"]["name"] for i in db.incidents(country="germany")] == ["Berlin"]
    assert db.incidents(perpetrator="islamic state") and db.incidents(text="Breitscheidplatz")
    assert db.export("eval-jsonl") == (DATA / "schema_v1.eval.jsonl").read_text()
    db.store.close()


def test_postgres_url_selects_backend(postgres_cluster):
    url = postgres_cluster.new_database()
    store = incidentwire.open(url).store
    assert store.engine.dialect.name == "postgresql" and store.url.startswith("postgresql+psycopg://")
    store.close()


def test_new_sqlite_files_use_16k_pages_and_older_ones_keep_theirs(tmp_path):
    """Big pages for new files (a 100 KB raw page is fewer overflow pages to write twice); a
    file made with 4 KB pages (before) opens, stores and reads as it did."""
    import sqlite3

    from incidentwire.records import Article

    db = incidentwire.open(tmp_path / "new.db")
    with db.store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA page_size").scalar() == 16384
    old = tmp_path / "old.db"
    con = sqlite3.connect(old)
    con.execute("PRAGMA page_size=4096")
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    store = incidentwire.open(old).store
    raw = b"<html><body><p>" + b"Gunmen attacked the market. " * 4000 + b"</p></body></html>"
    store.save_articles([Article(id="a1", text=raw.decode(), raw=raw, content_hash="h", format="html")])
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA page_size").scalar() == 4096
    assert store.article("a1")["text"] == raw.decode()
