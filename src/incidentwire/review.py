"""Analyst review: correct what the pipeline got wrong, keep a trail of who did what, undo it.

Actions (each one audit-log entry, with who, when and what):
- ``edit_field``: an analyst's value for one field, stored as an *analyst claim* beside the
  extracted claims, which are all kept. The newest analyst claim of a field overrides the
  reconciled value; ``fields["analyst"]`` records what it replaced.
- ``merge``: two incidents are one; the source's mentions move to the target.
- ``split``: the mentions from some articles were a different incident; they move to a new one.
  The split binds the linker: while it stands (not undone), no automatic merge puts an article
  of one side in an incident with an article of the other, and no report of one side joins an
  incident holding the other (``binding_splits``). The linker never merges a reviewed incident.
- ``mark_reviewed``: an analyst has checked the incident (the store's ``reviewed`` flag, which
  the ``reviewed`` filter reads; who and when in ``fields["review"]``).
- ``undo``: reverses one action, itself logged. An action can be undone only while no later
  action on the same incidents stands (undo the later one first), so undo never tangles.

The audit log is append-only: the database refuses UPDATE and DELETE on it (triggers of the
migration ``m_review_audit_tokens``). Analyst claims survive re-ingestion: the pipeline applies
them after reconciling (``apply_analyst_claims``). Limit: an ingest that runs while an analyst
merges or splits works from the mentions it read at its start, and may relink what it touches.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from sqlalchemy import text

from .errors import ReviewError
from .reconcile import COUNT_FIELDS, reconcile
from .records import ATTACK_TYPES, Incident
from .store import Store, _in_clause, link_index, record_merges

LIST_EDITABLE = ("perpetrators", "targets", "weapons")
EDITABLE_FIELDS = ("date", "location", "attack_type", *COUNT_FIELDS, *LIST_EDITABLE)
REVIEWED = "reviewed"
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_RANGE = re.compile(r"^(\d+)\s*(?:-\s*(\d+)|(\+))?$")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------------
# Values an analyst may give

def parse_value(field: str, value: Any) -> Any:
    """The stored form of an analyst's ``value`` for ``field``; strings are parsed as a form
    would send them ("2017-05-22", "Manchester, United Kingdom", "22", "5-7", "20+", "a; b")."""
    if field not in EDITABLE_FIELDS:
        raise ReviewError(f"field {field!r} cannot be edited; editable: {', '.join(EDITABLE_FIELDS)}")
    if field == "date":
        return _parse_date(value)
    if field == "location":
        return _parse_location(value)
    if field == "attack_type":
        if value not in ATTACK_TYPES:
            raise ReviewError(f"unknown attack type {value!r}; one of: {', '.join(ATTACK_TYPES)}")
        return value
    if field in COUNT_FIELDS:
        return _parse_count(value)
    items = value if isinstance(value, list) else re.split(r"[;,]", str(value or ""))
    return [str(v).strip() for v in items if str(v).strip()]


def _parse_date(value: Any) -> dict:
    s = str(value.get("value") if isinstance(value, dict) else value or "").strip()
    if not _DATE.match(s):
        raise ReviewError(f"date {s!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    try:
        dt.date.fromisoformat((s + "-01-01")[:10] if len(s) < 10 else s)
    except ValueError:
        raise ReviewError(f"date {s!r} does not exist") from None
    precision = {4: "year", 7: "month", 10: "day"}[len(s)]
    return {"value": s, "precision": precision, "rule": "analyst", "sources": 0, "conflict": None}


def _parse_location(value: Any) -> dict:
    from .extract.places import lookup   # loads the gazetteer: only when an analyst edits a place
    from .errors import InputError
    if isinstance(value, dict):
        name, country = value.get("name"), value.get("country")
    else:
        name, _, country = str(value or "").rpartition(",") if "," in str(value) else (str(value), "", None)
    name, country = (name or "").strip() or None, (country or "").strip() or None
    if not name and not country:
        raise ReviewError("a location needs a place name, a country, or 'place, country'")
    try:
        place = lookup(name or country, country if name else None)
    except InputError as e:
        raise ReviewError(str(e)) from None
    if place is None:   # a place the gazetteer lacks: kept as the analyst wrote it, no coordinates
        return {"name": name, "admin1": None, "country": country, "lat": None, "lon": None,
                "precision": 1, "kind": "analyst", "rule": "analyst"}
    return {"name": place.name if place.kind != "country" else None, "admin1": place.admin1,
            "country": place.country, "lat": place.lat, "lon": place.lon,
            "precision": place.precision, "kind": place.kind, "rule": "analyst"}


def _parse_count(value: Any) -> dict:
    if isinstance(value, dict):
        lo, best, hi = value.get("min"), value.get("best"), value.get("max")
    elif isinstance(value, int) and not isinstance(value, bool):
        lo = best = hi = value
    else:
        m = _RANGE.match(str(value or "").strip())
        if not m:
            raise ReviewError(f"count {value!r} is not N, N-M or N+")
        lo = best = int(m.group(1))
        hi = None if m.group(3) else int(m.group(2) or lo)
    if best is None or (lo is not None and lo > best) or (hi is not None and hi < best):
        raise ReviewError(f"count {value!r} needs min <= best <= max")
    return {"min": lo, "best": best, "max": hi, "rule": "analyst", "sources": 0, "conflict": None}


# ---------------------------------------------------------------------------------------------
# Analyst claims and the incident they change

def analyst_claims(store: Store, incident_id: str, include_retracted: bool = False) -> list[dict]:
    """An incident's analyst claims, oldest first."""
    return analyst_claims_of(store, [incident_id], include_retracted).get(incident_id, [])


