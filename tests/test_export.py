"""Every export format, read back by the library its users load it with: pandas (CSV, JSON
Lines, Parquet), the ``geojson`` package's validator, ``stix2.parse``."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import geojson
import pandas as pd
import pytest
import stix2
from click.testing import CliRunner

import incidentwire
from incidentwire.cli import main
from incidentwire.export import CODEBOOK_COLUMNS, CSV_COLUMNS, FORMATS

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """The examples database (stored at schema 1, upgraded on open)."""
    path = tmp_path_factory.mktemp("export") / "examples.db"
    shutil.copy(DATA / "schema_v1.db", path)
    database = incidentwire.open(path)
    yield database
    database.store.close()


def _killed(db) -> int:
    return sum((i.fields.get("killed") or {}).get("best") or 0 for i in db.incidents())


def test_csv_reads_in_pandas(db):
    frame = pd.read_csv(io.StringIO(db.export("csv")))
    assert tuple(frame.columns) == CSV_COLUMNS and len(frame) == 11
    assert frame["fatalities_best"].sum() == _killed(db)
    assert set(frame["time_precision"].dropna()) <= {1, 2, 3} and set(frame["where_prec"].dropna()) <= {1, 3, 4, 6}
    berlin = frame[frame["location"] == "Berlin"].iloc[0]
    assert (berlin["event_date"], berlin["country"], berlin["fatalities_low"], berlin["n_sources"]) == \
        ("2016-12-19", "Germany", 12, 4)
    assert "berlin-lantern-1" in berlin["sources"] and berlin["notes"]


def test_codebook_csv_reads_in_pandas(db):
    frame = pd.read_csv(io.StringIO(db.export("csv-codebook")))
    assert tuple(frame.columns) == CODEBOOK_COLUMNS and len(frame) == 11
    assert set(frame["dbsource"]) == {"incidentwire"}
    assert frame["nkill"].sum() == _killed(db)
    assert set(frame["imonth"]) <= set(range(13)) and set(frame["iday"]) <= set(range(32))


def test_parquet_reads_in_pandas(db, tmp_path):
    out = tmp_path / "incidents.parquet"
    db.export("parquet", output=out)
    frame = pd.read_parquet(out)
    assert tuple(frame.columns) == CSV_COLUMNS and len(frame) == 11
    assert str(frame["fatalities_best"].dtype) == "Int64" or frame["fatalities_best"].dtype.kind in "if"
    assert frame["latitude"].dtype.kind == "f"
    assert frame["fatalities_best"].sum() == _killed(db)


def test_json_and_jsonl_carry_claims_with_evidence(db):
    records = json.loads(db.export("json"))
    lines = pd.read_json(io.StringIO(db.export("jsonl")), lines=True)
    assert len(records) == len(lines) == 11 and list(lines["id"]) == [r["id"] for r in records]
    checked = 0
    for record in records:
        for mention in record["mentions"]:
            text = db.article(mention["article_id"])["clean_text"]
            for claim in mention["claims"]:
                if claim["end"] > claim["start"]:
                    assert text[claim["start"]:claim["end"]] == claim["quote"]
                    checked += 1
    assert checked > 100


def test_geojson_is_valid(db):
    collection = geojson.loads(db.export("geojson"))
    assert collection.is_valid, collection.errors()
    located = [f for f in collection["features"] if f["geometry"]]
    assert len(collection["features"]) == 11 and len(located) == sum(
        1 for i in db.incidents() if (i.fields.get("location") or {}).get("lat") is not None)
    berlin = next(f for f in located if f["properties"]["location"] == "Berlin")
    lon, lat = berlin["geometry"]["coordinates"]
    assert (round(lat), round(lon)) == (53, 13)    # GeoJSON order is lon, lat


def test_stix_bundle_parses(db):
    bundle = stix2.parse(db.export("stix"), allow_custom=True)
    by_id = {o.id: o for o in bundle.objects}
    types = {o.type for o in bundle.objects}
    assert {"report", "incident", "location", "threat-actor", "identity", "relationship"} <= types
    reports = [o for o in bundle.objects if o.type == "report"]
    assert len(reports) == 11
    for report in reports:
        assert all(ref in by_id for ref in report.object_refs)
    for rel in (o for o in bundle.objects if o.type == "relationship"):
        assert rel.source_ref in by_id and rel.target_ref in by_id
    berlin = next(o for o in bundle.objects if o.type == "location" and o.get("city") == "Berlin")
    assert berlin.country == "DE"
    actors = [o.name for o in bundle.objects if o.type == "threat-actor"]
    assert "Islamic State" in actors and len(actors) == len(set(actors))
    assert db.export("stix") == db.export("stix")     # stable ids: re-exports do not duplicate


def test_eval_jsonl_unchanged(db):
    assert db.export("eval-jsonl") == (DATA / "schema_v1.eval.jsonl").read_text()


def test_cli_export_every_format_with_filters(db, tmp_path):
    runner = CliRunner()
    for fmt in FORMATS:
        out = tmp_path / f"out.{fmt}"
        result = runner.invoke(main, ["--db", db.store.url.removeprefix("sqlite:///"), "export", "--format", fmt,
                                      "--output", str(out), "--country", "France"])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    assert len(pd.read_parquet(tmp_path / "out.parquet")) == 2
    assert len(json.loads((tmp_path / "out.json").read_text())) == 2


def test_cli_incidents_and_aggregate(db):
    runner = CliRunner()
    path = db.store.url.removeprefix("sqlite:///")
    result = runner.invoke(main, ["--db", path, "incidents", "--json", "--perpetrator", "islamic",
                                  "--sort", "-killed", "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert [r["killed"]["best"] for r in json.loads(result.output)] == [86, 38]
    result = runner.invoke(main, ["--db", path, "aggregate", "--by", "country", "--json", "--since", "2016"])
    rows = {r["country"]: r["incidents"] for r in json.loads(result.output)}
    assert rows["France"] == 1 and "Tunisia" not in rows
    result = runner.invoke(main, ["--db", path, "incidents", "--sort", "colour"])
    assert result.exit_code == 1 and "cannot sort by" in result.output


def test_eval_jsonl_articles_gives_what_each_article_says(db):
    """Two outlets reporting one attack share its incident id; the linked export gives both the
    reconciled toll, the per-article export gives each the count its own report states."""
    linked = {r["doc_id"]: r for r in map(json.loads, db.export("eval-jsonl").splitlines())}
    own = {r["doc_id"]: r for r in map(json.loads, db.export("eval-jsonl-articles").splitlines())}
    assert linked.keys() == own.keys()
    atlas, meridian = own["sousse-atlas-1"]["incidents"][0], own["sousse-meridian-1"]["incidents"][0]
    assert atlas["incident_id"] == meridian["incident_id"] == linked["sousse-atlas-1"]["incidents"][0]["incident_id"]
    assert linked["sousse-atlas-1"]["incidents"][0]["killed"]["best"] == 38
    assert (atlas["killed"]["best"], meridian["killed"]["best"]) == (27, 38)
    assert atlas["perpetrators"] == [] and meridian["perpetrators"] == ["Islamic State"]


def test_eval_jsonl_muc4_adds_described_attackers_only_there(tmp_path):
    """MUC-4 codes "two unidentified gunmen" as a perpetrator (count included); the stored perpetrators, which
    linking and alerts read, name actors only. The MUC-4 export adds the description."""
    data = tmp_path / "in"
    data.mkdir()
    (data / "lima.txt").write_text(
        "Gunmen kill judge in Lima\n\nLIMA, Peru (Wire) -- Two unidentified gunmen shot dead a judge outside "
        "his home in Lima on Monday, 4 March 2019, police said. Shining Path guerrillas attacked a police "
        "post in the same district last week.\n")
    database = incidentwire.open(tmp_path / "m.db")
    database.ingest([data])
    own = json.loads(database.export("eval-jsonl-articles").splitlines()[0])["incidents"][0]
    muc = json.loads(database.export("eval-jsonl-muc4").splitlines()[0])["incidents"][0]
    assert "two unidentified gunmen" not in [p.lower() for p in own["perpetrators"]]
    named = len(own["perpetrators"])
    assert muc["perpetrators"][:named] == own["perpetrators"] and own["perpetrators"]
    assert "two unidentified gunmen" in [p.lower() for p in muc["perpetrators"][named:]]
    assert {k: v for k, v in muc.items() if k != "perpetrators"} == {k: v for k, v in own.items() if k != "perpetrators"}


def test_eval_jsonl_muc4_gives_each_other_kind_of_act_its_own_row(tmp_path):
    """MUC-4 codes an attack in which the attackers also burned vehicles as an attack and an arson."""
    data = tmp_path / "in"
    data.mkdir()
    (data / "farm.txt").write_text(
        "Rebels attack farm\n\nGUATEMALA CITY (Wire) -- Guerrillas attacked a farm with machineguns near Flores on "
        "Monday, 4 March 2019, and set fire to two trucks, the army said.\n")
    database = incidentwire.open(tmp_path / "m.db")
    database.ingest([data])
    own = json.loads(database.export("eval-jsonl-articles").splitlines()[0])["incidents"]
    muc = json.loads(database.export("eval-jsonl-muc4").splitlines()[0])["incidents"]
    assert muc[:len(own)] == own or [dict(r, perpetrators=[]) for r in muc[:len(own)]] == [
        dict(r, perpetrators=[]) for r in own]
    assert "facility_infrastructure_attack" not in [r["attack_type"] for r in own]
    extra = muc[len(own):]
    assert [r["attack_type"] for r in extra] == ["facility_infrastructure_attack"]
    assert extra[0]["perpetrators"] == extra[0]["targets"] == [] and extra[0]["date"] == "2019-03-04"
