"""Learned role-filler extractor: a fine-tuned MiniLM encoder run with onnxruntime (no torch).

What it does: the lower-cased article is cut into overlapping windows of WordPiece tokens; the
model tags each token with BIO labels for five MUC-4 roles (perpetrator individual, perpetrator
organisation, physical target, named human victim, weapon) and classifies the article's first
window into an incident type ("none" = no relevant incident). Spans are aggregated over the
document: every distinct span string whose mean label probability is at least the threshold
stored in the model card becomes one filler, with its character offsets as evidence.

The model (``models/muc4-minilm-int8.onnx``, int8 dynamic quantisation) and its card (training
data SHA-256, settings, scores) are built by ``incidentwire train-extractor`` (``incidentwire.train``,
needs the ``[train]`` extra). Inference needs the ``[learned]`` extra: onnxruntime (runs the
model) and tokenizers (the model's WordPiece vocabulary, shipped beside it as tokenizer.json).

Combination with the rule extractor (``combine``, used by ``--extractor rules+learned``); the
numbers are chosen on MUC-4 dev and stored in the model card (``combine`` key), defaults below:
- relevance: when the model gives "none" (no relevant incident) a probability of at least
  ``none_gate`` the article yields no incident, whatever the rules found; otherwise the rules
  decide (a rule frame is needed for an incident: the model does not add incidents).
- perpetrators, targets, victims, weapons: on the main incident, a rule claim of a field in
  ``veto`` is vetoed when the model backs it less than that field's number (``support``: the best
  mean probability of the field's role labels over the claim's words, at any occurrence of its
  text inside the windows the model read; a claim outside them is the rules' alone). A vetoed claim
  is not dropped: it stays on the mention under the field ``<field>_vetoed`` (``VETOED``), with
  its evidence and the model's backing as confidence, where an analyst sees it and reconcile does
  not read it. Then the learned fillers of the roles in ``union_roles`` whose mean word
  probability reaches ``union_min_score`` (one number, or one per role) join the rule claims (each keeps its extractor name).
- attack type: the rules' type stays; the learned type replaces it only on the main incident
  and only when its probability reaches ``type_override`` (or the rules found no type).
- dates, places, casualty counts: rules only (MUC-4 has no training signal worth learning them).
The shipped card (chosen on MUC-4 dev with ``eval/learned_combine.py``, see its ``combine_chosen_on``):
veto weapons the model backs under 0.3, targets under 0.1 and perpetrators under 0.02, add learned
perpetrator organisations at >= 0.8 and victims at >= 0.95, the learned type where the rules found
none; no 'none' gate (every gate lowered dev micro_gtt).
Measured 2026-12-07 with the model fully fine-tuned (all 6 layers, 8 epochs, 55 min on 2 cores;
eval/results-learned.md): see the README table and results-learned.md. The model it replaced
(top layer only, 500 steps on shared cores) scored 0.2328 alone on dev and added +0.0026 to the rules.

Limits: trained on 1988-90 FBIS wire text (Latin American conflicts); one set of fillers per
article (all go to the main incident); windows of 128 tokens see little context.
Speed: the model reads windows of 128 tokens every 126 tokens (no overlap) and only the first
``max_windows`` (3, about 380 tokens: the lead of a wire story, where its fillers are) of an
article, and does not run at all on an article the rules found no incident in. Both settings are
in the model card with the dev scores and speeds they were chosen on (``inference_chosen_on``):
MUC-4 dev combined micro_gtt 0.3659 vs 0.3686 reading every window with overlap, at 1.75x the
model's speed. ``bench/run.py --only learned`` measures articles per CPU-second.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import ExtractorError
from ..records import Article, Claim, Mention

ROLES = ("perp_individual", "perp_org", "target", "victim", "weapon")
LABELS = ("O",) + tuple(f"{p}-{r}" for r in ROLES for p in ("B", "I"))
TYPES = ("none", "attack", "bombing", "kidnapping", "arson", "robbery", "forced work stoppage")
# MUC-4 incident type -> our GTD-style attack_type (robbery / work stoppage have no GTD class).
MUC_TO_ATTACK_TYPE = {"attack": "armed_assault", "bombing": "bombing_explosion",
                      "kidnapping": "hostage_kidnapping", "arson": "facility_infrastructure_attack",
                      "robbery": "unknown", "forced work stoppage": "unknown"}
ROLE_FIELD = {"perp_individual": "perpetrators", "perp_org": "perpetrators", "target": "targets",
              "victim": "victims", "weapon": "weapons"}
MODEL_DIR = Path(__file__).resolve().parent.parent / "models"
MODEL_NAME = "muc4-minilm-int8"
WINDOW = 128   # tokens per window, [CLS] and [SEP] included
STRIDE = 96    # start of each training window after the previous one
INFERENCE_STRIDE = 126  # at inference: no overlap (see Speed above)
MAX_WINDOWS = 3         # at inference: the article's first windows only


@dataclass
class Span:
    role: str
    start: int
    end: int
    text: str
    score: float


def windows(n_tokens: int, window: int = WINDOW, stride: int = STRIDE) -> list[tuple[int, int]]:
    """[start, end) token ranges covering n_tokens with overlap; the first starts at 0."""
    body = window - 2
    out, s = [], 0
    while True:
        out.append((s, min(s + body, n_tokens)))
        if s + body >= n_tokens:
            return out
        s += stride


def decode(offsets: list[tuple[int, int]], word_start: list[bool], probs, text: str,
           min_role_prob: float | None = None) -> list[Span]:
    """BIO label probabilities of one window's tokens -> spans of whole words.

    A word takes the label of its first word piece: the most probable label, or, when
    ``min_role_prob`` is given, the most probable role label whenever all role labels together
    reach that probability (an under-confident tagger still finds its best guesses). A span
    starts at B-role (or at an I-role that does not continue a span of the same role); its score
    is the mean probability of its words' labels (of not-O when ``min_role_prob`` is given)."""
    spans: list[Span] = []
    cur: list | None = None  # [role, start char, end char, score sum, n words]
    for i in range(len(offsets)):
        if not word_start[i]:
            if cur is not None:
                cur[2] = offsets[i][1]
            continue
        p = probs[i]
        if min_role_prob is None:
            lab = max(range(len(p)), key=p.__getitem__)
            conf = p[lab]
        else:
            lab = max(range(1, len(p)), key=p.__getitem__)
            conf = 1.0 - p[0]
            if conf < min_role_prob:
                lab = 0
        name = LABELS[lab]
        if name == "O":
            if cur is not None:
                spans.append(cur)
            cur = None
            continue
        role = name[2:]
        if name.startswith("I-") and cur is not None and cur[0] == role:
            cur[2], cur[3], cur[4] = offsets[i][1], cur[3] + conf, cur[4] + 1
            continue
        if cur is not None:
            spans.append(cur)
        cur = [role, offsets[i][0], offsets[i][1], float(conf), 1]
    if cur is not None:
        spans.append(cur)
    return [Span(role, a, b, text[a:b], total / k) for role, a, b, total, k in spans]


