"""The learned extractor: windowing, the plugin point, and the shipped ONNX model on hand-written text."""

from __future__ import annotations

import re

import pytest

from incidentwire import api
from incidentwire.errors import ExtractorError
from incidentwire.extract import learned, plugins

TEXT = ("san salvador, 12 jan 90 -- urban guerrillas of the farabundo marti national liberation front "
        "(fmln) today exploded a car bomb outside the defense ministry building in san salvador, "
        "killing two soldiers. the fmln also attacked a power substation with rifles and grenades.")


def _model_or_skip() -> learned.LearnedExtractor:
    pytest.importorskip("onnxruntime", reason="onnxruntime not installed (the [learned] extra)")
    pytest.importorskip("tokenizers", reason="tokenizers not installed (the [learned] extra)")
    if not (learned.MODEL_DIR / f"{learned.MODEL_NAME}.onnx").exists():
        pytest.skip(f"model file not built: {learned.MODEL_DIR} (run make train-extractor)")
    return learned.default_extractor()


def test_windows_cover_every_token_with_overlap():
    for n in (0, 1, 126, 127, 500):
        wins = learned.windows(n)
        covered = {i for a, b in wins for i in range(a, b)}
        assert covered == set(range(n))
        assert all(b - a <= learned.WINDOW - 2 for a, b in wins)
    assert learned.windows(500)[1][0] == learned.STRIDE


def test_decode_joins_word_pieces_and_bio_runs():
    text = "the fmln guerrillas bombed it"
    offsets = [(0, 3), (4, 6), (6, 8), (9, 19), (20, 26), (27, 29)]
    starts = [True, True, False, True, True, True]
    lab = {name: i for i, name in enumerate(learned.LABELS)}

    def one(name, p=0.9):
        row = [0.0] * len(learned.LABELS)
        row[lab[name]] = p
        row[0] = 1 - p if name != "O" else p
        return row
    probs = [one("O"), one("B-perp_org"), one("O"), one("O"), one("O"), one("O")]
    spans = learned.decode(offsets, starts, probs, text)
    assert [(s.role, s.text) for s in spans] == [("perp_org", "fmln")]
    agg = learned.aggregate(spans + spans, threshold=0.5)
    assert [s.text for s in agg["perp_org"]] == ["fmln"]
    assert learned.aggregate(spans, threshold=0.95)["perp_org"] == []
    # an under-confident tagger: "guerrillas" is 30% perp_org -> tagged only with min_role_prob <= 0.3
    probs[3] = one("B-perp_org", 0.3)
    assert [s.text for s in learned.decode(offsets, starts, probs, text)] == ["fmln"]
    low = learned.decode(offsets, starts, probs, text, min_role_prob=0.25)
    assert [(s.text, round(s.score, 2)) for s in low] == [("fmln", 0.9), ("guerrillas", 0.3)]


def test_unknown_extractor_is_a_clear_error(tmp_path):
    assert {"rules", "learned", "rules+learned"} <= set(plugins.names())
    with pytest.raises(ExtractorError, match="unknown extractor 'nope'"):
        plugins.get("nope")
    with pytest.raises(ExtractorError):
        api.Database(tmp_path / "x.db").ingest([tmp_path], extractor="nope")


def test_onnx_model_extracts_fillers_from_handwritten_text():
    model = _model_or_skip()
    itype, prob, roles = model.extract(TEXT)
    assert itype in ("bombing", "attack")
    found = {r: [s.text for s in spans] for r, spans in roles.items()}
    assert any("fmln" in s or "farabundo" in s for s in found["perp_org"] + found["perp_individual"]), found
    for spans in roles.values():
        for s in spans:
            assert TEXT[s.start:s.end] == s.text  # evidence offsets point at the filler
    assert model.card["train_data"]["sha256"] and "threshold" in model.card and model.card["combine"]


