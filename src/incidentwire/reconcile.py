"""Reconcile stage: the fields of one incident from the claims of all its mentions.

Rules (each field also records how many sources back it and any conflict):
- date: the most precise date; among equally precise ones the value most sources give, then
  the most confident. A date guessed from the publication date counts only when nothing else
  is known.
- location: the most specific place (city before region before country), majority by name.
- attack_type: majority over the typed claims; ``unknown`` when none is typed.
- killed / injured / perpetrators_killed as UCDP-style {min, best, max}: ``best`` is the
  latest credible report — explicit updates ("the toll rose to six") first, then exact counts
  before open-ended ones ("more than 20"), then the latest publication (for open-ended reports,
  the highest lower bound); min and max span all
  reports (max is open when a report is open-ended and nothing exceeds it).
- perpetrators, targets, weapons, victims, target_types: union, most-cited first.
- toll_history: what each source said, ordered by publication time (a month-precise date sorts
  at the end of its month; an update sorts after the values it revises).
"""

from __future__ import annotations

from collections import Counter

from .records import Claim, Mention

COUNT_FIELDS = ("killed", "injured", "perpetrators_killed")
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


def _report_rank(m: Mention, c: Claim) -> tuple:
    exact = c.value.get("max") is not None and c.value.get("min") == c.value.get("max")
    # among open-ended reports ("at least seven", "several") the highest lower bound is the
    # tightest; among exact ones the latest wins
    tightest = 0 if exact else (c.value.get("best") or 0)
    return (bool(c.value.get("update")), exact, tightest, publication_sort_key(m.published))


def reconcile_count(mentions: list[Mention], field: str) -> dict | None:
    found = _claims(mentions, field)
    if not found:
        return None
    # "none reported" (stated: False, see extract.incidents) counts only where no report gives a number
    found = [(m, c) for m, c in found if c.value.get("stated", True)] or found
    m_best, c_best = max(found, key=lambda mc: _report_rank(*mc))
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
                     "update": bool(c.value.get("update")), "quote": c.quote})
    return sorted(rows, key=lambda r: (publication_sort_key(r["published"]), r["update"]))


def _union(mentions: list[Mention], field: str) -> list[str]:
    votes = Counter()
    canonical: dict[str, str] = {}
    for _, c in _claims(mentions, field):
        key = str(c.value).lower()
        votes[key] += 1
        canonical.setdefault(key, str(c.value))
    return [canonical[k] for k, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))]


def reconcile(mentions: list[Mention]) -> dict:
    """Reconciled fields of the incident these mentions report."""
    fields = {
        "date": reconcile_date(mentions),
        "location": reconcile_location(mentions),
        "attack_type": reconcile_attack_type(mentions),
        **{f: reconcile_count(mentions, f) for f in COUNT_FIELDS},
        "perpetrators": _union(mentions, "perpetrators"),
        "targets": _union(mentions, "targets"),
        "weapons": _union(mentions, "weapons"),
        "victims": _union(mentions, "victims"),
        "target_types": _union(mentions, "target_types"),
        "toll_history": toll_history(mentions),
        "sources": len({m.article_id for m in mentions}),
    }
    return fields
