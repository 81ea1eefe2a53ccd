"""Ingest through the pipeline on a real SQLite file: quarantine and its retry, the run
summary, exact and near-duplicate story grouping, language flags, unknown-date reasons."""

from __future__ import annotations

import json
import subprocess
import sys

import incidentwire
from incidentwire.dedup import StoryIndex, signature
from incidentwire.language import detect_language
from incidentwire.records import Article

CLI = [sys.executable, "-m", "incidentwire.cli"]
WIRE = ("KABUL (Wire) - A suicide bomber blew himself up outside a government ministry in the Afghan capital on "
        "Monday, killing at least six people and wounding 20 others, officials said. The attacker detonated his "
        "explosives as employees were leaving the building at the end of the working day, a police spokesman said. "
        "No group immediately claimed responsibility for the bombing, but Taliban insurgents have carried out "
        "similar attacks on government targets in the city. Ambulances rushed the wounded to nearby hospitals, "
        "where doctors said several were in critical condition.")
OTHER = ("Security forces in northern Mali said on Thursday that gunmen on motorbikes had raided a village near the "
         "border with Niger, burning houses and killing eleven civilians, in the latest of a series of raids blamed "
         "on an Islamic State affiliate. Residents who fled to the regional capital described the attackers arriving "
         "at dawn and shooting at anyone who ran, according to a local official reached by telephone.")


