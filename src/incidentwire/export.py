"""Export stage: incidents in the formats analysts and their tools load.

* ``json`` / ``jsonl``: full records, every field with the claims and evidence spans behind it;
* ``csv``: one row per incident, ACLED/UCDP-like columns (:data:`CSV_COLUMNS`: event date with
  ACLED ``time_precision`` and UCDP ``date_prec`` codes, ACLED ``geo_precision`` and UCDP
  ``where_prec``, actors, fatalities low/best/high, sources, notes);
* ``csv-codebook``: the same incidents under a GTD-style codebook column set
  (:data:`CODEBOOK_COLUMNS`: iyear/imonth/iday, attacktype1_txt, gname, nkill...). Only the
  column layout follows that codebook; every value is ours, from our own extraction;
* ``eval-jsonl``: the shared eval kit's interchange format, one line per article listing the
  incidents it reports (the eval harness reads it: keep it unchanged);
* ``eval-jsonl-articles``: the same lines, but each incident's fields are what that article
  alone says (its mention reconciled on its own), not the union over every article linked to
  the incident. Per-document benchmarks (MUC-4 templates) score the extraction stage this way:
  an article's template holds only what the article reports;
* ``eval-jsonl-muc4``: ``eval-jsonl-articles`` with the attackers the article only describes
  ("two unidentified men", "uniformed individuals", field ``perpetrator_descriptions``) added
  after the perpetrators, as MUC-4 codes them (PERP: INDIVIDUAL ID). Only the MUC-4 benchmark
  reads it: the stored ``perpetrators`` field, which linking, conflicts and alerts read, keeps
  naming actors only. Each other kind of act an incident's report names (field ``act_types``:
  "attacked the farm ... and burned a tank truck") adds a row of that type without fillers, as
  MUC-4 codes one template per kind of act;
* ``geojson``: a FeatureCollection (RFC 7946; incidents without coordinates get a null
  geometry), which QGIS and geojson.io open as is;
* ``parquet``: the CSV columns with their types (pyarrow, from the ``[export]`` extra);
* ``stix``: a STIX 2.1 bundle (the ``stix2`` library) for threat-intel platforms, see
  ``export_stix.py``.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

from .errors import ExportError
from .reconcile import describe_responses, reconcile, union
from .records import Incident
from .store import Store

FORMATS = ("json", "jsonl", "csv", "csv-codebook", "eval-jsonl", "eval-jsonl-articles", "eval-jsonl-muc4",
           "geojson", "parquet", "stix")
BINARY_FORMATS = ("parquet",)
CSV_COLUMNS = ("event_id", "event_date", "year", "date_precision", "time_precision", "date_prec",
               "country", "admin1", "location", "latitude", "longitude", "geo_precision", "where_prec",
               "event_type", "actor1", "actor2", "weapons", "fatalities", "fatalities_low", "fatalities_best",
               "fatalities_high", "injured_low", "injured_best", "injured_high", "perpetrators_killed",
               "n_sources", "sources", "notes", "reviewed", "claimed_by", "responses")
_INT_COLUMNS = {"year", "time_precision", "date_prec", "geo_precision", "where_prec", "fatalities",
                "fatalities_low", "fatalities_best", "fatalities_high", "injured_low", "injured_best",
                "injured_high", "perpetrators_killed", "n_sources"}
CODEBOOK_COLUMNS = ("eventid", "iyear", "imonth", "iday", "approxdate", "country_txt", "provstate", "city",
                    "latitude", "longitude", "specificity", "attacktype1_txt", "targtype1_txt", "target1",
                    "gname", "gname2", "claimed", "weaptype1_txt", "nkill", "nkillter", "nwound", "summary", "scite1",
                    "scite2", "scite3", "dbsource")
ATTACK_TYPE_LABELS = {
    "assassination": "Assassination", "armed_assault": "Armed Assault", "bombing_explosion": "Bombing/Explosion",
    "hijacking": "Hijacking", "hostage_barricade": "Hostage Taking (Barricade Incident)",
    "hostage_kidnapping": "Hostage Taking (Kidnapping)",
    "facility_infrastructure_attack": "Facility/Infrastructure Attack", "unarmed_assault": "Unarmed Assault",
    "unknown": "Unknown",
}
# ACLED time_precision: 1 day, 2 week, 3 month or vaguer; UCDP date_prec: 1 day ... 4 month, 5 longer
_TIME_PRECISION = {"day": (1, 1), "month": (3, 4), "year": (3, 5)}
# our place precision (1 town, 3 region, 4 country) -> ACLED geo_precision, UCDP where_prec,
# codebook specificity
_GEO_PRECISION = {1: (1, 1, 1), 2: (2, 3, 3), 3: (3, 4, 4), 4: (3, 6, 5)}
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


def _with_descriptions(inc: Incident) -> dict:
    """The interchange row, described attackers appended to the perpetrators (MUC-4's PerpInd)."""
    row = interchange(inc)
    named = {p.lower() for p in row["perpetrators"]}
    row["perpetrators"] = row["perpetrators"] + [d for d in union(inc.mentions, "perpetrator_descriptions")
                                                 if d.lower() not in named]
    return row


# MUC-4's incident types, from our attack types (MUC uses ATTACK where nothing more specific fits)
MUC_INCIDENT_TYPE = {"bombing_explosion": "bombing", "hostage_kidnapping": "kidnapping",
                     "hostage_barricade": "kidnapping", "hijacking": "hijacking",
                     "facility_infrastructure_attack": "arson"}


def _other_acts(inc: Incident) -> list[dict]:
    """One row, without fillers, for each other kind of act (MUC-4 incident type) the incident's
    report names besides its main type: MUC-4 codes "attacked the farm ... and burned a tank
    truck" as an attack and an arson. Not a bombing: bomb words beside another act are mostly the
    fighting around it ("the din of gunfire and explosions"), MUC-4 train micro_gtt 0.4519 -> 0.4529."""
    main = MUC_INCIDENT_TYPE.get(inc.fields.get("attack_type") or "unknown", "attack")
    row = interchange(inc)
    out, seen = [], {main}
    for act in union(inc.mentions, "act_types"):
        kind = MUC_INCIDENT_TYPE.get(act, "attack")
        if kind not in seen and kind != "bombing":
            seen.add(kind)
            out.append(dict(row, incident_id=f"{inc.id}-{kind}", attack_type=act, perpetrators=[], targets=[],
                            victims=[], weapons=[]))
    return out


def eval_jsonl(store: Store, per_article: bool = False, descriptions: bool = False) -> str:
    """One line per stored article, main incident first, in the interchange format. With
    ``per_article`` each incident carries the fields its mention in that article gives alone;
    with ``descriptions`` its perpetrators also list the attackers the article only describes."""
    by_article: dict[str, list[tuple[int, Incident]]] = defaultdict(list)
    for inc in store.incidents():
        for m in inc.mentions:
            own = Incident(id=inc.id, mentions=[m], fields=reconcile([m])) if per_article else inc
            by_article[m.article_id].append((m.index, own))
    lines = []
    for article_id in store.article_ids():
        ordered = [inc for _, inc in sorted(by_article.get(article_id, []), key=lambda t: t[0])]
        rows = [_with_descriptions(i) for i in ordered] + [r for i in ordered for r in _other_acts(i)] \
            if descriptions else [interchange(i) for i in ordered]
        lines.append(json.dumps({"doc_id": article_id, "incidents": rows}))
    return "\n".join(lines) + ("\n" if lines else "")


def to_json(incidents: list[Incident]) -> str:
    return json.dumps([inc.to_dict() for inc in incidents], indent=2, ensure_ascii=False) + "\n"


def to_jsonl(incidents: list[Incident]) -> str:
    return "".join(json.dumps(inc.to_dict(), ensure_ascii=False) + "\n" for inc in incidents)


def _notes(inc: Incident) -> str:
    """A one-line summary written from our own fields and the first report's wording."""
    f = inc.fields
    killed = _count(f, "killed")
    parts = [ATTACK_TYPE_LABELS.get(f.get("attack_type") or "unknown", f.get("attack_type") or "Unknown")]
    if killed["best"] is not None:
        parts.append(f"{killed['best']} killed")
    if (f.get("perpetrators") or []):
        parts.append("attributed to " + ", ".join(f["perpetrators"][:3]))
    first = min(inc.mentions, key=lambda m: (m.published or "9999", m.article_id), default=None)
    quote = next((c.quote for c in first.claims if c.field in ("attack_type", "killed")), "") if first else ""
    return "; ".join(parts) + (f". Report: \"{' '.join(quote.split())[:300]}\"" if quote else "")


def flat_row(inc: Incident) -> dict:
    """One incident as a flat row of :data:`CSV_COLUMNS` (CSV, Parquet, GeoJSON, pandas)."""
    f, row = inc.fields, interchange(inc)
    loc, killed, injured = row["location"], row["killed"], row["injured"]
    time_prec, date_prec = _TIME_PRECISION.get(row["date_precision"], (None, None))
    geo_prec, where_prec, _ = _GEO_PRECISION.get((f.get("location") or {}).get("precision"), (None, None, None))
    return {
        "event_id": inc.id, "event_date": row["date_partial"],
        "year": int(row["date_partial"][:4]) if row["date_partial"] else None,
        "date_precision": row["date_precision"], "time_precision": time_prec, "date_prec": date_prec,
        "country": loc["country"], "admin1": loc["admin1"], "location": loc["name"],
        "latitude": loc["lat"], "longitude": loc["lon"], "geo_precision": geo_prec, "where_prec": where_prec,
        "event_type": row["attack_type"], "actor1": "; ".join(row["perpetrators"]),
        "actor2": "; ".join(row["targets"]), "weapons": "; ".join(row["weapons"]),
        "fatalities": killed["best"], "fatalities_low": killed["min"], "fatalities_best": killed["best"],
        "fatalities_high": killed["max"], "injured_low": injured["min"], "injured_best": injured["best"],
        "injured_high": injured["max"], "perpetrators_killed": _count(f, "perpetrators_killed")["best"],
        "n_sources": f.get("sources"), "sources": "; ".join(sorted({m.article_id for m in inc.mentions})),
        "notes": _notes(inc), "reviewed": bool(f.get("reviewed")),
        "claimed_by": "; ".join(f.get("claimed_by") or []), "responses": describe_responses(f.get("responses") or []),
    }


def codebook_row(inc: Incident) -> dict:
    """One incident under the GTD-style codebook columns (our values, their layout)."""
    f, flat = inc.fields, flat_row(inc)
    date = (f.get("date") or {}).get("value") or ""
    parts = (date.split("-") + ["0", "0", "0"])[:3] if date else ["", "0", "0"]
    perps, targets, weapons = f.get("perpetrators") or [], f.get("targets") or [], f.get("weapons") or []
    articles = sorted({m.article_id for m in inc.mentions})
    return {
        "eventid": inc.id, "iyear": int(parts[0]) if parts[0] else None, "imonth": int(parts[1]), "iday": int(parts[2]),
        "approxdate": date if f.get("date") and (f["date"].get("precision") != "day") else "",
        "country_txt": flat["country"], "provstate": flat["admin1"], "city": flat["location"],
        "latitude": flat["latitude"], "longitude": flat["longitude"],
        "specificity": _GEO_PRECISION.get((f.get("location") or {}).get("precision"), (None, None, None))[2],
        "attacktype1_txt": ATTACK_TYPE_LABELS.get(flat["event_type"], flat["event_type"]),
        "targtype1_txt": targets[0] if targets else "", "target1": "; ".join(targets),
        "gname": perps[0] if perps else "Unknown", "gname2": perps[1] if len(perps) > 1 else "",
        "claimed": int(bool(f.get("claimed_by"))),
        "weaptype1_txt": weapons[0] if weapons else "", "nkill": flat["fatalities_best"],
        "nkillter": flat["perpetrators_killed"], "nwound": flat["injured_best"], "summary": flat["notes"],
        **{f"scite{n}": articles[n - 1] if len(articles) >= n else "" for n in (1, 2, 3)},
        "dbsource": "incidentwire",
    }


def _csv(rows: list[dict], columns: tuple[str, ...]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns)
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def to_csv(incidents: list[Incident]) -> str:
    return _csv([flat_row(inc) for inc in incidents], CSV_COLUMNS)


def to_codebook_csv(incidents: list[Incident]) -> str:
    return _csv([codebook_row(inc) for inc in incidents], CODEBOOK_COLUMNS)


def to_geojson(incidents: list[Incident]) -> str:
    features = []
    for inc in incidents:
        props = flat_row(inc)
        lat, lon = props.pop("latitude"), props.pop("longitude")
        geometry = {"type": "Point", "coordinates": [lon, lat]} if lat is not None and lon is not None else None
        features.append({"type": "Feature", "id": inc.id, "geometry": geometry, "properties": props})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False) + "\n"


