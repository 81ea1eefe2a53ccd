"""Threat levels: official levels read from text, and the computed activity level per region."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from incidentwire import threat
from incidentwire.cli import main

ALMATY = {"name": "Almaty", "admin1": "Almaty City", "country": "Kazakhstan", "lat": 43.25, "lon": 76.91,
          "precision": 1, "kind": "city"}


def test_seeds_state_a_red_level_for_almaty_with_evidence(seeds_db):
    claims = threat.official_levels(seeds_db.store)
    assert {(c.value["scale"], c.value["level"], c.value["region"]["key"]) for c in claims} == {
        ("KZ", "red", "KZ/city/Almaty")}
    for c in claims:
        assert seeds_db.article(c.article_id)["clean_text"][c.start:c.end] == c.quote
        assert c.value["rank"] == 4 and c.value["date"]["value"].startswith("2016-07")
    assert threat.official_levels(seeds_db.store, region="Kazakhstan") == claims
    assert threat.official_levels(seeds_db.store, region="Taraz") == []


@pytest.mark.parametrize("text, expected", [
    ("The UK terrorism threat level was raised to critical on 23 May 2017 after the Manchester bombing.",
     ("GB", "critical", "raised", "2017-05-23", "Manchester")),
    ("Britain lowered its threat level from severe to substantial.",
     ("GB", "substantial", "lowered", "2017-06", "United Kingdom")),
    ("Belgium raised its terror alert to level 4 in Brussels.", ("BE", "4", "raised", "2017-06", "Brussels")),
    ("The Netherlands kept its terrorist threat level at substantial.",
     ("NL", "substantial", "stated", "2017-06", "The Netherlands")),
])
def test_other_countries_scales(text, expected):
    [claim] = threat.find_threat_levels(text, "2017-06")
    v = claim.value
    assert (v["scale"], v["level"], v["action"], v["date"]["value"], v["region"]["name"]) == expected
    assert text[claim.start:claim.end] == claim.quote


@pytest.mark.parametrize("text", [
    "It is enacted only when the level of danger is critical and a danger of a terrorist act is possible.",
    "Security agencies were put on high alert in southern areas.",
    "Police wore red uniforms at the parade.",
])
def test_words_outside_the_region_scale_are_not_levels(text):
    assert threat.find_threat_levels(text, "2016-07", main_location=ALMATY) == []


def test_the_city_means_the_article_city_and_lifting_is_read():
    [claim] = threat.find_threat_levels("The red level of terrorist threat in the city was lifted on August 20.",
                                        "2016-08-25", main_location=ALMATY)
    assert claim.value["region"]["key"] == "KZ/city/Almaty"
    assert claim.value["action"] == "lifted" and claim.value["date"]["value"] == "2016-08-20"


def _almaty_2016(seeds_db):
    return next(i for i in seeds_db.incidents(country="Kazakhstan")
                if i.fields["location"]["name"] == "Almaty" and i.fields["date"]["value"] == "2016-07-18")


def test_activity_score_follows_the_documented_formula(seeds_db):
    f = _almaty_2016(seeds_db).fields
    raw = 1 + f["killed"]["best"] + 0.5 * ((f.get("injured") or {}).get("best") or 0)
    day = dt.date(2016, 7, 18)

    def almaty(as_of, cfg=None):
        rows = threat.activity_levels(seeds_db.store, cfg, as_of, region="KZ/city/Almaty")
        return rows[0]
    assert almaty(day)["score"] == pytest.approx(raw, abs=1e-3)
    assert almaty(day + dt.timedelta(days=90))["score"] == pytest.approx(raw / 2, abs=1e-3)   # half-life
    assert almaty(day + dt.timedelta(days=400))["level"] == "none"                           # out of window
    cfg = threat.ActivityConfig(w_killed=10.0, thresholds={"low": 0, "severe": 50})
    assert almaty(day, cfg)["score"] == pytest.approx(raw + 9 * f["killed"]["best"], abs=1e-3)
    assert almaty(day, cfg)["level"] == "severe"
    # the country counts its cities' incidents
    country = threat.activity_levels(seeds_db.store, as_of=day, region="Kazakhstan")[0]
    assert country["region"]["kind"] == "country" and country["score"] > almaty(day)["score"]


def test_activity_history_gives_the_level_at_each_incident(seeds_db):
    rows = threat.activity_history(seeds_db.store, region="KZ/city/Almaty")
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    assert {r["date"] for r in rows} >= {"2011-11-08", "2016-07-18"}
    assert all(r["level"] != "none" for r in rows)


def test_cli_levels_shows_official_and_computed(seeds_db):
    db = str(seeds_db.store.url).removeprefix("sqlite:///")
    result = CliRunner().invoke(main, ["--db", db, "levels", "--json", "--region", "Almaty"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [c["value"]["level"] for c in data["official"]] == ["red"]
    assert data["computed"] and all(threat.region_matches(r["region"], "Almaty") for r in data["computed"])
    table = CliRunner().invoke(main, ["--db", db, "levels", "--history"])
    assert table.exit_code == 0 and "red" in table.output and "Almaty" in table.output