def test_rules_plus_learned_ingest_keeps_evidence(tmp_path):
    _model_or_skip()
    doc = tmp_path / "fmln.txt"
    doc.write_text(TEXT.upper(), encoding="utf-8")
    db = api.Database(tmp_path / "t.db")
    report = db.ingest([doc], extractor="rules+learned", relevance_filter=False)
    assert report.mentions >= 1
    claims = [c for m in db.store.mentions() for c in m.claims]
    learned_claims = [c for c in claims if c.extractor == "learned"]
    # the shipped card adds learned fillers of its union roles only (see its combine_chosen_on)
    card = learned.default_extractor().card["combine"]
    allowed = {learned.ROLE_FIELD[r] for r in card["union_roles"]} | {"attack_type"}
    assert {c.field for c in learned_claims} <= allowed, [(c.field, c.value) for c in learned_claims]
    for c in learned_claims:
        assert c.quote and c.end > c.start
    # the model backs the group the rules read as perpetrator: it stays a perpetrator claim
    perps = {c.value.lower() for c in claims if c.field == "perpetrators"}
    assert "fmln" in perps, [(c.field, c.value) for c in claims]
    assert not [c for c in claims if c.field.endswith(learned.VETOED) and c.value.lower() == "fmln"]


class _FixedModel:
    """What the ONNX model would answer for one text: the combination rule is tested apart from it."""

    def __init__(self, itype, prob, roles, combine=None, per_window=()):
        self.answer = (itype, prob, roles, list(per_window))
        self.card = {"combine": combine or {}}

    def extract_raw(self, text):
        return self.answer


def test_combine_adds_learned_fillers_and_gates_relevance():
    from incidentwire.records import Article

    art = Article(id="c1", text=TEXT, clean_text=TEXT, published="1990-01-12")
    rules = plugins.rules(art)
    assert rules
    # a target the rules word otherwise (they take "defense ministry building" whole)
    start = TEXT.index("defense ministry")
    span = learned.Span("target", start, start + len("defense ministry"), "defense ministry", 0.95)
    roles = {r: [] for r in learned.ROLES} | {"target": [span]}
    merged = learned.combine(art, plugins.rules(art), extractor=_FixedModel("bombing", 0.95, roles))
    targets = [(c.value, c.extractor) for c in merged[0].claims if c.field == "targets"]
    assert ("defense ministry building", "types.targets") in targets
    assert ("defense ministry", "learned") in targets
    assert any(c.extractor != "learned" for c in merged[0].claims if c.field == "perpetrators")  # rules stay
    assert [c.value for c in merged[0].claims if c.field == "attack_type"] == ["bombing_explosion"]
    # the model is sure there is no relevant incident: no incident, whatever the rules found
    none = {r: [] for r in learned.ROLES}
    assert learned.combine(art, plugins.rules(art), extractor=_FixedModel("none", 0.97, none)) == []
    # ... unsure: the rules decide
    kept = learned.combine(art, plugins.rules(art), extractor=_FixedModel("none", 0.6, none))
    assert len(kept) == len(rules)
    # a filler under union_min_score, or of a role left out of union_roles, is not added
    unsure = learned.combine(art, plugins.rules(art),
                             extractor=_FixedModel("bombing", 0.95, roles, {"union_min_score": 0.99}))
    assert not any(c.extractor == "learned" for c in unsure[0].claims if c.field == "targets")
    # one floor per role: the target (0.95) joins at a target floor of 0.9, not at 0.99
    per_role = {"union_roles": ["target"], "union_min_score": {"target": 0.9}}
    joined = learned.combine(art, plugins.rules(art), extractor=_FixedModel("bombing", 0.95, roles, per_role))
    assert ("defense ministry", "learned") in [(c.value, c.extractor) for c in joined[0].claims]
    per_role["union_min_score"] = {"target": 0.99}
    left = learned.combine(art, plugins.rules(art), extractor=_FixedModel("bombing", 0.95, roles, per_role))
    assert not any(c.extractor == "learned" for c in left[0].claims if c.field == "targets")
    only = learned.combine(art, plugins.rules(art),
                           extractor=_FixedModel("bombing", 0.95, roles, {"union_roles": ["victim"]}))
    assert not any(c.extractor == "learned" for c in only[0].claims if c.field == "targets")