def to_parquet(incidents: list[Incident]) -> bytes:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ExportError("Parquet export needs pyarrow: pip install 'incidentwire[export]'") from None
    types = {c: pa.int64() if c in _INT_COLUMNS else pa.float64() if c in ("latitude", "longitude")
             else pa.bool_() if c == "reviewed" else pa.string() for c in CSV_COLUMNS}
    table = pa.Table.from_pylist([flat_row(inc) for inc in incidents],
                                 schema=pa.schema([(c, types[c]) for c in CSV_COLUMNS]))
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def export(store: Store, fmt: str, incidents: list[Incident] | None = None) -> str | bytes:
    """``incidents`` (default: the whole store) in ``fmt``: text, or bytes for Parquet.
    eval-jsonl always covers every stored article."""
    if fmt in ("eval-jsonl", "eval-jsonl-articles", "eval-jsonl-muc4"):
        return eval_jsonl(store, per_article=fmt != "eval-jsonl", descriptions=fmt == "eval-jsonl-muc4")
    writers = {"json": to_json, "jsonl": to_jsonl, "csv": to_csv, "csv-codebook": to_codebook_csv,
               "geojson": to_geojson, "parquet": to_parquet}
    if fmt == "stix":
        from .export_stix import to_stix
        writers["stix"] = to_stix
    if fmt not in writers:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return writers[fmt](store.incidents() if incidents is None else incidents)