def window_spans(per_window, text: str, min_role_prob: float | None = None) -> list[Span]:
    """Every span of a text from ``LearnedExtractor.predict_raw``'s windows (``decode`` each)."""
    return [sp for offs, starts, probs in per_window for sp in decode(offs, starts, probs, text, min_role_prob)]


def _norm(s: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", s.lower()).split())


def aggregate(spans: list[Span], threshold: float) -> dict[str, list[Span]]:
    """Per role, the best-scoring occurrence of each distinct span string over threshold."""
    best: dict[tuple[str, str], Span] = {}
    for sp in spans:
        key = (sp.role, _norm(sp.text))
        if not key[1] or sp.score < threshold:
            continue
        if key not in best or sp.score > best[key].score:
            best[key] = sp
    out: dict[str, list[Span]] = {r: [] for r in ROLES}
    for (role, _), sp in sorted(best.items(), key=lambda kv: kv[1].start):
        out[role].append(sp)
    return out


class LearnedExtractor:
    """The ONNX model, its tokenizer and card; ``extract(text)`` -> (incident type, fillers)."""

    def __init__(self, model_dir: Path | str = MODEL_DIR, name: str = MODEL_NAME, threads: int = 1):
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as e:
            raise ExtractorError(
                f"the learned extractor needs the [learned] extra (pip install 'incidentwire[learned]'): {e}") from None
        model_dir = Path(model_dir)
        onnx_path, card_path = model_dir / f"{name}.onnx", model_dir / f"{name}.json"
        tok_path = model_dir / f"{name}.tokenizer.json"
        for p in (onnx_path, card_path, tok_path):
            if not p.exists():
                raise ExtractorError(f"learned model file missing: {p} (build it with incidentwire train-extractor)")
        self.card = json.loads(card_path.read_text(encoding="utf-8"))
        self.threshold = float(self.card.get("threshold", 0.5))
        self.stride = int(self.card.get("inference_stride", INFERENCE_STRIDE))
        mw = self.card.get("max_windows", MAX_WINDOWS)
        self.max_windows = None if mw is None else int(mw)  # null in a card: every window
        mrp = self.card.get("min_role_prob")
        self.min_role_prob = None if mrp is None else float(mrp)
        self.tokenizer = Tokenizer.from_file(str(tok_path))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])

    def encode(self, text: str):
        enc = self.tokenizer.encode(text.lower(), add_special_tokens=False)
        word_ids = enc.word_ids
        starts = [i == 0 or word_ids[i] != word_ids[i - 1] for i in range(len(word_ids))]
        return enc.ids, enc.offsets, starts

    def predict_raw(self, text: str):
        """Type probabilities (from the first window) and, per window, (offsets, word starts,
        label probabilities) of its tokens."""
        import numpy as np

        ids, offsets, starts = self.encode(text)
        cls_id, sep_id = self.tokenizer.token_to_id("[CLS]"), self.tokenizer.token_to_id("[SEP]")
        wins = windows(len(ids), WINDOW, self.stride)[:self.max_windows]
        batch = np.zeros((len(wins), WINDOW), dtype=np.int64)
        mask = np.zeros_like(batch)
        for k, (a, b) in enumerate(wins):
            row = [cls_id] + ids[a:b] + [sep_id]
            batch[k, :len(row)] = row
            mask[k, :len(row)] = 1
        tok_logits, type_logits = self.session.run(None, {"input_ids": batch, "attention_mask": mask})
        per_window = []
        for k, (a, b) in enumerate(wins):
            lg = tok_logits[k, 1:1 + b - a]
            p = np.exp(lg - lg.max(-1, keepdims=True))
            p /= p.sum(-1, keepdims=True)
            per_window.append((offsets[a:b], starts[a:b], p.tolist()))
        t = np.exp(type_logits[0] - type_logits[0].max())
        return (t / t.sum()).tolist(), per_window

    def extract(self, text: str) -> tuple[str, float, dict[str, list[Span]]]:
        """(MUC-4 incident type or "none", its probability, role -> spans over the threshold)."""
        itype, prob, roles, _ = self.extract_raw(text)
        return itype, prob, roles

    def extract_raw(self, text: str):
        """``extract``'s answer and the per-window label probabilities it came from (``support``
        reads them)."""
        if not text.strip():
            return "none", 1.0, {r: [] for r in ROLES}, []
        tp, per_window = self.predict_raw(text)
        spans = window_spans(per_window, text, self.min_role_prob)
        k = max(range(len(tp)), key=tp.__getitem__)
        return TYPES[k], tp[k], aggregate(spans, self.threshold), per_window


