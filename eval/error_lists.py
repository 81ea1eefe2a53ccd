"""Per-field error lists: what the extractor got wrong on each benchmark, one JSON line per miss,
written to eval/errors/<benchmark>_<field>.jsonl by eval/run.py so the next engineer can read the
failures instead of guessing from a score.

Each line holds the doc_id, the gold value, the predicted value and a short context (the title
for GVDB, the document's first characters otherwise). Matching rules are the scorer's own
(../shared/eval/score.py is imported, not re-implemented): GVDB compares the first predicted
incident; seeds pairs incidents with score.match_incidents; MUC-4 lists, per document and role,
gold entities no prediction matched (misses) and predicted strings no gold entity matched
(spurious), pooled over templates (a role-level view; the template alignment is the scorer's).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path


def _load_scorer(shared: Path):
    spec = importlib.util.spec_from_file_location("incidentwire_eval_score", shared / "eval" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _gvdb(sc, preds: dict, golds: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {"killed": [], "injured": [], "city": []}
    for g in golds:
        incs = (preds.get(g["doc_id"]) or {}).get("incidents") or []
        inc = incs[0] if incs else {}
        base = {"doc_id": g["doc_id"], "title": g.get("title"), "n_incidents": len(incs)}
        for name in ("killed", "injured"):
            if g.get(name) is not None and sc.num(inc.get(name)) != int(g[name]):
                out[name].append(dict(base, gold=g[name], pred=inc.get(name)))
        if g.get("city") and sc.normalize(g["city"]) != sc.normalize(sc._loc_name(inc)):
            out["city"].append(dict(base, gold=g["city"], gold_state=g.get("state"),
                                    pred=inc.get("location")))
    return out


def _seeds(sc, preds: dict, golds: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {"incidents": []}
    for g in golds:
        p_incs = (preds.get(g["doc_id"]) or {}).get("incidents") or []
        g_incs = g.get("incidents") or []
        pairs = dict((gi, pi) for pi, gi in sc.match_incidents(p_incs, g_incs))
        for gi, ginc in enumerate(g_incs):
            if gi not in pairs:
                out["incidents"].append({"doc_id": g["doc_id"], "gold": ginc["incident_id"], "pred": None})
                continue
            pinc = p_incs[pairs[gi]]
            for name, (has, ok) in sc._seed_fields(pinc, ginc, "exact").items():
                if has and not ok:
                    key = name.split("_")[0] if name.startswith(("killed", "injured")) else name
                    out.setdefault(name, []).append({
                        "doc_id": g["doc_id"], "incident": ginc["incident_id"],
                        "gold": ginc.get(key) if key != "location_name" else sc._loc_name(ginc),
                        "pred": pinc.get(key) if key != "location_name" else sc._loc_name(pinc)})
    return out


def _muc4(sc, preds: dict, golds: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    pred_key = {"perp_individual": "perpetrators", "perp_org": "perpetrators", "target": "targets",
                "victim": "victims", "weapon": "weapons"}
    for g in golds:
        incs = (preds.get(g["doc_id"]) or {}).get("incidents") or []
        templates = sc._muc_gold_templates(g)
        gold_types = sorted({t for tpl in templates for t in tpl["types"]})
        pred_types = [sc.GTD_TO_MUC.get(i.get("attack_type") or "unknown", "attack") for i in incs]
        if sorted(set(pred_types)) != gold_types or len(incs) != len(templates):
            out.setdefault("incident_type", []).append(
                {"doc_id": g["doc_id"], "gold": [sorted(t["types"]) for t in templates], "pred": pred_types})
        for role in ("perp_individual", "perp_org", "target", "victim", "weapon"):
            ents = [e for tpl in templates for e in tpl[role]]
            said = [s for inc in incs for s in sc.strings(inc.get(pred_key[role]))]
            missed = [e[0] for e in ents if not any(sc.str_match(s, alt) for s in said for alt in e)]
            if role.startswith("perp"):
                all_perp = [e for tpl in templates for r in ("perp_individual", "perp_org") for e in tpl[r]]
                spurious = [] if role == "perp_org" else [s for s in said if not sc._ent_hit(s, all_perp, "exact")]
            else:
                spurious = [s for s in said if not sc._ent_hit(s, ents, "exact")]
            name = "perpetrator" if role.startswith("perp") else role
            if missed or spurious:
                out.setdefault(name, []).append({"doc_id": g["doc_id"], "role": role,
                                                 "missed": missed, "spurious": sorted(set(spurious))})
    return out


_BUILDERS = {"gvdb": _gvdb, "seeds": _seeds, "muc4": _muc4}


def write_error_lists(name: str, mode: str, shared: Path, pred_path: Path, gold_path: Path,
                      out_dir: Path) -> dict[str, int]:
    """Write eval/errors/<name>_<field>.jsonl for one benchmark; returns field -> error count."""
    builder = _BUILDERS.get(mode)
    if builder is None:
        return {}
    sc = _load_scorer(shared)
    preds = {str(r["doc_id"]): r for r in _rows(pred_path)}
    errors = builder(sc, preds, _rows(gold_path))
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob(f"{name}_*.jsonl"):
        old.unlink()
    for field, rows in errors.items():
        with (out_dir / f"{name}_{field}.jsonl").open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return {field: len(rows) for field, rows in errors.items()}
