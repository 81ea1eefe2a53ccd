"""Linking cost per article as the store grows: 10k, 100k and 1M stored incidents.

Synthetic incidents (a city among 2,000 in 40 countries, a day in ten years, an attack type,
a toll, a perpetrator, and a few words drawn from a 50k-word vocabulary with Zipf-like
frequencies) are loaded into a ``Linker`` directly, as ``Linker(store.mentions())`` would
hold them; then a batch of new reports is linked and each ``link`` call is timed in CPU
time of this process (seven sessions share two cores here: wall time measures the others). New
reports are of known incidents (varied wording, the date sometimes only to the month, a
higher toll) or of new ones. Reports: p50/p99 ms per article at each size, and the total
time for 10x the articles (1k vs 10k new reports at the largest size) as a ratio.

    python bench/run.py --only link [--quick]      # --quick stops at 100k
"""

from __future__ import annotations

import itertools
import random
import resource
import time

from incidentwire import link
from incidentwire.records import Claim, Mention

TYPES = ("armed_assault", "bombing_explosion", "hostage_kidnapping", "assassination")


def _world(rng: random.Random):
    countries = [f"Country{c}" for c in range(40)]
    cities = [(f"City{i}", countries[i % 40], f"Province{i % 400}") for i in range(2000)]
    vocab = [f"w{i}" for i in range(50_000)]
    weights = list(itertools.accumulate(1 / (i + 1) for i in range(len(vocab))))  # cumulative
    return cities, vocab, weights


def _claim(field: str, value, article_id: str) -> Claim:
    return Claim(field=field, value=value, start=0, end=0, quote="", extractor="bench", article_id=article_id)


def _mention(article_id: str, inc: dict, rng: random.Random, vocab, weights, later: bool) -> Mention:
    city, country, admin1 = inc["city"]
    date = inc["date"] if not later or rng.random() < 0.7 else inc["date"][:7]
    killed = inc["killed"] + (rng.randint(0, 3) if later else 0)
    words = inc["words"][:6] + rng.choices(vocab, cum_weights=weights, k=14)
    published = inc["date"] if not later else inc["date"][:8] + f"{min(28, int(inc['date'][8:]) + 1):02d}"
    m = Mention(article_id=article_id, index=0, role="main", published=published, publisher=f"pub{rng.randint(0, 300)}")
    m.claims = [
        _claim("date", {"value": date, "precision": "day" if len(date) == 10 else "month", "rule": "absolute"}, article_id),
        _claim("location", {"name": city, "admin1": admin1, "country": country, "precision": 1, "kind": "city"},
               article_id),
        _claim("attack_type", inc["type"], article_id),
        _claim("killed", {"min": killed, "best": killed, "max": killed}, article_id),
        _claim("perpetrators", inc["perp"], article_id),
        _claim("link_terms", {w: words.count(w) for w in set(words)}, article_id),
    ]
    return m


def _incident(n: int, rng: random.Random, cities, vocab, weights) -> dict:
    day = 3652 * rng.random()
    y, rest = 2015 + int(day // 365.25), int(day % 365.25) % 336
    return {"city": cities[rng.randrange(len(cities))], "date": f"{min(y, 2024)}-{rest // 28 + 1:02d}-{rest % 28 + 1:02d}",
            "type": rng.choice(TYPES), "killed": rng.randint(0, 20), "perp": f"Group{rng.randint(0, 500)}",
            "words": [vocab[rng.randrange(1000, len(vocab))] for _ in range(6)], "n": n}


def _build(size: int, rng: random.Random, cities, vocab, weights) -> tuple[link.Linker, list[dict]]:
    incidents = [_incident(n, rng, cities, vocab, weights) for n in range(size)]
    mentions = []
    for n, inc in enumerate(incidents):  # as the store hands them over: one report each, linked
        m = _mention(f"a{inc['n']}", inc, rng, vocab, weights, later=False)
        m.incident_id = f"inc-{n + 1:07d}"
        mentions.append(m)
    counter = itertools.count(size + 1)
    linker = link.Linker(mentions, lambda: f"inc-{next(counter):07d}")
    return linker, incidents


def _time_links(linker, incidents, n_new: int, rng, cities, vocab, weights) -> list[float]:
    times = []
    for k in range(n_new):
        if rng.random() < 0.7:
            inc = rng.choice(incidents)
        else:
            inc = _incident(-k, rng, cities, vocab, weights)
        m = _mention(f"new{k}", inc, rng, vocab, weights, later=True)
        t0 = time.process_time()
        linker.link(m)
        times.append(time.process_time() - t0)
    return times


def _pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return round(1000 * s[min(len(s) - 1, int(q * len(s)))], 3)


def run(args) -> dict:
    rng = random.Random(7)
    cities, vocab, weights = _world(rng)
    sizes = [10_000, 100_000] if getattr(args, "quick", False) else [10_000, 100_000, 1_000_000]
    out: dict = {}
    for size in sizes:
        linker, incidents = _build(size, rng, cities, vocab, weights)
        times = _time_links(linker, incidents, 1000, rng, cities, vocab, weights)
        label = f"{size // 1000}k" if size < 1_000_000 else "1m"
        out[f"link_ms_p50_at_{label}"] = _pct(times, 0.5)
        out[f"link_ms_p99_at_{label}"] = _pct(times, 0.99)
        out[f"link_articles_per_s_at_{label}"] = round(len(times) / sum(times), 1)
        if size == sizes[-1]:
            more = _time_links(linker, incidents, 10_000, rng, cities, vocab, weights)
            out[f"link_time_ratio_10x_articles_at_{label}"] = round(sum(more) / sum(times), 2)
        out[f"linker_peak_rss_mb_at_{label}"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        del linker, incidents
    return out


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    for k, v in run(ap.parse_args()).items():
        print(k, v)
