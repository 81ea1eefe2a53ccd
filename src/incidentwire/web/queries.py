"""Turn web parameters (query strings, form fields: all text) into the keyword filters of
``Database.incidents`` / ``Database.search``; the filtering itself happens in the store."""

from __future__ import annotations

from collections.abc import Mapping

from ..store.query import IncidentQuery, QueryError

FILTERS = IncidentQuery.filter_names()
_INTS = ("min_killed", "min_injured", "min_sources")


def _numbers(name: str, value: str, count: int) -> tuple[float, ...]:
    try:
        parts = tuple(float(x) for x in value.split(","))
    except ValueError:
        parts = ()
    if len(parts) != count:
        raise QueryError(f"{name} needs {count} comma-separated numbers, got {value!r}")
    return parts


def parse_filters(params: Mapping[str, str | None]) -> dict:
    """The filters present (and non-empty) in ``params``, converted to the library's types;
    ``q`` is an alias of ``text``."""
    raw = {k: (params.get(k) or "").strip() for k in (*FILTERS, "q")}
    raw["text"] = raw["text"] or raw.pop("q")
    raw.pop("q", None)
    out: dict = {}
    for name, value in raw.items():
        if not value:
            continue
        if name in _INTS:
            if not value.isdigit():
                raise QueryError(f"{name} must be a whole number, got {value!r}")
            out[name] = int(value)
        elif name == "reviewed":
            out[name] = value.lower() in ("1", "true", "yes", "on")
        elif name == "bbox":
            out[name] = _numbers(name, value, 4)
        elif name == "near":
            out[name] = _numbers(name, value, 3)
        elif name == "attack_type" and "," in value:
            out[name] = [v.strip() for v in value.split(",") if v.strip()]
        else:
            out[name] = value
    return out
