"""The bundled sample corpus (examples/news): linking against its hand gold (examples/expected.json)."""

from __future__ import annotations

import json
from collections import defaultdict

import incidentwire
from conftest import EXAMPLES, EXAMPLES_META, ROOT


def _match(inc, expected: list[dict], article_id: str) -> str | None:
    """The expected incident this predicted incident is, for one of its articles."""
    loc = inc.fields.get("location") or {}
    date = (inc.fields.get("date") or {}).get("value") or ""
    for exp in expected:
        if article_id not in exp["documents"] or loc.get("country") != exp["country"]:
            continue
        if loc.get("name") in (exp["city"], None) and (not date or exp["date"].startswith(date[:7])):
            return exp["key"]
    return None


def test_sample_corpus_links_without_false_merges(tmp_path):
    expected = json.loads((ROOT / "examples" / "expected.json").read_text())["incidents"]
    db = incidentwire.open(tmp_path / "examples.db")
    report = db.ingest([EXAMPLES], metadata=EXAMPLES_META)
    assert report.added == len(list(EXAMPLES.iterdir())) and not report.rejected
    keys_per_incident: dict[str, set] = defaultdict(set)
    found: set[tuple[str, str]] = set()
    for inc in db.incidents():
        for m in inc.mentions:
            key = _match(inc, expected, m.article_id)
            if key:
                keys_per_incident[inc.id].add(key)
                found.add((key, m.article_id))
    assert all(len(keys) == 1 for keys in keys_per_incident.values()), keys_per_incident
    gold_pairs = {(e["key"], d) for e in expected for d in e["documents"]}
    recall = len(found & gold_pairs) / len(gold_pairs)
    assert recall >= 0.75, recall
    berlin = [i for i in db.incidents() if (i.fields["location"] or {}).get("name") == "Berlin"]
    assert len(berlin) == 1 and berlin[0].fields["sources"] >= 3
    assert berlin[0].fields["killed"]["best"] == 12


def test_html_article_gets_its_date_from_the_page(tmp_path):
    db = incidentwire.open(tmp_path / "html.db")
    html = next(EXAMPLES.glob("*.html"))
    db.ingest([html])
    art = db.article(html.stem)
    assert art["published"] and art["published_basis"] == "html metadata"
    assert "<script" not in art["clean_text"]