def test_quarantine_lists_and_retry_ingests_after_fix(tmp_path):
    data, db = tmp_path / "in", tmp_path / "q.db"
    data.mkdir()
    (data / "good.txt").write_text(WIRE)
    (data / "big.txt").write_text(OTHER * 40)
    (data / "lines.jsonl").write_text(json.dumps({"doc_id": "j1", "text": OTHER}) + "\n{oops\n")
    r = subprocess.run(CLI + ["--db", str(db), "ingest", "--max-size", "0.005", str(data)], capture_output=True, text=True)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "quarantined (too-large)" in r.stderr and "quarantined (malformed-json)" in r.stderr
    assert "2 quarantined" in r.stderr and "4 seen" in r.stderr and "articles/s" in r.stderr
    listed = subprocess.run(CLI + ["--db", str(db), "quarantine", "--json"], capture_output=True, text=True)
    rows = {row["source"]: row for row in json.loads(listed.stdout)}
    assert rows[str(data / "big.txt")]["kind"] == "too-large"
    assert rows[f"{data / 'lines.jsonl'}:2"]["reason"].startswith("line 2: not valid JSON")
    table = subprocess.run(CLI + ["--db", str(db), "quarantine"], capture_output=True, text=True)
    assert "2 quarantined inputs" in table.stdout

    # The same run again: still two rows, not four.
    subprocess.run(CLI + ["--db", str(db), "ingest", "--max-size", "0.005", str(data)], capture_output=True)
    assert len(incidentwire.open(db).quarantine()) == 2
    # Fix the JSONL line, retry with the default size limit: everything gets in.
    (data / "lines.jsonl").write_text(json.dumps({"doc_id": "j1", "text": OTHER}) + "\n"
                                      + json.dumps({"doc_id": "j2", "text": WIRE.replace("six", "seven")}) + "\n")
    r = subprocess.run(CLI + ["--db", str(db), "ingest", "--retry-quarantine"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    database = incidentwire.open(db)
    assert database.quarantine() == []
    assert set(database.store.article_ids()) == {"good", "big", "j1", "j2"}


def test_exact_and_near_duplicates_share_a_story(tmp_path):
    data = tmp_path / "in"
    data.mkdir()
    (data / "a_wire.txt").write_text(WIRE)
    (data / "b_copy.txt").write_text("Share on Facebook\n\n" + WIRE.replace(". ", ".  "))  # same clean text
    (data / "c_syndicated.txt").write_text(WIRE.replace("Monday", "Monday afternoon")
                                           .replace("a police spokesman said", "police said")
                                           + " The ministry was closed on Tuesday.")
    (data / "d_other.txt").write_text(OTHER)
    report = incidentwire.open(tmp_path / "d.db").ingest([data])
    store = incidentwire.open(tmp_path / "d.db").store
    rows = {i: store.article(i) for i in store.article_ids()}
    assert rows["a_wire"]["story_id"] == "a_wire" and rows["a_wire"]["duplicate_of"] is None
    assert rows["b_copy"]["story_id"] == "a_wire" and rows["b_copy"]["duplicate_of"] == "a_wire"
    assert rows["c_syndicated"]["story_id"] == "a_wire" and rows["c_syndicated"]["duplicate_of"] is None
    assert rows["d_other"]["story_id"] == "d_other"
    assert report.duplicates == 2


def test_story_index_survives_a_restart():
    first = Article(id="x", text=WIRE, clean_text=WIRE)
    index = StoryIndex()
    index.assign(first)
    reloaded = StoryIndex([(first.id, first.story_id, first.text_key, first.minhash)])
    copy = Article(id="y", text=WIRE + " Extra.", clean_text=WIRE + " Extra.")
    assert reloaded.assign(copy).story_id == "x"
    assert signature("too short to compare") is None


def test_language_is_flagged_and_not_extracted(tmp_path):
    data = tmp_path / "in"
    data.mkdir()
    (data / "fr.txt").write_text("Des hommes armés ont attaqué mardi soir un poste de police à l'entrée de la ville, "
                                 "tuant deux agents, a indiqué le gouverneur de la région. Les assaillants ont pris "
                                 "la fuite vers les collines après une fusillade d'une vingtaine de minutes.")
    (data / "en.txt").write_text(WIRE)
    report = incidentwire.open(tmp_path / "l.db").ingest([data])
    store = incidentwire.open(tmp_path / "l.db").store
    assert store.article("fr")["language"] == "fr" and store.article("en")["language"] == "en"
    assert report.non_english == 1
    assert {m.article_id for m in store.mentions()} == {"en"}
    assert detect_language("12 34 !!") is None


def test_unknown_publication_date_says_why(tmp_path):
    path = tmp_path / "undated.txt"
    path.write_text(OTHER)
    db = incidentwire.open(tmp_path / "u.db")
    db.ingest([path])
    art = db.article("undated")
    assert art["published"] is None and art["published_basis"].startswith("unknown")


def test_no_extraction_still_cleans_judges_groups_and_stores(tmp_path):
    """``--extractor none`` (what the ingest bench times): every article stored with its clean
    text, relevance and story, and no incidents -- even with the relevance filter off."""
    data = tmp_path / "in"
    data.mkdir()
    (data / "a_wire.txt").write_text(WIRE)
    (data / "b_copy.txt").write_text("Share on Facebook\n\n" + WIRE)
    (data / "c_other.txt").write_text(OTHER)
    for relevance_filter in (True, False):
        db = incidentwire.open(tmp_path / f"none{relevance_filter}.db")
        report = db.ingest([data], extractor="none", relevance_filter=relevance_filter)
        assert (report.added, report.duplicates, report.mentions) == (3, 1, 0)
        assert db.store.counts()["incidents"] == 0 and db.store.counts()["mentions"] == 0
        row = db.store.article("b_copy")
        assert row["relevant"] == 1 and row["story_id"] == "a_wire" and row["language"] == "en"
        assert row["clean_text"].startswith("KABUL") and row["raw"].startswith(b"Share on Facebook")


def test_page_text_is_stored_once_and_read_back_whole(tmp_path):
    """A UTF-8 page's text is its raw bytes: the store keeps the bytes only and article() gives
    the text back; a page in another encoding keeps its decoded text beside its bytes."""
    from sqlalchemy import text

    from incidentwire.ingest import read_articles

    data = tmp_path / "in"
    data.mkdir()
    body = f"<html><head><title>Blast</title></head><body><p>{WIRE}</p></body></html>"
    (data / "utf8.html").write_bytes(body.replace("Monday", "Monday – «Kabul»").encode("utf-8"))
    (data / "cyrillic.html").write_bytes(('<html><head><meta charset="windows-1251"></head><body><p>'
                                          + WIRE + " Взрыв в Кабуле.</p></body></html>").encode("cp1251"))
    db = incidentwire.open(tmp_path / "t.db")
    db.ingest([data], extractor="none")
    for art in read_articles([data]):
        assert db.store.article(art.id)["text"] == art.text
        assert bytes(db.store.article(art.id)["raw"]) == art.raw
    with db.store.engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT id, text FROM articles")).all())
    assert stored["utf8"] is None and "Взрыв" in stored["cyrillic"]