def test_combine_vetoes_rule_fillers_the_model_does_not_back():
    from incidentwire.records import Article

    art = Article(id="c3", text=TEXT, clean_text=TEXT, published="1990-01-12")
    assert "power substation" in {c.value for c in plugins.rules(art)[0].claims if c.field == "targets"}
    # one window over the whole text, word by word: "power substation" is 5% target, all else O
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", TEXT)]
    lab = {name: i for i, name in enumerate(learned.LABELS)}
    sub = TEXT.index("power substation")

    def row(i):
        p = [0.0] * len(learned.LABELS)
        tgt = 0.05 if sub <= words[i][0] < sub + len("power substation") else 0.0
        p[lab["B-target"]], p[0] = tgt, 1 - tgt
        return p
    window = (words, [True] * len(words), [row(i) for i in range(len(words))])
    none = {r: [] for r in learned.ROLES}
    model = _FixedModel("bombing", 0.95, none, {"veto": {"targets": 0.3}, "union_roles": []}, [window])
    merged = learned.combine(art, plugins.rules(art), extractor=model)
    targets = {c.value for c in merged[0].claims if c.field == "targets"}
    vetoed = [c for c in merged[0].claims if c.field == "targets" + learned.VETOED]
    assert "power substation" not in targets and "defense ministry building" not in targets
    # nothing is lost: each vetoed claim stays, with its evidence and the model's backing
    assert {c.value for c in vetoed} == {"power substation", "defense ministry building"}
    by = {c.value: c for c in vetoed}
    assert by["power substation"].confidence == 0.05 and by["defense ministry building"].confidence == 0.0
    assert TEXT[by["power substation"].start:by["power substation"].end] == "power substation"
    # a filler outside every window the model read is the rules' alone
    short = (words[:3], [True] * 3, [row(i) for i in range(3)])
    kept = learned.combine(art, plugins.rules(art), extractor=_FixedModel(
        "bombing", 0.95, none, {"veto": {"targets": 0.3}, "union_roles": []}, [short]))
    assert {"power substation", "defense ministry building"} <= {c.value for c in kept[0].claims
                                                                 if c.field == "targets"}


class _MustNotRun:
    card = {"combine": {}}

    def extract_raw(self, text):
        raise AssertionError("the model ran on an article the rules found no incident in")


def test_combine_skips_the_model_when_the_rules_find_nothing():
    from incidentwire.records import Article

    calm = "The city council approved the new budget for parks and libraries on Tuesday."
    art = Article(id="c2", text=calm, clean_text=calm, published="1990-01-12")
    assert plugins.rules(art) == []
    assert learned.combine(art, [], extractor=_MustNotRun()) == []


def test_inference_reads_at_most_max_windows_of_a_long_article():
    model = _model_or_skip()
    long_text = " ".join([TEXT] * 40)  # far more than max_windows windows of tokens
    n_tokens = len(model.encode(long_text)[0])
    assert len(learned.windows(n_tokens, learned.WINDOW, model.stride)) > (model.max_windows or 0) > 0
    _types, per_window = model.predict_raw(long_text)
    assert len(per_window) == model.max_windows


def test_train_extractor_names_a_missing_muc4_folder(tmp_path):
    from click.testing import CliRunner

    from incidentwire.cli import main

    res = CliRunner().invoke(main, ["train-extractor", "--shared", str(tmp_path), "--out", str(tmp_path / "m")])
    assert res.exit_code != 0
    assert f"MUC-4 file not found: {tmp_path / 'eval' / 'muc4' / 'train.jsonl'}" in res.output
    assert not (tmp_path / "m").exists()  # nothing written