# the model's roles behind each claim field (a perpetrator may be an individual or an organisation)
FIELD_ROLES = {"perpetrators": ("perp_individual", "perp_org"), "targets": ("target",),
               "victims": ("victim",), "weapons": ("weapon",)}


def support(text: str, value: str, per_window, roles) -> float | None:
    """How much the model backs ``value`` in ``roles``: the best, over the occurrences of the
    value in the text, of its words' mean probability of those roles' labels. None when no
    occurrence lies inside the windows the model read (the model has no say there)."""
    idx = [LABELS.index(f"{p}-{r}") for r in roles for p in ("B", "I")]
    low, needle, best, start = text.lower(), str(value).lower(), None, 0
    while needle:
        a = low.find(needle, start)
        if a < 0:
            break
        b, start = a + len(needle), a + 1
        for offs, starts, probs in per_window:
            ps = [sum(probs[i][j] for j in idx) for i, (x, y) in enumerate(offs) if starts[i] and x >= a and y <= b]
            if ps:
                m = sum(ps) / len(ps)
                best = m if best is None else max(best, m)
    return best


@lru_cache(maxsize=1)
def default_extractor() -> LearnedExtractor:
    return LearnedExtractor()


def _learned_claims(article: Article, text: str, itype: str, prob: float, roles: dict[str, list[Span]]) -> list[Claim]:
    claims = []
    if itype != "none":
        # the type head reads the article's first window: its first sentence is the evidence
        end = next((m.end() for m in re.finditer(r"[.!?](?:\s|$)", text)), len(text))
        claims.append(Claim("attack_type", MUC_TO_ATTACK_TYPE[itype], 0, end, text[:end], "learned",
                            round(prob, 3), article.id))
    seen = set()
    for role in ROLES:
        name = ROLE_FIELD[role]
        for sp in roles[role]:
            if (name, _norm(sp.text)) in seen:
                continue
            seen.add((name, _norm(sp.text)))
            claims.append(Claim(name, sp.text, sp.start, sp.end, sp.text, "learned", round(sp.score, 3), article.id))
    return claims


