"""Incident queries compiled to SQL (SQLAlchemy Core), the same for SQLite and PostgreSQL.

:class:`IncidentQuery` holds the filters an analyst asks for; :func:`where_clauses` turns them
into conditions on the indexed query columns (see ``columns.py``). Semantics worth knowing:

* dates: an incident matches ``since``/``until`` when its date *period* (a month-precise
  "2021-03" spans March) overlaps the range; ``since``/``until`` may themselves be YYYY,
  YYYY-MM or YYYY-MM-DD;
* country / admin1 / city: case-insensitive equality;
* perpetrator / target / weapon: case-insensitive substring of any listed value;
* ``bbox`` is (min_lon, min_lat, max_lon, max_lat), GeoJSON's order; ``near`` is
  (lat, lon, radius_km) with an equirectangular distance (within 0.5 % below ~500 km), which
  keeps the SQL plain arithmetic on both backends;
* ``text``: every word must occur in the title or text of an article reporting the incident
  (FTS5 on SQLite, tsvector on PostgreSQL; both stem English words).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, fields

from sqlalchemy import (Column, Float, Integer, MetaData, String, Table, and_, case, func, literal_column,
                        or_, select, text)

from ..errors import QueryError
from .columns import QUERY_COLUMNS, period

_TYPES = {"TEXT": String, "REAL": Float, "INTEGER": Integer}
metadata = MetaData()
incidents = Table("incidents", metadata, Column("id", String, primary_key=True), Column("fields_json", String),
                  Column("updated_at", String), Column("reviewed", Integer),
                  *(Column(name, _TYPES[sql_type]) for name, sql_type in QUERY_COLUMNS))
incident_values = Table("incident_values", metadata, Column("incident_id", String), Column("field", String),
                        Column("value", String), Column("value_key", String))
mentions = Table("mentions", metadata, Column("key", String, primary_key=True), Column("article_id", String),
                 Column("incident_id", String))
articles = Table("articles", metadata, Column("id", String, primary_key=True))

# sort names an analyst may use (prefix "-" for descending)
SORTS = {"date": incidents.c.date_start, "killed": incidents.c.killed_best,
         "injured": incidents.c.injured_best, "sources": incidents.c.n_sources,
         "country": incidents.c.country, "updated": incidents.c.updated_at, "id": incidents.c.id}
# what aggregate() can group by
GROUPINGS = ("month", "year", "country", "region", "attack_type", "group")
KM_PER_DEGREE = 111.195


@dataclass
class IncidentQuery:
    """Filters, sort and page of an incident query; every filter left None matches all."""

    since: str | None = None
    until: str | None = None
    country: str | None = None
    admin1: str | None = None
    city: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    near: tuple[float, float, float] | None = None
    attack_type: str | list[str] | None = None
    weapon: str | None = None
    target: str | None = None
    perpetrator: str | None = None
    min_killed: int | None = None
    min_injured: int | None = None
    text: str | None = None
    min_sources: int | None = None
    reviewed: bool | None = None
    sort: str = "-date"
    limit: int | None = None
    offset: int = 0

    @classmethod
    def filter_names(cls) -> tuple[str, ...]:
        """The filter fields (what the web layer reads from a query string)."""
        return tuple(f.name for f in fields(cls) if f.name not in ("sort", "limit", "offset"))


def _date_bound(value: str, end: bool) -> str:
    start, last = period(value)
    if start is None:
        raise QueryError(f"cannot read date {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD")
    return last if end else start


def _contains(field: str, value: str):
    """Incidents with a ``field`` value containing ``value`` (case-insensitive)."""
    pattern = "%" + value.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return incidents.c.id.in_(select(incident_values.c.incident_id).where(
        incident_values.c.field == field, incident_values.c.value_key.like(pattern, escape="\\")))


def _text_match(dialect: str, words: str):
    tokens = re.findall(r"\w+", words)
    if not tokens:
        raise QueryError(f"text search {words!r} has no words to look for")
    if dialect == "postgresql":
        matching = select(articles.c.id).where(text("articles.search @@ plainto_tsquery('english', :iw_text)")
                                               .bindparams(iw_text=" ".join(tokens)))
    else:
        fts = " ".join('"' + t + '"' for t in tokens)
        matching = select(articles.c.id).where(text("articles.rowid IN (SELECT rowid FROM articles_fts "
                                                    "WHERE articles_fts MATCH :iw_text)").bindparams(iw_text=fts))
    return incidents.c.id.in_(select(mentions.c.incident_id).where(mentions.c.article_id.in_(matching)))


def where_clauses(q: IncidentQuery, dialect: str) -> list:
    """SQL conditions for the filters of ``q``."""
    c = incidents.c
    out = []
    if q.since:
        since = _date_bound(q.since, end=False)
        # a period lasts at most a year: the redundant lower bound on date_start lets the
        # (region, date_start) index do the range scan
        lookback = (dt.date.fromisoformat(since) - dt.timedelta(days=366)).isoformat()
        out += [c.date_end >= since, c.date_start >= lookback]
    if q.until:
        out.append(c.date_start <= _date_bound(q.until, end=True))
    for name in ("country", "admin1", "city"):
        value = getattr(q, name)
        if value:
            out.append(func.lower(c[name]) == func.lower(value))
    if q.bbox:
        min_lon, min_lat, max_lon, max_lat = q.bbox
        if min_lat > max_lat:
            raise QueryError("bbox is (min_lon, min_lat, max_lon, max_lat) and min_lat > max_lat")
        lon = c.lon.between(min_lon, max_lon) if min_lon <= max_lon else or_(c.lon >= min_lon, c.lon <= max_lon)
        out += [c.lat.between(min_lat, max_lat), lon]
    if q.near:
        out.append(_within(*q.near))
    if q.attack_type:
        types = [q.attack_type] if isinstance(q.attack_type, str) else list(q.attack_type)
        out.append(c.attack_type.in_(types))
    for name, field in (("perpetrator", "perpetrators"), ("target", "targets"), ("weapon", "weapons")):
        value = getattr(q, name)
        if value:
            out.append(_contains(field, value))
    if q.min_killed is not None:
        out.append(c.killed_best >= q.min_killed)
    if q.min_injured is not None:
        out.append(c.injured_best >= q.min_injured)
    if q.min_sources is not None:
        out.append(c.n_sources >= q.min_sources)
    if q.reviewed is not None:
        out.append(c.reviewed == int(q.reviewed))
    if q.text:
        out.append(_text_match(dialect, q.text))
    return out


def _within(lat: float, lon: float, radius_km: float):
    c = incidents.c
    dlat = radius_km / KM_PER_DEGREE
    shrink = max(math.cos(math.radians(lat)), 1e-6)
    dlon = min(dlat / shrink, 180.0)
    dist2 = ((c.lat - lat) * (c.lat - lat) + (c.lon - lon) * (c.lon - lon) * (shrink * shrink))
    return and_(c.lat.between(lat - dlat, lat + dlat), c.lon.between(lon - dlon, lon + dlon),
                dist2 <= dlat * dlat)


def order_by(sort: str) -> list:
    """ORDER BY for a sort name ("date", "-killed"...); nulls last, id as tie-breaker."""
    key = sort.lstrip("-+")
    if key not in SORTS:
        raise QueryError(f"cannot sort by {key!r}; choose one of {', '.join(SORTS)} (prefix - for descending)")
    col = SORTS[key]
    descending = sort.startswith("-")
    primary = (col.desc() if descending else col.asc()).nulls_last()
    return [primary, incidents.c.id.desc() if descending else incidents.c.id.asc()]


def select_ids(q: IncidentQuery, dialect: str):
    stmt = select(incidents.c.id, incidents.c.fields_json, incidents.c.reviewed).where(*where_clauses(q, dialect))
    stmt = stmt.order_by(*order_by(q.sort)).offset(q.offset or 0)
    return stmt.limit(q.limit) if q.limit is not None else stmt


def select_count(q: IncidentQuery, dialect: str):
    return select(func.count()).select_from(incidents).where(*where_clauses(q, dialect))


def select_aggregate(q: IncidentQuery, by: str, dialect: str):
    """Incidents, killed and injured (sums of best estimates) per ``by`` group."""
    c = incidents.c
    if by == "month":
        keys = [case((c.date_precision == "year", None), else_=func.substr(c.date_start, 1, 7)).label("month")]
    elif by == "year":
        keys = [func.substr(c.date_start, 1, 4).label("year")]
    elif by == "country":
        keys = [c.country]
    elif by == "region":
        keys = [c.country, c.admin1]
    elif by == "attack_type":
        keys = [c.attack_type]
    elif by == "group":
        keys = [func.min(incident_values.c.value).label("group")]
    else:
        raise QueryError(f"cannot aggregate by {by!r}; choose one of {', '.join(GROUPINGS)}")
    stmt = select(*keys, func.count().label("incidents"),
                  func.coalesce(func.sum(c.killed_best), 0).label("killed"),
                  func.coalesce(func.sum(c.injured_best), 0).label("injured"))
    if by == "group":
        stmt = stmt.select_from(incidents.join(incident_values, and_(
            incident_values.c.incident_id == c.id, incident_values.c.field == "perpetrators")))
        group_cols = [incident_values.c.value_key]
    else:
        group_cols = [literal_column(k.name) if hasattr(k, "name") and k.name in ("month", "year") else k
                      for k in keys]
    stmt = stmt.where(*where_clauses(q, dialect)).group_by(*group_cols)
    return stmt.order_by(*group_cols)
