"""The query columns of an incident: flat, indexed copies of its reconciled fields.

Incidents are stored whole as ``fields_json``; the columns below are derived from it on every
save (and back-filled by the migration that added them) so that filters, sorting and
aggregations run in SQL on indexes instead of in Python over every incident. List-valued
fields (perpetrators, targets, weapons, victims) go to ``incident_values``, one row per item,
with a case-folded ``value_key`` to match on.
"""

from __future__ import annotations

import calendar
import datetime as dt

LIST_VALUE_FIELDS = ("perpetrators", "targets", "weapons", "victims")

QUERY_COLUMNS = (
    ("date_value", "TEXT"), ("date_start", "TEXT"), ("date_end", "TEXT"), ("date_precision", "TEXT"),
    ("country", "TEXT"), ("admin1", "TEXT"), ("city", "TEXT"), ("lat", "REAL"), ("lon", "REAL"),
    ("geo_precision", "INTEGER"), ("attack_type", "TEXT"),
    ("killed_min", "INTEGER"), ("killed_best", "INTEGER"), ("killed_max", "INTEGER"),
    ("injured_min", "INTEGER"), ("injured_best", "INTEGER"), ("injured_max", "INTEGER"),
    ("n_sources", "INTEGER"),
)


def period(value: str | None) -> tuple[str | None, str | None]:
    """First and last day (YYYY-MM-DD) of a YYYY, YYYY-MM or YYYY-MM-DD date; (None, None)
    for anything else."""
    if not value:
        return None, None
    parts = value.split("-")
    try:
        year = int(parts[0])
        if len(parts) == 1:
            return f"{year:04d}-01-01", f"{year:04d}-12-31"
        month = int(parts[1])
        if len(parts) == 2:
            last = calendar.monthrange(year, month)[1]
            return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}"
        day = dt.date(year, month, int(parts[2]))
    except (ValueError, IndexError):
        return None, None
    return day.isoformat(), day.isoformat()


def _int(value) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def _float(value) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def query_columns(fields: dict) -> dict:
    """The query column values of an incident with these reconciled ``fields``."""
    date = fields.get("date") or {}
    loc = fields.get("location") or {}
    start, end = period(date.get("value"))
    row = {"date_value": date.get("value"), "date_start": start, "date_end": end,
           "date_precision": date.get("precision"), "country": loc.get("country"),
           "admin1": loc.get("admin1"), "city": loc.get("name"), "lat": _float(loc.get("lat")),
           "lon": _float(loc.get("lon")), "geo_precision": _int(loc.get("precision")),
           "attack_type": fields.get("attack_type"), "n_sources": _int(fields.get("sources"))}
    for name in ("killed", "injured"):
        count = fields.get(name) or {}
        for part in ("min", "best", "max"):
            row[f"{name}_{part}"] = _int(count.get(part))
    return row


def list_values(incident_id: str, fields: dict) -> list[dict]:
    """The ``incident_values`` rows of an incident (one per list item)."""
    rows = []
    for name in LIST_VALUE_FIELDS:
        for value in fields.get(name) or []:
            text = str(value)
            rows.append({"incident_id": incident_id, "field": name, "value": text, "value_key": text.casefold()})
    return rows
