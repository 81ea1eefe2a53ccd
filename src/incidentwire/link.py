"""Link stage: match each new mention against the incidents already known, incrementally.

Cannot-link rules (a false merge is worse than a missed link):
- two mentions from the same article are never one incident (the extractor split them);
- different cities, different countries;
- dates that cannot be the same day: day-precise dates more than one day apart, or month/year
  dates that do not contain each other;
- a mention with no date links only to incidents dated within a year before its article.
A candidate that passes scores points for the same city, the same date, the same attack type,
a shared perpetrator and a compatible toll. The best candidate wins only if it clears the
threshold and no other candidate ties with it (an ambiguous link is left unlinked).

Blocking: candidates are indexed by year, by (year, city) and by (year, country), so a mention
is scored only against the incidents it could link to under the cannot-link rules above
(same city or none, same country or none, a compatible year). Linking then costs about the same
per mention at 100k articles as at 1k; scanning the whole year grew with the corpus and made
linking quadratic. The blocks only skip candidates ``score`` would refuse, so the links are
the same as scanning everything.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from .extract.incidents import dates_compatible
from .reconcile import reconcile
from .records import Mention

LINK_THRESHOLD = 3.0
MAIN_WINDOW_DAYS = 7


@dataclass
class Candidate:
    incident_id: str
    mentions: list[Mention] = field(default_factory=list)
    fields: dict = field(default_factory=dict)

    def refresh(self) -> None:
        self.fields = reconcile(self.mentions)


def dates_match(a: str | None, b: str | None) -> float | None:
    """None when the two dates cannot be the same incident; else a score (2 same day, 1 compatible,
    0 when a date is unknown)."""
    if not a or not b:
        return 0.0
    if not dates_compatible(a, b):
        return None
    return 2.0 if a == b and len(a) == 10 else 1.0


def score(mention: Mention, mf: dict, cand: Candidate) -> float | None:
    """Link score of a mention (with its own reconciled fields ``mf``) against a candidate."""
    if any(x.article_id == mention.article_id for x in cand.mentions):
        return None
    cf = cand.fields
    ml, cl = mf.get("location") or {}, cf.get("location") or {}
    if ml.get("country") and cl.get("country") and ml["country"] != cl["country"]:
        return None
    if ml.get("name") and cl.get("name") and ml["name"] != cl["name"]:
        return None
    mdate = (mf.get("date") or {}).get("value")
    cdate = (cf.get("date") or {}).get("value")
    if (mf.get("date") or {}).get("rule") == "publication-date":
        # the article did not say when: any incident in the days before it was published
        if not _days_before(cdate, mdate, MAIN_WINDOW_DAYS):
            return None
        mdate = None
    d = dates_match(mdate, cdate)
    if d is None:
        return None
    if not mdate and not _within_year_before(cdate, mention.published):
        return None
    total = d
    if ml.get("name") and ml.get("name") == cl.get("name"):
        total += 3.0
    elif ml.get("country") and ml.get("country") == cl.get("country"):
        total += 0.5
    mt, ct = mf.get("attack_type"), cf.get("attack_type")
    if mt != "unknown" and mt == ct:
        total += 1.0
    if {p.lower() for p in mf.get("perpetrators", [])} & {p.lower() for p in cf.get("perpetrators", [])}:
        total += 1.0
    mk, ck = mf.get("killed") or {}, cf.get("killed") or {}
    # a toll no report states ("none reported") is no evidence that two reports agree
    stated = mk.get("stated", True) and ck.get("stated", True)
    if stated and mk.get("best") is not None and mk.get("best") == ck.get("best"):
        total += 0.5
    return total


def _days_before(event_date: str | None, published: str | None, days: int) -> bool:
    """The event date can fall in the ``days`` before publication (compatible when imprecise)."""
    if not event_date or not published:
        return False
    if len(event_date) < 10 or len(published) < 10:
        return dates_compatible(event_date[:7], published[:7])
    gap = (dt.date.fromisoformat(published) - dt.date.fromisoformat(event_date)).days
    return 0 <= gap <= days


def _within_year_before(event_date: str | None, published: str | None) -> bool:
    if not event_date or not published:
        return False
    year_e, year_p = int(event_date[:4]), int(published[:4])
    return year_p - 1 <= year_e <= year_p


class Linker:
    """Holds the known incidents (blocked by year) and assigns incident ids to new mentions."""

    def __init__(self, mentions: list[Mention], new_id):
        self._new_id = new_id
        self.by_id: dict[str, Candidate] = {}
        for m in mentions:
            self.by_id.setdefault(m.incident_id, Candidate(m.incident_id)).mentions.append(m)
        self.blocks: dict[str | tuple, set[str]] = defaultdict(set)
        for cand in self.by_id.values():
            cand.refresh()
            self._index(cand)

    def _index(self, cand: Candidate) -> None:
        """File a candidate under its current keys (a stale key from before a refresh is harmless:
        ``score`` checks the current fields)."""
        loc = cand.fields.get("location") or {}
        for year in self._keys(cand.fields, None):
            self.blocks[year].add(cand.incident_id)
            for facet in ("name", "country"):
                self.blocks[(year, facet, loc.get(facet) or None)].add(cand.incident_id)

    def _candidates(self, mf: dict, published: str | None) -> set[str]:
        """Incidents a mention with fields ``mf`` can link to: same year block, and the same
        city (or none) and the same country (or none) when the mention names them."""
        loc = mf.get("location") or {}
        ids: set[str] = set()
        for year in self._keys(mf, published):
            found = self.blocks.get(year, set())
            for facet in ("name", "country"):
                if loc.get(facet):
                    found = found & (self.blocks.get((year, facet, loc[facet]), set())
                                     | self.blocks.get((year, facet, None), set()))
            ids |= found
        return ids

    @staticmethod
    def _keys(fields: dict, published: str | None) -> set[str]:
        date = (fields.get("date") or {}).get("value")
        if date:
            return {date[:4]}
        if published:
            return {published[:4], str(int(published[:4]) - 1)}
        return set()

    def link(self, mention: Mention) -> tuple[str, float | None]:
        """Assign ``mention.incident_id``: an existing incident, or a new one. Returns the id and
        the winning score (None for a new incident)."""
        mf = reconcile([mention])
        ids = self._candidates(mf, mention.published)
        scored = sorted(((s, i) for i in sorted(ids)
                         if (s := score(mention, mf, self.by_id[i])) is not None), reverse=True)
        best = None
        if scored and scored[0][0] >= LINK_THRESHOLD and (len(scored) == 1 or scored[1][0] < scored[0][0]):
            best = scored[0]
        incident_id = best[1] if best else self._new_id()
        cand = self.by_id.setdefault(incident_id, Candidate(incident_id))
        cand.mentions.append(mention)
        cand.refresh()
        self._index(cand)
        mention.incident_id = incident_id
        return incident_id, (best[0] if best else None)
