"""Export stage: incidents as JSON (full records with claims and evidence), CSV (one row per
incident, ACLED/UCDP-like columns) and eval-jsonl (the shared eval kit's interchange format:
one line per article, listing the incidents it reports with their reconciled values)."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

from .errors import ExportError
from .records import Incident
from .store import Store

FORMATS = ("json", "csv", "eval-jsonl")
CSV_COLUMNS = ("incident_id", "event_date", "date_precision", "country", "admin1", "location",
               "latitude", "longitude", "geo_precision", "attack_type", "perpetrators", "targets",
               "weapons", "fatalities_low", "fatalities_best", "fatalities_high", "injured_low",
               "injured_best", "injured_high", "perpetrators_killed", "sources", "articles")
_EMPTY_COUNT = {"min": None, "best": None, "max": None}


def _count(fields: dict, name: str) -> dict:
    c = fields.get(name) or {}
    return {k: c.get(k) for k in ("min", "best", "max")} if c else dict(_EMPTY_COUNT)


def interchange(inc: Incident) -> dict:
    """An incident in the eval interchange format (../shared/eval/README.md)."""
    f = inc.fields
    date = f.get("date") or {}
    loc = f.get("location") or {}
    return {
        "incident_id": inc.id,
        "date": date.get("value") if date.get("precision") == "day" else None,
        "date_partial": date.get("value"),
        "date_precision": date.get("precision"),
        "location": {"name": loc.get("name"), "admin1": loc.get("admin1"), "country": loc.get("country"),
                     "lat": loc.get("lat"), "lon": loc.get("lon")},
        "attack_type": f.get("attack_type") or "unknown",
        "perpetrators": f.get("perpetrators", []),
        "targets": f.get("targets", []),
        "victims": f.get("victims", []),
        "weapons": f.get("weapons", []),
        "killed": _count(f, "killed"),
        "injured": _count(f, "injured"),
    }


def eval_jsonl(store: Store) -> str:
    """One line per stored article, main incident first, in the interchange format."""
    incidents = {inc.id: inc for inc in store.incidents()}
    per_article: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for inc in incidents.values():
        for m in inc.mentions:
            per_article[m.article_id].append((m.index, inc.id))
    lines = []
    for article_id in store.article_ids():
        ordered = [iid for _, iid in sorted(per_article.get(article_id, []))]
        lines.append(json.dumps({"doc_id": article_id,
                                 "incidents": [interchange(incidents[i]) for i in ordered]}))
    return "\n".join(lines) + ("\n" if lines else "")


def to_json(incidents: list[Incident]) -> str:
    return json.dumps([inc.to_dict() for inc in incidents], indent=2, ensure_ascii=False) + "\n"


def to_csv(incidents: list[Incident]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS)
    w.writeheader()
    for inc in incidents:
        f, row = inc.fields, interchange(inc)
        loc, killed, injured = row["location"], row["killed"], row["injured"]
        w.writerow({
            "incident_id": inc.id, "event_date": row["date_partial"], "date_precision": row["date_precision"],
            "country": loc["country"], "admin1": loc["admin1"], "location": loc["name"],
            "latitude": loc["lat"], "longitude": loc["lon"],
            "geo_precision": (f.get("location") or {}).get("precision"), "attack_type": row["attack_type"],
            "perpetrators": "; ".join(row["perpetrators"]), "targets": "; ".join(row["targets"]),
            "weapons": "; ".join(row["weapons"]),
            "fatalities_low": killed["min"], "fatalities_best": killed["best"], "fatalities_high": killed["max"],
            "injured_low": injured["min"], "injured_best": injured["best"], "injured_high": injured["max"],
            "perpetrators_killed": _count(f, "perpetrators_killed")["best"],
            "sources": f.get("sources"), "articles": "; ".join(sorted({m.article_id for m in inc.mentions})),
        })
    return buf.getvalue()


def export(store: Store, fmt: str) -> str:
    """The whole store in ``fmt`` as a string."""
    if fmt == "eval-jsonl":
        return eval_jsonl(store)
    if fmt == "json":
        return to_json(store.incidents())
    if fmt == "csv":
        return to_csv(store.incidents())
    raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
