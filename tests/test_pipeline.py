"""End to end on the seed articles and on bad input, through the API and the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import incidentwire
from conftest import SEEDS, SEEDS_META, needs_shared

pytestmark = needs_shared
CLI = [sys.executable, "-m", "incidentwire.cli"]


def _seed_scores(db, scorer, tmp_path):
    pred = tmp_path / "pred.jsonl"
    pred.write_text(db.export("eval-jsonl"))
    gold = scorer.load_jsonl(str(SEEDS.parent.parent / "eval" / "seeds" / "gold.jsonl"))
    flat, _rows, _warn = scorer.score_seeds(scorer.load_jsonl(str(pred)), gold)
    return flat


def test_seeds_bar_recall_and_no_false_merge(seeds_db, scorer, tmp_path):
    flat = _seed_scores(seeds_db, scorer, tmp_path)
    assert flat["incidents.r"] >= 0.80
    assert flat["linking.bcubed.p"] == 1.0


def test_every_claim_quotes_its_evidence(seeds_db):
    for inc in seeds_db.incidents():
        for m in inc.mentions:
            clean = seeds_db.article(m.article_id)["clean_text"]
            for c in m.claims:
                assert clean[c.start:c.end] == c.quote, (c.field, c.quote)


def test_almaty_2016_toll_history_rises_to_six(seeds_db):
    almaty = [i for i in seeds_db.incidents()
              if (i.fields["location"] or {}).get("name") == "Almaty"
              and (i.fields["date"] or {}).get("value") == "2016-07-18"]
    assert len(almaty) == 1
    inc = almaty[0]
    assert inc.fields["sources"] == 3
    assert inc.fields["killed"]["best"] == 6
    history = [row["killed"] for row in inc.fields["toll_history"]]
    # every early report gives four (three policemen + one civilian "also" killed), then six
    assert history == [4, 4, 6]


def test_reingest_changes_nothing(seeds_db):
    before = seeds_db.store.counts()
    report = seeds_db.ingest([SEEDS], metadata=SEEDS_META)
    assert report.unchanged == 5 and report.added == 0
    assert seeds_db.store.counts() == before


def test_eval_jsonl_has_one_line_per_article_main_first(seeds_db):
    lines = [json.loads(x) for x in seeds_db.export("eval-jsonl").splitlines()]
    assert [x["doc_id"] for x in lines] == sorted(p.stem for p in SEEDS.glob("*.txt"))
    first_000 = lines[0]["incidents"][0]
    assert first_000["location"]["name"] == "Almaty" and first_000["date"] == "2016-07-18"


def test_cli_contract_ingest_and_export(tmp_path):
    db, out = tmp_path / "cli.db", tmp_path / "pred.jsonl"
    r = subprocess.run(CLI + ["--db", str(db), "ingest", "--metadata", str(SEEDS_META), str(SEEDS)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "5 added" in r.stderr
    r = subprocess.run(CLI + ["--db", str(db), "export", "--format", "eval-jsonl", "--output", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert len(out.read_text().splitlines()) == 5
    r = subprocess.run(CLI + ["--db", str(db), "incidents"], capture_output=True, text=True)
    assert "Almaty" in r.stdout and "Taraz" in r.stdout
    inc_id = incidentwire.open(db).incidents(min_killed=7)[0].id
    r = subprocess.run(CLI + ["--db", str(db), "show", inc_id], capture_output=True, text=True)
    assert r.returncode == 0 and "killed seven people" in r.stdout and "toll history" in r.stdout
    # who claimed it and what the authorities did are shown with their quotes
    claimed = next(i for i in incidentwire.open(db).incidents() if i.fields.get("claimed_by"))
    assert claimed.fields["claimed_by"] == ["Jund al-Khilafah"]
    r = subprocess.run(CLI + ["--db", str(db), "show", claimed.id], capture_output=True, text=True)
    assert 'claimed_by: ["Jund al-Khilafah"]' in r.stdout and "responses.responsibility" in r.stdout  # its quote
    red = next(i for i in incidentwire.open(db).incidents() if any(
        x.get("level") == "red" for x in i.fields.get("responses") or []))
    assert red.fields["location"]["name"] == "Almaty" and red.fields["date"]["value"] == "2016-07-18"


def test_bad_input_one_line_error_and_recorded(tmp_path):
    db = tmp_path / "bad.db"
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n")
    bad_jsonl = tmp_path / "feed.jsonl"
    bad_jsonl.write_text('{"doc_id": "a", "text": "Gunmen killed two police officers in Almaty on Monday."}\n'
                         '{not json\n{"text": "no id"}\n')
    missing = tmp_path / "nope.txt"
    r = subprocess.run(CLI + ["--db", str(db), "ingest", str(missing), str(binary), str(empty), str(bad_jsonl)],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    for needle in ("path does not exist", "binary file", "empty file", "not valid JSON", "doc_id"):
        assert needle in r.stderr
    rejects = incidentwire.open(db).rejects()
    assert len(rejects) == 5
    assert incidentwire.open(db).store.counts()["articles"] == 1


def test_bad_metadata_and_unknown_incident_are_clear_errors(tmp_path):
    meta = tmp_path / "meta.jsonl"
    meta.write_text('{"doc_id": "x", "published": "last Tuesday"}\n')
    r = subprocess.run(CLI + ["--db", str(tmp_path / "m.db"), "ingest", "--metadata", str(meta), str(SEEDS)],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "published must be YYYY" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run(CLI + ["--db", str(tmp_path / "m.db"), "show", "inc-999999"], capture_output=True, text=True)
    assert r.returncode == 1 and "no incident with id" in r.stderr


def test_public_api_is_declared():
    assert set(incidentwire.__all__) >= {"open", "Database", "IncidentwireError"}
    for name in incidentwire.__all__:
        assert hasattr(incidentwire, name)
