"""The list/search/stats queries the REST API and the pages share, as thin calls into
``incidentwire.Database``: filters pass straight through; paging is applied to its result."""

from __future__ import annotations

import inspect
from collections import Counter
from dataclasses import dataclass

from ..records import Incident


@dataclass
class IncidentQuery:
    country: str | None = None
    since: str | None = None
    until: str | None = None
    min_killed: int | None = None
    q: str | None = None
    limit: int = 50
    offset: int = 0

    def filters(self) -> dict:
        return {k: v for k, v in (("country", self.country), ("since", self.since),
                                  ("until", self.until), ("min_killed", self.min_killed)) if v not in (None, "")}


def find_incidents(db, query: IncidentQuery) -> tuple[int, list[Incident]]:
    """(total matching, the requested page)."""
    found = db.incidents(**query.filters())
    if query.q:
        ids = set(search_ids(db, query.q))
        found = [i for i in found if i.id in ids]
    return len(found), found[query.offset:query.offset + query.limit]


def search_ids(db, q: str) -> list[str]:
    """Incident ids matching free text, best first: the library's search where it has one,
    else a case-insensitive match over incident fields and the text of their articles."""
    if hasattr(db, "search"):
        found = db.search(q)
        return [getattr(x, "id", None) or x.get("incident_id") or x.get("id") for x in found]
    needle = q.lower()
    out = []
    for inc in db.incidents():
        blob = repr(inc.fields).lower()
        if needle in blob or any(needle in (db.article(a).get("clean_text") or "").lower()
                                 for a in {m.article_id for m in inc.mentions}):
            out.append(inc.id)
    return out


def stats(db) -> dict:
    """Totals and breakdowns: the library's ``stats`` where it has one, else counted here."""
    if hasattr(db, "stats") and not inspect.signature(db.stats).parameters:
        return db.stats()
    incidents = db.incidents()
    by_country = Counter(((i.fields.get("location") or {}).get("country") or "unknown") for i in incidents)
    by_year = Counter((((i.fields.get("date") or {}).get("value") or "")[:4] or "unknown") for i in incidents)
    by_type = Counter(i.fields.get("attack_type") or "unknown" for i in incidents)
    return {"counts": db.store.counts(), "incidents": len(incidents),
            "killed_best_total": sum(((i.fields.get("killed") or {}).get("best") or 0) for i in incidents),
            "by_country": dict(by_country.most_common()), "by_year": dict(sorted(by_year.items())),
            "by_attack_type": dict(by_type.most_common())}