def analyst_claims_of(store: Store, incident_ids: list[str], include_retracted: bool = False
                      ) -> dict[str, list[dict]]:
    """{incident id: its analyst claims, oldest first} of those of ``incident_ids`` that have
    any, in one query (ingest re-reconciles thousands of incidents, nearly all without one)."""
    out: dict[str, list[dict]] = {}
    with store.engine.connect() as conn:
        for start in range(0, len(incident_ids), 500):  # bound parameters a query: within every backend's limit
            names = {f"i{k}": i for k, i in enumerate(incident_ids[start:start + 500])}
            sql = ("SELECT id, incident_id, field, value_json, note, who, at, audit_id, retracted_by "
                   f"FROM analyst_claims WHERE incident_id IN ({', '.join(':' + n for n in names)})"
                   + ("" if include_retracted else " AND retracted_by IS NULL") + " ORDER BY id")
            for r in conn.execute(text(sql), names).mappings():
                out.setdefault(r["incident_id"], []).append(
                    {**{k: r[k] for k in ("id", "field", "note", "who", "at", "audit_id", "retracted_by")},
                     "value": json.loads(r["value_json"])})
    return out


def apply_analyst_claims(store: Store, incident_id: str, fields: dict, claims: list[dict] | None = None) -> dict:
    """``fields`` with the newest standing analyst claim of each field in force (``claims``:
    the incident's standing claims, when the caller read them already: ``analyst_claims_of``)."""
    replaced = {}
    for claim in analyst_claims(store, incident_id) if claims is None else claims:
        name = claim["field"]
        if name == REVIEWED:   # the store keeps the reviewed flag itself; who and when go here
            fields["review"] = claim["value"]
            continue
        was = replaced[name]["was"] if name in replaced else fields.get(name)
        replaced[name] = {"value": claim["value"], "who": claim["who"], "at": claim["at"],
                          "note": claim["note"], "was": was}
        fields[name] = claim["value"]
    if replaced:
        fields["analyst"] = replaced
    return fields


def refresh_incident(store: Store, incident_id: str) -> None:
    """Reconcile an incident again from its mentions and analyst claims (deleted when it has no
    mentions left)."""
    mentions = store.mentions([incident_id])
    if not mentions:
        store.delete_incident(incident_id)
        return
    fields = apply_analyst_claims(store, incident_id, reconcile(mentions))
    store.save_incident(Incident(id=incident_id, fields=fields))
    if "review" in fields:   # an incident brought back (undo of a merge) keeps its reviewed flag
        store.set_reviewed(incident_id, True)


# ---------------------------------------------------------------------------------------------
# Actions