COMBINE_DEFAULTS = {"none_gate": 0.9, "union_roles": list(ROLES), "union_min_score": 0.9, "type_override": 0.9,
                    "veto": {}}
VETOED = "_vetoed"  # suffix of the field of a rule claim the model vetoed (reconcile reads no such field)


def combine(article: Article, mentions: list[Mention], mode: str = "rules+learned",
            extractor: LearnedExtractor | None = None) -> list[Mention]:
    """Merge the learned fields into the rule mentions of one article (rules in the module docstring).

    mode "learned": one main mention when the model finds an incident (none otherwise), with the
    rule claims for date/place/tolls and only learned type and role fields.
    mode "rules+learned": the rule mentions, gated and extended by the model as the card's
    ``combine`` settings say."""
    if mode != "learned" and not mentions:
        return []  # the model never adds an incident the rules did not find: no need to run it
    ext = extractor or default_extractor()
    text = article.clean_text or article.text
    itype, prob, roles, per_window = ext.extract_raw(text)
    learned = _learned_claims(article, text, itype, prob, roles)
    if mode == "learned":
        if itype == "none":
            return []
        mentions = mentions[:1] or [Mention(article_id=article.id, index=0, role="main", published=article.published)]
        replaced = {"attack_type", *ROLE_FIELD.values()}
        mentions[0].claims = [c for c in mentions[0].claims if c.field not in replaced] + learned
        return mentions
    settings = dict(COMBINE_DEFAULTS, **ext.card.get("combine", {}))
    if itype == "none" and prob >= settings["none_gate"]:
        return []
    main = mentions[0]
    veto = settings.get("veto") or {}
    kept = []
    for c in main.claims:
        backing = support(text, c.value, per_window, FIELD_ROLES[c.field]) if c.field in veto else None
        if backing is not None and backing < veto[c.field]:
            # kept, under its own field, with the model's backing as confidence: nothing is lost
            c = Claim(f"{c.field}{VETOED}", c.value, c.start, c.end, c.quote, f"{c.extractor} (vetoed by learned)",
                      round(backing, 3), c.article_id)
        kept.append(c)
    main.claims = kept
    rule_type = next((c for c in main.claims if c.field == "attack_type"), None)
    for c in learned:
        if c.field == "attack_type" and (rule_type is None or c.confidence >= settings["type_override"]):
            main.claims = [x for x in main.claims if x.field != "attack_type"] + [c]
    floor = settings["union_min_score"]  # one number, or {role: number}
    joining = {r: [sp for sp in roles[r] if sp.score >= (floor[r] if isinstance(floor, dict) else floor)]
               for r in settings["union_roles"]}
    have = {(c.field, _norm(str(c.value))) for c in main.claims}
    for c in _learned_claims(article, text, "none", 0.0, {r: joining.get(r, []) for r in ROLES}):
        if (c.field, _norm(str(c.value))) not in have:
            main.claims.append(c)
    return mentions
