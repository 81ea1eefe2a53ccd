"""What the pages show, computed from library records: evidence highlights, the toll chart, the
timeline, the list's filters and paging. Plain functions (no web framework), tested directly.

Everything returned here is data; templates escape it (autoescape), so article text can never
become markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..records import Incident
from ..reconcile import EVIDENCE_FIELD, FIELD_ORDER, describe_responses  # noqa: F401  (FIELD_ORDER: pages.py reads it here)


@dataclass
class Segment:
    text: str
    fields: list[str] = field(default_factory=list)


def highlight(text: str, spans: list[tuple[int, int, str]]) -> list[Segment]:
    """``text`` cut at every span edge; each piece lists the fields whose evidence covers it."""
    spans = [(max(0, s), min(len(text), e), f) for s, e, f in spans if e > s]
    edges = sorted({0, len(text), *[s for s, _, _ in spans], *[e for _, e, _ in spans]})
    out = []
    for a, b in zip(edges, edges[1:]):
        covering = sorted({f for s, e, f in spans if s <= a and b <= e})
        out.append(Segment(text[a:b], covering))
    return out


def safe_url(url: str | None) -> str | None:
    """A link target only for http(s) URLs: javascript:, data: and the like stay plain text."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def format_value(name: str, value) -> str:
    """One field value as a short human string."""
    if value is None or value == []:
        return "unknown"
    if name == "date":
        return f"{value.get('value')} ({value.get('precision')})"
    if name == "location":
        parts = [value.get("name"), value.get("admin1"), value.get("country")]
        return ", ".join(dict.fromkeys(p for p in parts if p)) or "unknown"
    if isinstance(value, dict) and "best" in value:
        lo, best, hi = value.get("min"), value.get("best"), value.get("max")
        if lo == best == hi:
            return str(best)
        return f"{best} (range {lo if lo is not None else '?'}–{hi if hi is not None else 'open'})"
    if name == "responses" and isinstance(value, list):
        return describe_responses(value)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def has_conflict(value) -> bool:
    return isinstance(value, dict) and bool(value.get("conflict"))


def evidence(inc: Incident) -> dict[str, list[dict]]:
    """The claims behind each field: quote, article, extractor, confidence, span."""
    out: dict[str, list[dict]] = {}
    field_of = {claim: field for field, claim in EVIDENCE_FIELD.items()}
    for m in inc.mentions:
        for c in m.claims:
            out.setdefault(field_of.get(c.field, c.field), []).append(
                {"article_id": m.article_id, "published": m.published, "quote": c.quote,
                 "start": c.start, "end": c.end, "extractor": c.extractor,
                 "confidence": c.confidence, "value": c.value, "role": m.role})
    return out


def toll_chart(history: list[dict], width: int = 560, height: int = 180) -> dict | None:
    """Coordinates for an inline-SVG step chart of the killed count, report by report."""
    rows = [r for r in history if r.get("killed") is not None]
    if not rows:
        return None
    pad, top = 40, max(r["killed"] for r in rows) or 1
    step = (width - 2 * pad) / max(1, len(rows) - 1)
    points = []
    for i, r in enumerate(rows):
        x = pad + i * step if len(rows) > 1 else width / 2
        y = height - pad - (height - 2 * pad) * r["killed"] / top
        points.append({"x": round(x, 1), "y": round(y, 1), **r})
    return {"width": width, "height": height, "pad": pad, "max": top, "points": points,
            "polyline": " ".join(f"{p['x']},{p['y']}" for p in points)}


def timeline(by_month: list[dict], by_year: list[dict], total: int, width: int = 900,
             height: int = 220) -> dict | None:
    """Bars of incidents and people killed per month, or per year when the span passes 4 years,
    from ``Database.aggregate`` rows; ``total`` incidents, to say how many are undated."""
    years = [r["year"] for r in by_year if r.get("year")]
    if not years:
        return None
    by_year_unit = int(max(years)) - int(min(years)) >= 4
    unit = "year" if by_year_unit else "month"
    rows = {r[unit]: r for r in (by_year if by_year_unit else by_month) if r.get(unit) and len(r[unit]) == (4 if by_year_unit else 7)}
    keys = _bucket_range(min(rows), max(rows), by_year_unit)
    counts = {k: (rows[k]["incidents"] if k in rows else 0) for k in keys}
    killed = {k: ((rows[k].get("killed") or 0) if k in rows else 0) for k in keys}
    pad, most, most_killed = 30, max(counts.values()) or 1, max(killed.values()) or 1
    bw = (width - 2 * pad) / len(keys)
    bars = []
    for n, key in enumerate(keys):
        h_inc = (height / 2 - pad) * counts[key] / most
        h_kill = (height / 2 - pad) * killed[key] / most_killed
        bars.append({"key": key, "incidents": counts[key], "killed": killed[key],
                     "x": round(pad + n * bw, 1), "w": round(max(1.0, bw - 2), 1),
                     "inc_y": round(height / 2 - h_inc, 1), "inc_h": round(h_inc, 1),
                     "kill_y": round(height / 2 + 4, 1), "kill_h": round(h_kill, 1)})
    shown = sum(counts.values())
    return {"width": width, "height": height, "bars": bars, "unit": unit, "total_incidents": shown,
            "total_killed": sum(killed.values()), "undated": total - shown}


def _bucket_range(first: str, last: str, by_year: bool) -> list[str]:
    if by_year:
        return [str(y) for y in range(int(first[:4]), int(last[:4]) + 1)]
    keys, y, m = [], int(first[:4]), int(first[5:7] or 1)
    while f"{y:04d}-{m:02d}" <= last:
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return keys or [first]


def map_points(incidents: list[Incident]) -> list[dict]:
    """Incidents that have coordinates, for the map (data only; the page builds text nodes)."""
    out = []
    for inc in incidents:
        loc = inc.fields.get("location") or {}
        if loc.get("lat") is None or loc.get("lon") is None:
            continue
        out.append({"id": inc.id, "lat": loc["lat"], "lon": loc["lon"],
                    "place": format_value("location", loc),
                    "date": (inc.fields.get("date") or {}).get("value"),
                    "killed": (inc.fields.get("killed") or {}).get("best")})
    return out