def _log(conn, who: str, action: str, incidents: list[str], detail: dict, undoes: int | None = None) -> dict:
    entry = {"at": _now(), "who": who, "action": action, "incidents": incidents, "detail": detail,
             "undoes": undoes}
    entry["id"] = conn.execute(
        text("INSERT INTO audit_log (at, who, action, incidents, detail_json, undoes) "
             "VALUES (:at, :who, :action, :inc, :d, :u) RETURNING id"),
        {"at": entry["at"], "who": who, "action": action, "inc": "," + ",".join(incidents) + ",",
         "d": json.dumps(detail), "u": undoes}).scalar()
    return entry


def _require_who(who: str) -> str:
    if not who or not str(who).strip():
        raise ReviewError("every review action needs who did it")
    return str(who).strip()


def _insert_claim(conn, incident_id: str, field: str, value: Any, who: str, note: str | None,
                  audit_id: int) -> None:
    conn.execute(text("INSERT INTO analyst_claims (incident_id, field, value_json, note, who, at, audit_id) "
                      "VALUES (:i, :f, :v, :n, :w, :at, :a)"),
                 {"i": incident_id, "f": field, "v": json.dumps(value), "n": note, "w": who,
                  "at": _now(), "a": audit_id})


def edit_field(store: Store, incident_id: str, field: str, value: Any, who: str,
               note: str | None = None) -> dict:
    """Set ``field`` of an incident to an analyst's ``value`` (the extracted claims are kept)."""
    who = _require_who(who)
    old = store.incident(incident_id).fields.get(field)
    parsed = parse_value(field, value)
    with store.engine.begin() as conn:
        entry = _log(conn, who, "edit", [incident_id],
                     {"field": field, "value": parsed, "was": old, "note": note})
        _insert_claim(conn, incident_id, field, parsed, who, note, entry["id"])
    refresh_incident(store, incident_id)
    return entry


def mark_reviewed(store: Store, incident_id: str, who: str, note: str | None = None) -> dict:
    """Record that an analyst has checked the incident."""
    who = _require_who(who)
    store.incident(incident_id)
    with store.engine.begin() as conn:
        entry = _log(conn, who, "reviewed", [incident_id], {"note": note})
        _insert_claim(conn, incident_id, REVIEWED, {"by": who, "at": entry["at"], "note": note},
                      who, note, entry["id"])
    refresh_incident(store, incident_id)
    store.set_reviewed(incident_id, True)
    return entry


def _move_mentions(conn, keys: list[str], to: str, only_from: str | None = None) -> None:
    clause, params = _in_clause(keys)
    where = " AND incident_id = :src" if only_from else ""
    conn.execute(text(f"UPDATE mentions SET incident_id = :to WHERE key IN {clause}{where}"),
                 {**params, "to": to, "src": only_from})
    link_index.invalidate(conn)  # the linker's stored index files these mentions elsewhere


def merge(store: Store, target_id: str, source_id: str, who: str, note: str | None = None) -> dict:
    """Make ``source_id`` part of ``target_id``: its mentions move over and it disappears."""
    who = _require_who(who)
    if target_id == source_id:
        raise ReviewError(f"cannot merge {target_id} with itself")
    store.incident(target_id)
    source = store.incident(source_id)
    keys = sorted(m.key for m in source.mentions)
    with store.engine.begin() as conn:
        entry = _log(conn, who, "merge", [target_id, source_id],
                     {"target": target_id, "source": source_id, "moved": keys,
                      "source_fields": source.fields, "note": note})
        _move_mentions(conn, keys, target_id)
        record_merges(conn, [(source_id, target_id)])
    refresh_incident(store, target_id)
    refresh_incident(store, source_id)
    return entry


def split(store: Store, incident_id: str, article_ids: list[str], who: str, note: str | None = None) -> dict:
    """Move the mentions from ``article_ids`` out of an incident into a new incident."""
    who = _require_who(who)
    inc = store.incident(incident_id)
    wanted = set(article_ids)
    keys = sorted(m.key for m in inc.mentions if m.article_id in wanted)
    if not keys:
        raise ReviewError(f"none of {sorted(wanted)} reports {incident_id}")
    if len(keys) == len(inc.mentions):
        raise ReviewError(f"splitting off every article of {incident_id} would leave it empty")
    new_id = store.next_incident_id_factory()()
    kept = sorted({m.article_id for m in inc.mentions} - wanted)
    with store.engine.begin() as conn:
        entry = _log(conn, who, "split", [incident_id, new_id],
                     {"from": incident_id, "new": new_id, "articles": sorted(wanted), "moved": keys,
                      "kept_articles": kept, "note": note})
        _move_mentions(conn, keys, new_id)
    refresh_incident(store, incident_id)
    refresh_incident(store, new_id)
    return entry


