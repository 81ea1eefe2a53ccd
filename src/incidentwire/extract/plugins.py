"""Extractor plugin point: named functions Article -> list[Mention], chosen per ingest run.

    @register("name")
    def my_extractor(article: Article) -> list[Mention]: ...

    get("rules+learned")(article)

Built in:
- ``rules`` (default): the rule-based extractor (``extract.incidents.extract_mentions``).
- ``learned``: rule frames for date, place and tolls, but relevance, incident type and the role
  fields (perpetrators, targets, victims, weapons) only from the learned model
  (``extract.learned``; needs the ``[learned]`` extra).
- ``rules+learned``: the rules, with the learned fields combined by ``extract.learned.combine``
  (learned wins per role field when it found a filler; see that module's docstring).
"""

from __future__ import annotations

from typing import Callable

from ..errors import ExtractorError
from ..records import Article, Mention

Extractor = Callable[[Article], list[Mention]]
_REGISTRY: dict[str, Extractor] = {}


def register(name: str) -> Callable[[Extractor], Extractor]:
    def deco(fn: Extractor) -> Extractor:
        _REGISTRY[name] = fn
        return fn
    return deco


def names() -> list[str]:
    return sorted(_REGISTRY)


def get(name: str) -> Extractor:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ExtractorError(f"unknown extractor {name!r}; known: {', '.join(names())}") from None


@register("rules")
def rules(article: Article) -> list[Mention]:
    from .incidents import extract_mentions

    return extract_mentions(article)


@register("learned")
def learned(article: Article) -> list[Mention]:
    from .learned import combine

    return combine(article, rules(article), mode="learned")


@register("rules+learned")
def rules_learned(article: Article) -> list[Mention]:
    from .learned import combine

    return combine(article, rules(article), mode="rules+learned")


NO_EXTRACTION = "none"


@register(NO_EXTRACTION)
def no_extraction(article: Article) -> list[Mention]:
    return []
