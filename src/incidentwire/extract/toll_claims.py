"""The casualty claims of one incident frame: which counts win, add up or stand for "none
reported" (split out of extract/incidents.py, which finds the frames)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from ..records import Article, Claim
from .tolls import Count, TollMention

if TYPE_CHECKING:
    from .incidents import Frame


def claim(article: Article, text: str, name: str, value, start: int, end: int, extractor: str,
           confidence: float) -> Claim:
    return Claim(field=name, value=value, start=start, end=end, quote=text[start:end],
                 extractor=extractor, confidence=confidence, article_id=article.id)


def frame_tolls(article: Article, text: str, frame: Frame, tolls: list[TollMention]) -> list[Claim]:
    """Casualty claims of a frame (victims only; attackers go to ``perpetrators_killed``).

    Within one segment the victims' counts add up ("three police officers and one civilian");
    across segments the fullest report wins, plus victims of other categories said to come on
    top of it ("one civilian has also been killed"), and an explicit update ("the toll rose to
    six") beats both. Where no count is given, a single person pointed at ("he died at the hospital",
    "a fatal shooting") counts one. People shot or taken to hospital whose outcome is unsaid
    ("hit") are injured unless as many died ("a man was shot ... he died": one killed, none
    injured). An incident that states no death or injury gets 0 with ``stated: False``: news
    reports name the dead and wounded, so silence reads as none, but reconcile lets any stated
    count from another report win over it."""
    found: dict[str, tuple] = {}
    also: list[tuple] = []  # counts said to come on top of others ("one civilian was also killed")
    for seg in frame.segments:
        in_seg = [t for t in tolls if seg.start <= t.start < seg.end and not t.is_aggregate]
        for kind, side, name in (("killed", "victims", "killed"), ("injured", "victims", "injured"),
                                 ("hit", "victims", "hit"), ("killed", "perpetrators", "perpetrators_killed")):
            group = [t for t in in_seg if t.kind == kind and t.side == side and not t.is_reference]
            if not group:
                continue
            total = _segment_total(group)
            update = any(t.is_update for t in group)
            rank = (update, total["best"] or 0)
            if kind != "hit" and any(_ALSO_RE.search(t.text) for t in group):
                also.append((name, total, group))
            if name not in found or rank > found[name][0]:
                found[name] = (rank, total, group, update, "count")
        if ("killed" in found and found["killed"][2][0] in in_seg and found["killed"][1]["best"] == 1
                and "perpetrators_killed" not in found and _BOTCHED_RE.search(text, seg.start, seg.end)):
            # "killed one man in what appeared to be a botched suicide bombing": the bomber
            found["perpetrators_killed"] = found.pop("killed")
        for kind in ("killed", "injured", "hit"):
            refs = [t for t in in_seg if t.kind == kind and t.is_reference]
            if refs and kind not in found:
                found[kind + "_reference"] = ((False, 1), _sum_counts([refs[0].count]), refs[:1], False,
                                              "single-person-reference")
    for name, total, group in also:
        if name not in found or found[name][2] is group or found[name][3]:
            continue
        rank, best, winners, update, rule = found[name]
        mine, theirs = {t.category for t in group}, {t.category for t in winners}
        if None not in mine | theirs and not mine & theirs:
            # other victims than the fullest count's: "three policemen killed ... one civilian
            # has also been killed" is four; each part keeps its own span and count
            parts = best.get("parts") or [_part(text, winners, best)]
            summed = _sum_counts([Count(p["min"], p["best"], p["max"]) for p in parts]
                                 + [Count(total["min"], total["best"], total["max"])])
            found[name] = (rank, dict(summed, parts=parts + [_part(text, group, total)]),
                           winners + group, update, rule)
    for kind in ("killed", "injured", "hit"):
        ref = found.pop(kind + "_reference", None)
        if ref and (kind not in found or found[kind][1]["best"] == 0 or (
                # "a man was shot" in a "double shooting": people named one by one count less
                not any(t.is_number for t in found[kind][2]) and ref[1]["best"] > (found[kind][1]["best"] or 0))):
            found[kind] = ref
    hit = found.pop("hit", None)
    if hit is not None:
        killed_best = found["killed"][1]["best"] or 0 if "killed" in found else 0
        if any(_OTHER_PERSON_RE.search(t.text) for t in hit[2]):
            killed_best = 0  # "the second victim was taken to the hospital": not the dead one
        unhurt = max(0, (hit[1]["best"] or 0) - killed_best)
        if "injured" not in found or (found["injured"][1]["best"] or 0) < unhurt:
            found["injured"] = ((False, unhurt), {"min": unhurt, "best": unhurt, "max": None},
                                hit[2], False, "shot-outcome-unsaid")
    claims = []
    for name, (_rank, total, group, update, rule) in found.items():
        # a sum of counts said apart keeps the fullest one as its span and each part in the value
        start, end = ((total["parts"][0]["start"], total["parts"][0]["end"]) if "parts" in total
                      else _span(group))
        value = dict(total, update=update, rule=rule, stated=True,
                     categories={t.category: t.count.best for t in group if t.category})
        confidence = 0.7 if update else 0.6 if rule == "count" else 0.45
        claims.append(claim(article, text, name, value, start, end, "tolls", confidence))
    first = frame.segments[0]
    claims.extend(none_reported(article, text, [n for n in ("killed", "injured") if n not in found],
                                 first.start, first.end, 0.3))
    return claims


def none_reported(article: Article, text: str, names: list[str], start: int, end: int,
                   confidence: float) -> list[Claim]:
    value = {"min": 0, "best": 0, "max": None, "update": False, "rule": "none-reported", "stated": False,
             "categories": {}}
    return [claim(article, text, name, dict(value), start, end, "tolls", confidence) for name in names]


def shared_toll(claim: Claim, size: int) -> Claim:
    """A toll said of several events together ("two explosions killed at least two people") is
    no event's own count: each keeps it as ``group_total`` and reads as none reported, so a
    report of that event alone wins in reconcile."""
    if not claim.value.get("stated"):
        return claim
    total = {k: claim.value[k] for k in ("min", "best", "max")}
    value = dict(claim.value, min=0, best=0, max=total["max"], stated=False,
                 rule=f"shared-by-{size}-events", group_total=total)
    return replace(claim, value=value, confidence=0.3)


_ALSO_RE = re.compile(r"\b(?:also|as well|in addition|additionally)\b", re.I)
_OTHER_PERSON_RE = re.compile(r"^(?:the\s+|a\s+)?(?:second|third|other|another)\b", re.I)
_BOTCHED_RE = re.compile(r"\b(?:botched|failed|premature(?:ly)?|accidental(?:ly)?)\s+(?:suicide\s+)?"
                         r"(?:bomb\w*|detonat\w*|explo\w*|attack)", re.I)


def _segment_total(group: list[TollMention]) -> dict:
    """Numbered groups add up ("killing three civilians ... killing three soldiers"); people
    counted one by one with "a" / "the" may be the same person said twice ("a woman found dead
    ... died"), so they add at most one."""
    numbered = [t.count for t in group if t.is_number]
    # one list after one verb names different people ("shot a man and his neighbor")
    lists: dict[tuple[int, int], list] = {}
    for t in group:
        if not t.is_number:
            lists.setdefault((t.start, t.end), []).append(t.count)
    singles = [Count(**_sum_counts(counts)) for counts in lists.values()]
    return _sum_counts(numbered + ([max(singles, key=lambda c: c.best or 0)] if singles else []))


def _span(tolls: list[TollMention]) -> tuple[int, int]:
    return min(t.start for t in tolls), max(t.end for t in tolls)


def _part(text: str, group: list[TollMention], total: dict) -> dict:
    """One count of a sum said apart, with its own evidence span."""
    start, end = _span(group)
    return {"start": start, "end": end, "quote": text[start:end],
            "min": total["min"], "best": total["best"], "max": total["max"]}


def _sum_counts(counts) -> dict:
    def add(attr):
        vals = [getattr(c, attr) for c in counts]
        return None if any(v is None for v in vals) else sum(vals)
    return {"min": add("min"), "best": add("best"), "max": add("max")}
