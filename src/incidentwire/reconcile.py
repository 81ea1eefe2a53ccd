"""Reconcile stage: the fields of one incident from the claims of all its mentions.

Rules (each field also records how many sources back it and any conflict):
- date: the most precise date; among equally precise ones the value most sources give, then
  the most confident. A date guessed from the publication date counts only when nothing else
  is known.
- location: the most specific place (city before region before country), majority by name.
- attack_type: majority over the typed claims; ``unknown`` when none is typed.
- killed / injured / perpetrators_killed as UCDP-style {min, best, max}: ``best`` is the
  latest credible report — an exact count published more than a week after the first report
  (a final toll) first, then explicit updates ("the toll rose to six"), then exact counts
  before open-ended ones ("more than 20"), then the latest publication (for open-ended reports,
  the highest lower bound); min and max span all
  reports (max is open when a report is open-ended and nothing exceeds it).
- perpetrators, targets, weapons, victims, target_types: union, most-cited first.
- claimed_by: who claimed the attack, most-cited first ("no group has claimed it" names no one);
  responses: the official responses reported (threat level, curfew, state of emergency,
  operation, arrests), one per kind and level or count, with how many articles report each.
- toll_history: what each source said, ordered by publication time (a month-precise date sorts
  at the end of its month; an update sorts after the values it revises).
- independent_sources: articles grouped when they come from one outlet (``Mention.publisher``)
  or are copies of one story (``Mention.story_id``, set by dedup.py: a wire report picked up by
  two outlets is one source); the number of groups. An article with neither counts as its own;
  ``sources`` counts articles.
- confidence: per field, the share of the reports giving that field that agree with the
  chosen value, times the best extractor confidence behind it (0..1).
- conflicts: fields where sources disagree, with the values and the articles behind each
  (e.g. two outlets naming different perpetrators).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from .extract.dates import iso_day
from .extract.responses import ANAPHOR_RE
from .records import Claim, Mention

COUNT_FIELDS = ("killed", "injured", "perpetrators_killed")
# the fields an incident page shows, in order, and the claim field behind a reconciled field
# where the two are named apart
FIELD_ORDER = ("date", "location", "attack_type", "killed", "injured", "perpetrators_killed",
               "perpetrators", "claimed_by", "targets", "weapons", "responses")
EVIDENCE_FIELD = {"claimed_by": "responsibility"}
_PRECISION_RANK = {"day": 3, "month": 2, "year": 1}


def publication_sort_key(published: str | None) -> str:
    """Sort key for a YYYY[-MM[-DD]] date: an imprecise date sorts at the end of its period."""
    if not published:
        return "9999"
    return published + {4: "-12-31", 7: "-31"}.get(len(published), "")


def _claims(mentions: list[Mention], field: str) -> list[tuple[Mention, Claim]]:
    return [(m, c) for m in mentions for c in m.claims if c.field == field]


def reconcile_date(mentions: list[Mention]) -> dict | None:
    found = _claims(mentions, "date")
    if not found:
        return None
    stated = [(m, c) for m, c in found if c.value.get("rule") != "publication-date"] or found
    top = max(_PRECISION_RANK.get(c.value["precision"], 0) for _, c in stated)
    best_level = [(m, c) for m, c in stated if _PRECISION_RANK.get(c.value["precision"], 0) == top]
    votes = Counter(c.value["value"] for _, c in best_level)
    value = max(votes, key=lambda v: (votes[v], max(c.confidence for _, c in best_level
                                                    if c.value["value"] == v)))
    others = {c.value["value"] for _, c in best_level} - {value}
    chosen = next(c for _, c in best_level if c.value["value"] == value)
    return {"value": value, "precision": chosen.value["precision"], "rule": chosen.value.get("rule"),
            "sources": len({m.article_id for m, c in stated if value.startswith(c.value["value"])}),
            "conflict": sorted(others) or None}


def reconcile_location(mentions: list[Mention]) -> dict | None:
    found = [(m, c) for m, c in _claims(mentions, "location") if c.value.get("country") or c.value.get("name")]
    if not found:
        return None
    top = min(c.value.get("precision") or 9 for _, c in found)
    level = [c for _, c in found if (c.value.get("precision") or 9) == top]
    votes = Counter(c.value.get("name") or c.value.get("country") for c in level)
    winner = max(votes, key=votes.get)
    chosen = next(c for c in level if (c.value.get("name") or c.value.get("country")) == winner)
    names = {c.value.get("name") for c in level if c.value.get("name")}
    return dict(chosen.value, sources=len({m.article_id for m, _ in found}),
                conflict=sorted(names - {winner}) or None)


def reconcile_attack_type(mentions: list[Mention]) -> str:
    votes = Counter(c.value for _, c in _claims(mentions, "attack_type") if c.value != "unknown")
    return max(votes, key=lambda t: (votes[t], t)) if votes else "unknown"


LATER_REPORT_DAYS = 7  # an exact count published this long after the first report outranks early updates


def _report_rank(m: Mention, c: Claim, first: dt.date | None = None) -> tuple:
    exact = c.value.get("max") is not None and c.value.get("min") == c.value.get("max")
    # among open-ended reports ("at least seven", "several") the highest lower bound is the
    # tightest; among exact ones the latest wins
    tightest = 0 if exact else (c.value.get("best") or 0)
    day = iso_day(m.published)
    # a final toll told weeks later ("killing 86 people", in a report about another attack)
    # outranks the updates of the first days ("rose to 84")
    later = bool(exact and first and day and (day - first).days > LATER_REPORT_DAYS)
    return (later, bool(c.value.get("update")), exact, tightest, publication_sort_key(m.published))


def reconcile_count(mentions: list[Mention], field: str) -> dict | None:
    found = _claims(mentions, field)
    if not found:
        return None
    # "none reported" (stated: False, see extract.incidents) counts only where no report gives a number
    found = [(m, c) for m, c in found if c.value.get("stated", True)] or found
    first = min((d for m, _ in found if (d := iso_day(m.published))), default=None)
    m_best, c_best = max(found, key=lambda mc: _report_rank(*mc, first=first))
    bests = [c.value["best"] for _, c in found if c.value.get("best") is not None]
    mins = [c.value["min"] for _, c in found if c.value.get("min") is not None] + bests
    maxes = [c.value["max"] for _, c in found if c.value.get("max") is not None]
    open_ended = any(c.value.get("max") is None for _, c in found)
    high = max(maxes + bests) if maxes or bests else None
    if open_ended and not any(c.value.get("max") is not None and c.value["max"] >= max(bests, default=0)
                              for _, c in found):
        high = None
    return {"min": min(mins) if mins else None, "best": c_best.value.get("best"), "max": high,
            "sources": len({m.article_id for m, _ in found}),
            "conflict": len({c.value.get("best") for _, c in found}) > 1 or None,
            "stated": c_best.value.get("stated", True)}


def toll_history(mentions: list[Mention]) -> list[dict]:
    rows = []
    for m, c in _claims(mentions, "killed"):
        rows.append({"article_id": m.article_id, "published": m.published, "killed": c.value.get("best"),
                     "min": c.value.get("min"), "max": c.value.get("max"),
                     "update": bool(c.value.get("update")),
                     # a sum of counts said apart ("three policemen ... one civilian also") quotes each part
                     "quote": " + ".join(p["quote"] for p in c.value["parts"]) if c.value.get("parts") else c.quote})
    return sorted(rows, key=lambda r: (publication_sort_key(r["published"]), r["update"]))


def union(mentions: list[Mention], field: str) -> list[str]:
    """The values the mentions give for a list field, most-cited first (ties alphabetical)."""
    return _most_cited(str(c.value) for _, c in _claims(mentions, field))


def _most_cited(values) -> list[str]:
    """Distinct values (case aside, the first spelling kept), most-cited first (ties alphabetical)."""
    votes: Counter = Counter()
    canonical: dict[str, str] = {}
    for value in values:
        votes[value.lower()] += 1
        canonical.setdefault(value.lower(), value)
    return [canonical[k] for k, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))]


def claimed_by(mentions: list[Mention]) -> list[str]:
    """Who claimed the attack ("responsibility" claims), most-cited first; "no group has claimed
    responsibility" names no one, nor does "the same group" when the article named no group
    before it (extract.responses.resolve_anaphors; its claim stays as evidence)."""
    return _most_cited(c.value["by"] for _, c in _claims(mentions, "responsibility")
                       if c.value.get("by") and not ANAPHOR_RE.match(c.value["by"]))


def official_responses(mentions: list[Mention]) -> list[dict]:
    """What the authorities did (threat levels, curfews, states of emergency, operations, arrests),
    one entry per kind and level or count, with how many articles report it."""
    seen: dict[tuple, dict] = {}
    for m, c in _claims(mentions, "responses"):
        v = c.value
        key = (v.get("kind"), v.get("level"), v.get("count"), bool(v.get("denied")))
        entry = seen.setdefault(key, dict(v, articles=set()))
        entry["articles"].add(m.article_id)
    out = [dict({k: v for k, v in e.items() if k != "articles"}, sources=len(e["articles"])) for e in seen.values()]
    return sorted(out, key=lambda e: (-e["sources"], str(e.get("kind")), str(e.get("detail"))))


def describe_responses(responses: list[dict]) -> str:
    """The responses as one short line: "threat level critical; arrests 3; curfew (denied)"."""
    return "; ".join(" ".join(str(x) for x in (r.get("kind", "").replace("_", " "), r.get("level"), r.get("count"))
                              if x is not None) + (" (denied)" if r.get("denied") else "") for r in responses)


def _agreement(mentions: list[Mention], field: str, agrees) -> float | None:
    """Share of the articles giving ``field`` whose claim agrees with the chosen value, times
    the best confidence among the agreeing claims."""
    found = _claims(mentions, field)
    if not found:
        return None
    articles = {m.article_id for m, _ in found}
    agreeing = [(m, c) for m, c in found if agrees(c.value)]
    if not agreeing:
        return 0.0
    share = len({m.article_id for m, _ in agreeing}) / len(articles)
    return round(share * max(c.confidence for _, c in agreeing), 3)


def _conflicts(mentions: list[Mention], fields: dict) -> list[dict]:
    """Fields on which the articles disagree, each value with the articles that gave it."""
    out = []

    def values_by(field: str, key) -> dict:
        by: dict = {}
        for m, c in _claims(mentions, field):
            v = key(c.value)
            if v is not None:
                by.setdefault(v, set()).add(m.article_id)
        return by

    checks = {
        "date": lambda v: v.get("value") if v.get("rule") != "publication-date" else None,
        "location": lambda v: v.get("name"),
        "attack_type": lambda v: v if v != "unknown" else None,
    }
    for field, key in checks.items():
        by = values_by(field, key)
        if field == "date":  # "2016-07" and "2016-07-18" agree
            by = {v: a for v, a in by.items() if not any(o != v and o.startswith(v) for o in by)}
        if len(by) > 1:
            out.append({"field": field, "values": {str(v): sorted(a) for v, a in sorted(by.items(), key=str)}})
    for field in COUNT_FIELDS:  # tolls rise, so only a report above the chosen best disagrees
        best = (fields[field] or {}).get("best")
        if best is not None and any((c.value.get("min") or 0) > best for _, c in _claims(mentions, field)):
            out.append({"field": field, "values": {str(v): sorted(a) for v, a in sorted(
                values_by(field, lambda v: v.get("best")).items())}})
    # perpetrators: two articles that each name someone, and no name in common
    per_article: dict[str, set] = {}
    for m, c in _claims(mentions, "perpetrators"):
        per_article.setdefault(m.article_id, set()).add(str(c.value).lower())
    names = list(per_article.items())
    if any(not (a & b) for i, (_, a) in enumerate(names) for _, b in names[i + 1:]):
        out.append({"field": "perpetrators",
                    "values": {n: sorted(x for x, s in per_article.items() if n in s)
                               for n in sorted(set().union(*per_article.values()))}})
    return out


def _confidence(mentions: list[Mention], fields: dict) -> dict:
    date, loc = fields["date"] or {}, fields["location"] or {}
    out = {
        "date": _agreement(mentions, "date", lambda v: bool(date) and (
            date["value"].startswith(v["value"]) or v.get("rule") == "publication-date")),
        "location": _agreement(mentions, "location", lambda v: bool(loc) and (
            (v.get("name") or None) in (loc.get("name"), None) and v.get("country") in (loc.get("country"), None))),
        "attack_type": _agreement(mentions, "attack_type", lambda v: v == fields["attack_type"]),
    }
    for f in COUNT_FIELDS:
        best = (fields[f] or {}).get("best")
        # tolls rise: an earlier, lower report is superseded, not contradicted
        out[f] = _agreement(mentions, f, lambda v, b=best: b is not None and (v.get("min") or 0) <= b)
    perps = {p.lower() for p in fields["perpetrators"]}
    out["perpetrators"] = _agreement(mentions, "perpetrators", lambda v: str(v).lower() in perps)
    return {k: v for k, v in out.items() if v is not None}


def independent_sources(mentions: list[Mention]) -> int:
    """Number of groups of articles, two articles being one source when they share an outlet or
    a story (syndicated copies): connected components over both keys."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = x = parent[parent[x]]
        return x

    for m in mentions:
        keys = [f"article:{m.article_id}"] + [f"{kind}:{v}" for kind, v in
                                               (("outlet", m.publisher), ("story", m.story_id)) if v]
        for k in keys[1:]:
            parent[root(k)] = root(keys[0])
    return len({root(f"article:{m.article_id}") for m in mentions})


def reconcile(mentions: list[Mention]) -> dict:
    """Reconciled fields of the incident these mentions report."""
    fields = {
        "date": reconcile_date(mentions),
        "location": reconcile_location(mentions),
        "attack_type": reconcile_attack_type(mentions),
        **{f: reconcile_count(mentions, f) for f in COUNT_FIELDS},
        "perpetrators": union(mentions, "perpetrators"),
        "targets": union(mentions, "targets"),
        "weapons": union(mentions, "weapons"),
        "victims": union(mentions, "victims"),
        "target_types": union(mentions, "target_types"),
        "claimed_by": claimed_by(mentions),
        "responses": official_responses(mentions),
        "toll_history": toll_history(mentions),
        "sources": len({m.article_id for m in mentions}),
        "independent_sources": independent_sources(mentions),
    }
    fields["confidence"] = _confidence(mentions, fields)
    fields["conflicts"] = _conflicts(mentions, fields)
    return fields
