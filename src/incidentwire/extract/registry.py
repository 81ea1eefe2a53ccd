"""The extractor plugin point: span extractors that fill list fields of an incident frame.

A span extractor is a plain function ``find(text) -> [(value, start, end), ...]`` run on the
sentences of each incident frame (offsets index into the text it was given). Registering one
makes every later extraction use it, next to the rule-based ones registered by
``extract.incidents``, so a spaCy, gazetteer or learned extractor can be added, swapped in
(``replace=True``) or compared (each claim names its extractor)::

    from incidentwire.extract import registry

    def ner_groups(text):
        return [(ent.text, ent.start_char, ent.end_char) for ent in nlp(text).ents if ent.label_ == "ORG"]

    registry.register("spacy.groups", "perpetrators", ner_groups, scope="frame", confidence=0.6)

``scope="trigger"`` runs it on the frame's violent clauses only (weapons, targets);
``scope="frame"`` on every sentence the frame holds (perpetrators are often named in a
later sentence: "Jund al-Khilafah claimed responsibility"); ``scope="aftermath"`` on those
and on the frame's aftermath sentences too (trials, arrests, funerals): "charged with the
murder of jaime pardo leal" names the victim (named victims use it: MUC-4 dev victim F1 0.391
-> 0.426), while who was arrested or tried is no evidence of who attacked (perpetrators are not
read there; a person the report names as the suspect -- "the suspect, X,", "X, 29, is charged
with" -- is read in the whole article by ``actors.named_suspects``). Values already
claimed for the field in the frame (compared case-insensitively) are not claimed twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import IncidentwireError

__all__ = ["SpanExtractor", "register", "registered", "unregister"]

SCOPES = ("trigger", "frame", "aftermath")


@dataclass(frozen=True)
class SpanExtractor:
    name: str
    field: str
    find: Callable[[str], list[tuple[Any, int, int]]]
    scope: str = "trigger"
    confidence: float = 0.5


_REGISTRY: dict[str, SpanExtractor] = {}


def register(name: str, field: str, find: Callable[[str], list[tuple[Any, int, int]]], *,
             scope: str = "trigger", confidence: float = 0.5, replace: bool = False) -> SpanExtractor:
    """Add a span extractor under a unique ``name`` (the ``extractor`` its claims carry)."""
    if scope not in SCOPES:
        raise IncidentwireError(f"extractor {name!r}: scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    if name in _REGISTRY and not replace:
        raise IncidentwireError(f"an extractor named {name!r} is already registered; pass replace=True "
                                "to swap it, or unregister it first")
    extractor = SpanExtractor(name, field, find, scope, confidence)
    _REGISTRY[name] = extractor
    return extractor


def unregister(name: str) -> None:
    if _REGISTRY.pop(name, None) is None:
        raise IncidentwireError(f"no extractor named {name!r} is registered "
                                f"(registered: {', '.join(_REGISTRY) or 'none'})")


def registered() -> list[SpanExtractor]:
    """The registered extractors, in registration order."""
    return list(_REGISTRY.values())