def binding_splits(store: Store) -> list[tuple[list[str], list[str]]]:
    """The two sides (article ids) of every split that stands (not undone): the linker keeps
    them apart. A split logged before its kept side was recorded reads that side from the
    mentions its incident holds now."""
    with store.engine.connect() as conn:
        details = [json.loads(r[0]) for r in conn.execute(text(
            "SELECT detail_json FROM audit_log WHERE action = 'split' AND id NOT IN "
            "(SELECT undoes FROM audit_log WHERE undoes IS NOT NULL)"))]
        out = []
        for d in details:
            kept = d.get("kept_articles")
            if kept is None:
                kept = [r[0] for r in conn.execute(text(
                    "SELECT DISTINCT article_id FROM mentions WHERE incident_id = :i"), {"i": d["from"]})]
            out.append((sorted(set(kept) - set(d["articles"])), d["articles"]))
    return out


def reviewed_incidents(store: Store) -> set[str]:
    """Ids of the incidents an analyst marked reviewed (the linker does not merge them)."""
    with store.engine.connect() as conn:
        return set(conn.execute(text("SELECT id FROM incidents WHERE reviewed = 1")).scalars())


def audit_log(store: Store, incident_id: str | None = None) -> list[dict]:
    """Audit entries, oldest first (only those touching ``incident_id`` when given); each says
    whether a later entry undid it."""
    where = "WHERE incidents LIKE :pat" if incident_id else ""
    with store.engine.connect() as conn:
        rows = conn.execute(text(f"SELECT * FROM audit_log {where} ORDER BY id"),
                            {"pat": f"%,{incident_id},%"}).mappings().all()
        undone = {r[0]: r[1] for r in conn.execute(
            text("SELECT undoes, id FROM audit_log WHERE undoes IS NOT NULL"))}
    return [{"id": r["id"], "at": r["at"], "who": r["who"], "action": r["action"],
             "incidents": [i for i in r["incidents"].split(",") if i], "detail": json.loads(r["detail_json"]),
             "undoes": r["undoes"], "undone_by": undone.get(r["id"])} for r in rows]


def undo(store: Store, audit_id: int, who: str) -> dict:
    """Reverse one audit entry; the undo is itself logged."""
    who = _require_who(who)
    entries = {e["id"]: e for e in audit_log(store)}
    entry = entries.get(audit_id)
    if entry is None:
        raise ReviewError(f"no audit entry #{audit_id}")
    if entry["action"] == "undo":
        raise ReviewError(f"#{audit_id} is an undo; it cannot itself be undone")
    if entry["undone_by"]:
        raise ReviewError(f"#{audit_id} was already undone by #{entry['undone_by']}")
    touched = set(entry["incidents"])
    for later in entries.values():
        if (later["id"] > audit_id and later["action"] != "undo" and not later["undone_by"]
                and touched & set(later["incidents"])):
            raise ReviewError(f"undo #{later['id']} ({later['action']} on "
                              f"{', '.join(later['incidents'])}) first: it came after #{audit_id}")
    d = entry["detail"]
    with store.engine.begin() as conn:
        done = _log(conn, who, "undo", entry["incidents"], {"action": entry["action"]}, undoes=audit_id)
        if entry["action"] in ("edit", "reviewed"):
            conn.execute(text("UPDATE analyst_claims SET retracted_by = :u WHERE audit_id = :a"),
                         {"u": done["id"], "a": audit_id})
        elif entry["action"] == "merge":
            _move_mentions(conn, d["moved"], d["source"], only_from=d["target"])
            conn.execute(text("DELETE FROM incident_merges WHERE gone = :g"), {"g": d["source"]})
        elif entry["action"] == "split":
            _move_mentions(conn, d["moved"], d["from"], only_from=d["new"])
    for incident_id in entry["incidents"]:
        refresh_incident(store, incident_id)
    if entry["action"] == "reviewed":
        still = any(c["field"] == REVIEWED for c in analyst_claims(store, entry["incidents"][0]))
        store.set_reviewed(entry["incidents"][0], still)
    return done
