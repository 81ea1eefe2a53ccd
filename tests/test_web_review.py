"""Analyst review in the library (review.py, tokens.py) on a real SQLite file: edits as analyst
claims, merge, split, mark reviewed, the append-only audit log and undo."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from web_helpers import EXAMPLES, EXAMPLES_META, copy_db

import incidentwire
from incidentwire.errors import AuthError, NotFoundError, ReviewError
from incidentwire.tokens import list_tokens, revoke_token


@pytest.fixture
def db(web_sample_db, tmp_path):
    return incidentwire.open(copy_db(web_sample_db, tmp_path / "review.db"))


def by_city(db, city):
    return next(i for i in db.incidents() if (i.fields.get("location") or {}).get("name") == city)


def claims_of(inc, field):
    return sorted((c.article_id, c.start, c.end, c.quote) for m in inc.mentions for c in m.claims
                  if c.field == field)


def test_edit_is_an_analyst_claim_and_keeps_the_extracted_claims(db):
    inc = by_city(db, "Manchester")
    was, extracted = inc.fields["killed"], claims_of(inc, "killed")
    assert was["best"] != 22 or was["min"] != 22
    entry = db.edit(inc.id, "killed", "22", who="alice", note="police final toll")
    after = db.incident(inc.id)
    assert after.fields["killed"]["best"] == after.fields["killed"]["min"] == after.fields["killed"]["max"] == 22
    assert after.fields["analyst"]["killed"]["was"] == was
    assert after.fields["analyst"]["killed"]["who"] == "alice"
    assert claims_of(after, "killed") == extracted          # old claims kept
    [claim] = db.analyst_claims(inc.id)
    assert (claim["field"], claim["value"]["best"], claim["who"], claim["note"]) == ("killed", 22, "alice",
                                                                                   "police final toll")
    [logged] = db.audit_log(inc.id)
    assert (logged["id"], logged["who"], logged["action"]) == (entry["id"], "alice", "edit")
    assert logged["detail"]["was"] == was and logged["at"].endswith("+00:00")

    db.undo(entry["id"], who="bob")
    undone = db.incident(inc.id)
    assert undone.fields["killed"] == was and "analyst" not in undone.fields
    log = db.audit_log(inc.id)
    assert [(e["action"], e["who"], e["undone_by"]) for e in log] == [("edit", "alice", log[1]["id"]),
                                                                      ("undo", "bob", None)]
    assert db.analyst_claims(inc.id)[0]["retracted_by"] == log[1]["id"]   # kept, marked retracted


def test_other_fields_parse_as_a_form_sends_them(db):
    inc = by_city(db, "Berlin")
    db.edit(inc.id, "date", "2016-12-19", who="alice")
    db.edit(inc.id, "location", "Berlin, Germany", who="alice")
    db.edit(inc.id, "attack_type", "hijacking", who="alice")
    db.edit(inc.id, "injured", "50-56", who="alice")
    db.edit(inc.id, "perpetrators", "Anis Amri; Islamic State", who="alice")
    f = db.incident(inc.id).fields
    assert f["date"]["value"] == "2016-12-19" and f["date"]["precision"] == "day"
    assert f["location"]["name"] == "Berlin" and f["location"]["country"] == "Germany" and f["location"]["lat"]
    assert f["attack_type"] == "hijacking"
    assert (f["injured"]["min"], f["injured"]["best"], f["injured"]["max"]) == (50, 50, 56)
    assert f["perpetrators"] == ["Anis Amri", "Islamic State"]
    assert set(f["analyst"]) == {"date", "location", "attack_type", "injured", "perpetrators"}


def test_analyst_claims_outlive_reingesting_an_updated_article(db, tmp_path):
    inc = by_city(db, "Manchester")
    db.edit(inc.id, "killed", "22", who="alice")
    folder = tmp_path / "news"
    folder.mkdir()
    updated = (EXAMPLES / "manchester-meridian-2.txt").read_text() + "\nThe police thanked the public.\n"
    (folder / "manchester-meridian-2.txt").write_text(updated)
    report = db.ingest([folder])
    assert report.updated == 1
    after = db.incident(inc.id)
    assert after.fields["killed"]["best"] == 22 and after.fields["analyst"]["killed"]["who"] == "alice"


def test_merge_and_undo_restore_both_incidents(db):
    nice, berlin = by_city(db, "Nice"), by_city(db, "Berlin")
    nice_articles, berlin_articles = db.incident(nice.id).to_dict()["articles"], berlin.to_dict()["articles"]
    entry = db.merge(nice.id, berlin.id, who="carol", note="same truck attack?")
    merged = db.incident(nice.id)
    assert set(merged.to_dict()["articles"]) == set(nice_articles) | set(berlin_articles)
    with pytest.raises(NotFoundError):
        db.incident(berlin.id)
    assert [e["action"] for e in db.audit_log(berlin.id)] == ["merge"]
    db.undo(entry["id"], who="carol")
    assert db.incident(nice.id).to_dict()["articles"] == nice_articles
    restored = db.incident(berlin.id)
    assert restored.to_dict()["articles"] == berlin_articles and restored.fields == berlin.fields


def test_split_and_undo(db):
    inc = by_city(db, "Manchester")
    articles = inc.to_dict()["articles"]
    assert len(articles) == 4
    entry = db.split(inc.id, ["manchester-northgate-1"], who="dan")
    new_id = entry["detail"]["new"]
    assert db.incident(new_id).to_dict()["articles"] == ["manchester-northgate-1"]
    assert db.incident(inc.id).to_dict()["articles"] == [a for a in articles if a != "manchester-northgate-1"]
    db.undo(entry["id"], who="dan")
    assert db.incident(inc.id).to_dict()["articles"] == articles
    with pytest.raises(NotFoundError):
        db.incident(new_id)


def test_mark_reviewed(db):
    inc = by_city(db, "Stockholm")
    entry = db.mark_reviewed(inc.id, who="erin", note="checked against police statement")
    after = db.incident(inc.id).fields
    assert after["reviewed"] is True and after["review"]["by"] == "erin"
    assert [i.id for i in db.incidents(reviewed=True)] == [inc.id]
    db.undo(entry["id"], who="erin")
    assert db.incident(inc.id).fields["reviewed"] is False and "review" not in db.incident(inc.id).fields
    assert db.incidents(reviewed=True) == []


def test_a_reviewed_incident_merged_away_is_still_reviewed_after_undo(db):
    nice, berlin = by_city(db, "Nice"), by_city(db, "Berlin")
    db.mark_reviewed(berlin.id, who="erin")
    merge = db.merge(nice.id, berlin.id, who="erin")
    db.undo(merge["id"], who="erin")
    assert db.incident(berlin.id).fields["reviewed"] is True
    assert [i.id for i in db.incidents(reviewed=True)] == [berlin.id]


def test_undo_goes_newest_first_and_the_log_is_append_only(db):
    nice, berlin = by_city(db, "Nice"), by_city(db, "Berlin")
    edit = db.edit(nice.id, "killed", "86", who="alice")
    merge = db.merge(nice.id, berlin.id, who="alice")
    with pytest.raises(ReviewError, match=f"undo #{merge['id']}"):
        db.undo(edit["id"], who="alice")
    undo_merge = db.undo(merge["id"], who="alice")
    db.undo(edit["id"], who="alice")
    with pytest.raises(ReviewError, match="already undone"):
        db.undo(edit["id"], who="alice")
    with pytest.raises(ReviewError, match="cannot itself be undone"):
        db.undo(undo_merge["id"], who="alice")
    with pytest.raises(ReviewError, match="no audit entry"):
        db.undo(9999, who="alice")
    with db.store.engine.begin() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text("UPDATE audit_log SET who = 'mallory'"))
    with db.store.engine.begin() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text("DELETE FROM audit_log"))
    assert [e["who"] for e in db.audit_log()] == ["alice"] * 4


@pytest.mark.parametrize("field,value,message", [
    ("sources", "3", "cannot be edited"),
    ("date", "2017-13-01", "does not exist"),
    ("date", "May 2017", "not YYYY"),
    ("killed", "many", "not N, N-M or N\\+"),
    ("killed", "9-3", "min <= best <= max"),
    ("attack_type", "riot", "unknown attack type"),
    ("location", "Springfield, Atlantis", "country"),
])
def test_bad_values_are_refused_with_a_reason(db, field, value, message):
    inc = by_city(db, "Nice")
    with pytest.raises(ReviewError, match=message):
        db.edit(inc.id, field, value, who="alice")
    assert db.audit_log(inc.id) == []


def test_actions_that_make_no_sense_are_refused(db):
    inc = by_city(db, "Manchester")
    with pytest.raises(ReviewError, match="itself"):
        db.merge(inc.id, inc.id, who="alice")
    with pytest.raises(ReviewError, match="empty"):
        db.split(inc.id, inc.to_dict()["articles"], who="alice")
    with pytest.raises(ReviewError, match="reports"):
        db.split(inc.id, ["nice-lantern-1"], who="alice")
    with pytest.raises(ReviewError, match="who"):
        db.mark_reviewed(inc.id, who=" ")
    with pytest.raises(NotFoundError):
        db.merge(inc.id, "inc-999999", who="alice")


def test_tokens_are_stored_hashed_and_can_be_revoked(db):
    token = db.create_token("alice")
    assert db.token_owner(token) == "alice" and db.token_owner(token + "x") is None
    with db.store.engine.connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM api_tokens")).scalar()
    assert token not in stored and len(stored) == 64
    [row] = list_tokens(db.store)
    revoke_token(db.store, row["id"])
    assert db.token_owner(token) is None
    with pytest.raises(AuthError):
        db.create_token("  ")


def test_review_works_on_each_backend(store_url):
    """Edit, merge, undo and the append-only guard on SQLite and on PostgreSQL."""
    db = incidentwire.open(store_url)
    db.ingest([EXAMPLES / "nice-meridian-1.txt", EXAMPLES / "berlin-lantern-1.txt"], metadata=EXAMPLES_META)
    nice, berlin = by_city(db, "Nice"), by_city(db, "Berlin")
    edit = db.edit(nice.id, "killed", "84", who="alice")
    merge = db.merge(nice.id, berlin.id, who="alice")
    assert db.incident(nice.id).fields["killed"]["best"] == 84
    db.undo(merge["id"], who="alice")
    db.undo(edit["id"], who="alice")
    assert db.incident(nice.id).fields["killed"] == nice.fields["killed"]
    assert db.incident(berlin.id).to_dict()["articles"] == ["berlin-lantern-1"]
    with db.store.engine.begin() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text("DELETE FROM audit_log"))
    assert [e["action"] for e in db.audit_log()] == ["edit", "merge", "undo", "undo"]
