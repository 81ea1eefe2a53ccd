"""The role-filler lexicon counted on MUC-4 train: building it, and its span finders on own-words text."""

from __future__ import annotations

import json

from incidentwire import train
from incidentwire.extract import incidents, lexicon
from incidentwire.records import Article


def _doc(text, **roles):
    template = {r: [] for r in ("perp_individual", "perp_org", "target", "victim", "weapon")}
    template.update({r: [[m] for m in ms] for r, ms in roles.items()})
    return {"doc_id": text[:10], "text": text, "templates": [dict(template, incident_type="bombing")] if roles else []}


def test_build_counts_filler_share_and_keeps_phrases_over_threshold(tmp_path):
    docs = [_doc("the red hand front blew up a water tower with a parcel bomb.", perp_org=["red hand front"],
                 target=["water tower"], weapon=["parcel bomb"]),
            _doc("the red hand front said its members planted a parcel bomb at the water tower.",
                 perp_org=["red hand front"], weapon=["parcel bomb"]),
            _doc("a spokesman of the red hand front spoke about the water tower budget.")]
    (tmp_path / "eval" / "muc4").mkdir(parents=True)
    (tmp_path / "eval" / "muc4" / "train.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs))
    out = tmp_path / "lex.json"
    lex = train.build_lexicon(tmp_path, out, min_ratio={"perp_org": 0.6, "target": 0.6, "weapon": 0.6},
                              min_filler={"perp_org": 1, "target": 1, "weapon": 1})
    assert lex["roles"]["perp_org"]["red hand front"] == [2, 3, 2]   # a filler in 2 of the 3 texts naming it (2 with a template)
    assert lex["roles"]["target"]["water tower"] == [1, 3, 2]
    assert lex["roles"]["weapon"]["parcel bomb"] == [2, 2, 2]
    assert json.loads(out.read_text())["sha256"]


def test_finders_split_named_perpetrators_from_descriptions(tmp_path, monkeypatch):
    path = tmp_path / "lex.json"
    path.write_text(json.dumps({
        "min_ratio": {"perp_org": 0.3, "perp_individual": 0.3, "target": 0.3, "victim": 0.3},
        "min_filler": {"perp_org": 1, "perp_individual": 1, "target": 2, "victim": 1},
        "roles": {"perp_org": {"red hand front": [5, 6], "government": [1, 20]},
                  "perp_individual": {"two masked men": [2, 3], "river guerrillas": [4, 8]},
                  "target": {"water tower": [3, 4], "grain silo": [1, 1]},
                  "victim": {"amalia torrentes": [2, 2]}}}))
    monkeypatch.setattr(lexicon, "LEXICON_PATH", path)
    lexicon.load.cache_clear()
    lexicon._pattern.cache_clear()
    try:
        text = ("Two masked men of the Red Hand Front and river guerrillas blew up the water tower and a grain "
                "silo; the government condemned it. Amalia Torrentes was killed.")
        assert [p for p, _, _ in lexicon.finder("perpetrators")(text)] == ["Red Hand Front", "river guerrillas"]
        assert [p for p, _, _ in lexicon.finder("perpetrator_descriptions")(text)] == ["Two masked men"]
        # "grain silo" was a filler once only: under min_filler 2
        assert [(p, text[s:e]) for p, s, e in lexicon.finder("targets")(text)] == [("water tower", "water tower")]
        art = Article(id="a1", url="", title="", text=text.lower(), clean_text=text.lower(), published="1990-01-12")
        claims = [c for m in incidents.extract_mentions(art) for c in m.claims]
        found = [(c.field, c.value, c.extractor) for c in claims]
        assert ("victims", "amalia torrentes", "lexicon.victims") in found, found
        # a perpetrator phrase that modifies another noun names no actor
        assert lexicon.finder("perpetrators")("the river guerrillas attacks and red hand front column") == []
    finally:
        lexicon.load.cache_clear()
        lexicon._pattern.cache_clear()
