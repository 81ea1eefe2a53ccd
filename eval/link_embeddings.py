#!/usr/bin/env python3
"""Does a small embedding model help the linker's text similarity? A measurement, not part of
``make eval``: re-links the cached extractions (link_tune.py) with the linker's TF-IDF cosine
of two reports' words plus ``--weight`` times the cosine of their wordllama embeddings, and
prints ECB+ B-cubed beside the plain run, with the embedding cost per article. The similarity
becomes ``(1 - weight) x TF-IDF + weight x scale x embedding cosine``: the embedding cosines
run higher (ECB+ dev medians 0.71 for two reports of one incident, 0.05 for two of different
ones; TF-IDF 0.33 and 0.01), and ``scale`` brings them to the TF-IDF's range, so that the
linker's thresholds in cosine units keep their meaning.

    pip install wordllama   # 0.4.x ships its 256-dim weights and tokenizer in the wheel
    HF_HUB_OFFLINE=1 python eval/link_embeddings.py ecbplus/dev.jsonl ecbplus/train.jsonl --weight 0.1 0.25 --scale 0.45

The model is loaded from the files in the installed package (``WordLlama.load`` of 0.4.0 looks
for its tokenizer in a folder the wheel does not have and tries to download it). wordllama
average-pools token embeddings, so a report's embedding does not depend on word order: it is
made from the report's ``link_terms`` (the words the TF-IDF cosine reads, stop words left out),
each repeated as often as the report used it. Results are in the link package's docstring.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import link_tune  # noqa: E402


def load_wordllama():
    """The wordllama model shipped in the installed package, loaded without any download."""
    try:
        import wordllama
        from safetensors import safe_open
        from tokenizers import Tokenizer
        from wordllama.inference import WordLlamaInference
    except ImportError as e:
        raise SystemExit(f"this measurement needs wordllama: pip install wordllama ({e})")
    base = Path(wordllama.__file__).parent
    tokenizer = Tokenizer.from_file(str(base / "tokenizers" / "l2_supercat_tokenizer_config.json"))
    with safe_open(str(base / "weights" / "l2_supercat_256.safetensors"), framework="np", device="cpu") as f:
        table = f.get_tensor("embedding.weight")
    return WordLlamaInference(table, tokenizer)


def with_embeddings(model, weight: float, scale: float, spent: list[float]) -> None:
    """Make WordSimilarity.text_similarity mix in the average embedding cosine (module doc)."""
    from incidentwire.link import words

    plain = words.WordSimilarity.text_similarity

    def vector(terms):
        v = terms.__dict__.get("_embedding")
        if v is None:
            t = time.process_time()
            v = terms._embedding = model.embed([" ".join(" ".join([w] * c) for w, c in terms.items())],
                                               norm=True)[0]
            spent.append(time.process_time() - t)
        return v

    def text_similarity(self, terms, cand, whole_articles=False, outlet=None):
        tfidf = plain(self, terms, cand, whole_articles, outlet)
        members = [t for t, m in zip(cand.terms, cand.mentions) if t and (m.publisher != outlet or not outlet)
                   and (not whole_articles or m.role == "main")] or [t for t in cand.terms if t]
        if not terms or not members:
            return tfidf
        q = vector(terms)
        return (1 - weight) * tfidf + weight * scale * float(np.mean([q @ vector(t) for t in members]))

    words.WordSimilarity.text_similarity = text_similarity


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("splits", nargs="+")
    ap.add_argument("--weight", type=float, nargs="+", default=[0.1, 0.25])
    ap.add_argument("--scale", type=float, default=0.45)
    args = ap.parse_args(argv)
    score = link_tune._scorer()
    t = time.process_time()
    model = load_wordllama()
    print(f"wordllama load: {time.process_time() - t:.2f} s CPU")
    from incidentwire.link import words

    plain = words.WordSimilarity.text_similarity
    for weight in [0.0, *args.weight]:
        spent: list[float] = []
        words.WordSimilarity.text_similarity = plain
        if weight:
            with_embeddings(model, weight, args.scale, spent)
        for split in args.splits:
            path = Path(split) if Path(split).is_file() else link_tune.SHARED / "eval" / split
            m = link_tune.link_and_score(link_tune.prepared(path, HERE / "out"), path, score)
            cost = f"  embedding {1000 * np.mean(spent):.2f} ms CPU a report" if spent else ""
            print(f"weight {weight}: {split}: bcubed P {m['all.bcubed.p']:.3f} R {m['all.bcubed.r']:.3f} "
                  f"F1 {m['all.bcubed.f1']:.3f}  pairwise F1 {m['all.pairwise.f1']:.3f}{cost}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
