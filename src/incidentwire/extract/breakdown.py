"""Counts that an aggregate toll itemises per incident.

A running total is not an incident ("The death toll so far is at least 22, including ... two
suicide bombers; two occupants of the exploding car; nine suspects killed in the Shubarshi
incident; one man who blew himself up in Aktobe ..."), and incidents.NON_INCIDENT_RE keeps it
out of every frame. But an item of its list that points at one incident of the article by its
words gives that incident a count the article states nowhere else: "the exploding car" is the
frame that reported "a car explosion ... in Astana".

Rules: the list is what follows "including" in a sentence that holds an aggregate toll; items
are cut at ";", dashes and "and". An item is a number phrase, a person noun and a descriptor.
The descriptor's content words (spaCy's stop words and kill verbs left out), compared by their
first five letters ("exploding" ~ "explosion"), must all occur in exactly one frame's text
(its sentences and place name); an item that fits none or several is left alone. The side
comes from the words (tolls._side_and_category; "blew himself up" and "suicide" are the
attacker's). A neutral noun in a list that mixes attackers and victims ("two occupants of the
exploding car") does not say which side the dead were on: they count as victims in ``best``
and ``min`` drops to 0, as the seeds gold does.

Limits: the list must follow "including"; one descriptor word the frame does not use ("the
blast in the car park" for "a car bomb") and the item is skipped.
"""

from __future__ import annotations

import re

from ..stopwords import STOP_WORDS
from .tolls import _NUM, _PERSON, TollMention, _side_and_category, parse_count

__all__ = ["Attribution", "attribute"]

_ITEM_RE = re.compile(
    rf"(?:and\s+)?(?P<num>{_NUM}|another|one|an?)\s+(?P<who>(?:[\w-]+\s+){{0,2}}?(?:{_PERSON}|occupants?))\b"
    rf"(?P<rest>.*)", re.I | re.S)
_SEPARATOR_RE = re.compile(r"\s*(?:[;—–]|,?\s+and\s+(?=(?:an?|one|another|\d+|\w+\s+\w+)\b))\s*")
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'-]*")
_NOT_DESCRIPTIVE = {"killed", "died", "dead", "incident", "incidents", "including", "others", "people"}
_ATTACKER_RE = re.compile(r"\bblew\s+\w+self\s+up\b|\bsuicide\b", re.I)

Attribution = tuple[int, str, dict, int, int]  # frame index, field, count value, evidence span


def _stems(text: str) -> set[str]:
    words = (w.lower() for w in _WORD_RE.findall(text))
    return {w[:5] for w in words if w not in STOP_WORDS and w not in _NOT_DESCRIPTIVE}


def _items(text: str, start: int, end: int):
    pos = start
    for sep in _SEPARATOR_RE.finditer(text, start, end):
        yield _strip(text, pos, sep.start())
        pos = sep.end()
    yield _strip(text, pos, end)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    return start, end


def attribute(text: str, tolls: list[TollMention], frame_texts: list[str]) -> list[Attribution]:
    """Counts of an aggregate's itemised list that each point at one frame (by index)."""
    frame_stems = [_stems(t) for t in frame_texts]
    out: list[Attribution] = []
    seen: set[int] = set()
    for toll in tolls:
        if not toll.is_aggregate:
            continue
        stop = re.compile(r"[.!?](?:\s|$)").search(text, toll.end)
        end = stop.start() if stop else len(text)
        including = re.compile(r"\bincluding\b", re.I).search(text, toll.start, end)
        if including is None or including.start() in seen:
            continue
        seen.add(including.start())
        for s, e in _items(text, including.end(), end):
            item = _ITEM_RE.match(text[s:e])
            count = parse_count(item.group("num")) if item else None
            wanted = _stems(item.group("rest")) if item else set()
            if count is None or count.best is None or not wanted:
                continue
            fits = [i for i, stems in enumerate(frame_stems) if wanted <= stems]
            if len(fits) != 1:
                continue
            words = item.group(0)
            side, category = _side_and_category(item.group("who"), bool(_ATTACKER_RE.search(words)))
            n = count.best
            if side == "perpetrators":
                out.append((fits[0], "perpetrators_killed", {"min": n, "best": n, "max": n,
                                                             "rule": "aggregate-breakdown"}, s, e))
            elif category is not None:
                out.append((fits[0], "killed", {"min": n, "best": n, "max": n, "rule": "aggregate-breakdown"}, s, e))
            else:
                out.append((fits[0], "killed", {"min": 0, "best": n, "max": n,
                                                "rule": "aggregate-breakdown-side-unknown"}, s, e))
    return out
