"""Choose how the learned extractor joins the rules, on MUC-4 dev, without re-ingesting.

    python eval/learned_combine.py --shared ../shared [--model-dir DIR] [--rules eval/out/muc4_dev.pred.jsonl]

Reads the rules' MUC-4 predictions (written by `eval/run.py --only muc4_dev`), runs the learned
model once over every dev article, then scores combination policies with score.py, as
``extract.learned.combine`` would apply them to an article's main (first) incident:
- ``union`` role >= s: learned fillers of a role with score >= s join the rule fillers;
- ``veto`` role < s: a rule filler whose words the model gives the role a probability below s
  (its best occurrence inside the windows the model read) is dropped;
- ``gate`` g: the article yields nothing when the model's "none" type probability is >= g;
- ``type`` t: the learned type replaces the rules' type when its probability is >= t.
Prints one line per policy (micro_gtt F1, P, R) and the best combination found greedily.
Settings go into the model card's ``combine`` key by hand, with the numbers in
``combine_chosen_on``.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from incidentwire.extract.learned import (FIELD_ROLES, MODEL_DIR, MODEL_NAME, MUC_TO_ATTACK_TYPE,  # noqa: E402
                                          ROLE_FIELD, ROLES, TYPES, LearnedExtractor, _norm, aggregate, support,
                                          window_spans)
from incidentwire.train import load_jsonl, predictions, score  # noqa: E402


def apply(rules: dict, raw: dict, texts: dict, pol: dict, learned: dict) -> list[dict]:
    """The rules' rows with policy ``pol`` applied; ``learned``: {doc id: role -> learned spans}."""
    rows = []
    for doc_id, rec in rules.items():
        rec = copy.deepcopy(rec)
        tp, per_window = raw[doc_id]
        incs = rec.get("incidents") or []
        if incs:
            k = max(range(len(tp)), key=tp.__getitem__)
            if tp[0] >= pol.get("gate", 9):
                rec["incidents"] = []
                rows.append(rec)
                continue
            main = incs[0]
            if TYPES[k] != "none" and tp[k] >= pol.get("type", 9):
                main["attack_type"] = MUC_TO_ATTACK_TYPE[TYPES[k]]
                main["muc_incident_type"] = TYPES[k]
            for field, roles in FIELD_ROLES.items():
                cut = max(pol.get(f"veto.{r}", 0) for r in roles)
                if cut:
                    for inc in incs[:1] if pol.get("veto_main_only", True) else incs:
                        keep = []
                        for v in inc.get(field) or []:
                            s = support(texts[doc_id], v, per_window, roles)
                            if s is None or s >= cut:
                                keep.append(v)
                        inc[field] = keep
            agg = learned[doc_id]
            for r in ROLES:
                s = pol.get(f"union.{r}")
                if s is None:
                    continue
                field = ROLE_FIELD[r]
                have = {_norm(v) for v in main.get(field) or []}
                for sp in agg[r]:
                    if sp.score >= s and _norm(sp.text) not in have:
                        main.setdefault(field, []).append(sp.text)
                        have.add(_norm(sp.text))
        rows.append(rec)
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", default=str(HERE.parent.parent / "shared"))
    ap.add_argument("--model-dir", default=str(MODEL_DIR))
    ap.add_argument("--rules", default=str(HERE / "out" / "muc4_dev.pred.jsonl"))
    ap.add_argument("--gold", default="eval/muc4/dev.jsonl")
    ap.add_argument("--policy", help='score only this policy, e.g. \'{"veto.target": 0.3}\'')
    ap.add_argument("--max-windows", type=int, help="windows read per article (0: all; the card's otherwise)")
    a = ap.parse_args(argv)
    shared = Path(a.shared)
    gold = shared / a.gold
    docs = load_jsonl(gold)
    texts = {d["doc_id"]: d["text"] for d in docs}
    rules = {r["doc_id"]: r for r in load_jsonl(Path(a.rules))}
    for d in docs:
        rules.setdefault(d["doc_id"], {"doc_id": d["doc_id"], "incidents": []})
    ext = LearnedExtractor(Path(a.model_dir), MODEL_NAME, threads=2)
    if a.max_windows is not None:
        ext.max_windows = a.max_windows or None
    raw = {d["doc_id"]: ext.predict_raw(d["text"]) for d in docs}
    mrp = ext.min_role_prob if ext.min_role_prob is not None else 0.5
    learned = {k: aggregate(window_spans(pw, texts[k], mrp), 0.0) for k, (_tp, pw) in raw.items()}

    def run(pol):
        f = score(shared, apply(rules, raw, texts, pol, learned), gold)
        return f["micro_gtt.f1"], f["micro_gtt.p"], f["micro_gtt.r"]

    for tau in (0.3, 0.5, 0.7):
        alone = [(d, (raw[d["doc_id"]][0], window_spans(raw[d["doc_id"]][1], d["text"], tau))) for d in docs]
        f = score(shared, predictions(alone, 0.0), gold)
        print(f"learned alone, min_role_prob {tau}: F1 {f['micro_gtt.f1']:.4f} P {f['micro_gtt.p']:.4f} "
              f"R {f['micro_gtt.r']:.4f}", flush=True)
    base = run({})
    print(f"rules alone: F1 {base[0]:.4f} P {base[1]:.4f} R {base[2]:.4f}", flush=True)
    if a.policy:
        f1, p, r = run(json.loads(a.policy))
        print(f"{a.policy}: F1 {f1:.4f} ({f1 - base[0]:+.4f}) P {p:.4f} R {r:.4f}")
        return 0
    grid = [{"gate": g} for g in (0.5, 0.7, 0.8, 0.9, 0.95)]
    grid += [{"type": t} for t in (0.6, 0.7, 0.8, 0.9, 0.95)]
    for r in ROLES:
        grid += [{f"union.{r}": s} for s in (0.5, 0.7, 0.8, 0.9, 0.95)]
        grid += [{f"veto.{r}": s} for s in (0.02, 0.05, 0.1, 0.2, 0.3)]
    results = []
    for pol in grid:
        f1, p, r = run(pol)
        results.append((f1, pol))
        print(f"{json.dumps(pol):40s} F1 {f1:.4f} ({f1 - base[0]:+.4f}) P {p:.4f} R {r:.4f}", flush=True)
    # greedy: add the best single setting per key while it helps
    chosen, best = {}, base[0]
    for f1, pol in sorted(results, key=lambda x: -x[0]):
        key = next(iter(pol))
        if f1 <= base[0] or key in chosen:
            continue
        trial = dict(chosen, **pol)
        t = run(trial)[0]
        if t > best:
            chosen, best = trial, t
    print(f"greedy: {json.dumps(chosen)} F1 {best:.4f} ({best - base[0]:+.4f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
