"""Relevance stage: is this article about political violence at all?

A lexical score over the clean text: distinct terms for violent acts (attack, bomb, gunmen,
opened fire, hostage, kidnap, militant, pirates, murder, ...) and for harm (killed, wounded,
dead, ...). Relevant when at least one act term is present and ``MIN_TERMS`` distinct terms in
all: a report of deaths with no violent act (a crash, a fall, a hit-and-run) is not, nor is a
long report that names an attack only in passing (``in_passing``: a speech, a political report). The reason
lists the terms found, or why they were not enough. Measured on ECB+ dev with our own topic
labels (eval/ecbplus_relevance.json) in ``make eval``. Irrelevant articles are
stored and flagged, never dropped, and produce no incident claims unless the filter is off.

Limits: a keyword rule; sports "attacks" or political "battles" can pass, and a report that
uses only unusual wording can fail. A trained classifier is future work.
"""

from __future__ import annotations

import re

from .extract.incidents import TRIGGER_RE, sentences
from .records import Article

MIN_TERMS = 2
# an article that names an attack less often than once in this many characters, and not in its
# lead, mentions violence in passing
PASSING_CHARS = 2000
SCAN_CHARS = 6000   # headline and first paragraphs: where a report says what happened
# Both patterns run over the lower-cased text: re.IGNORECASE made the long alternation four
# times slower (1 ms an article, as much as language detection and dedup together).
# Acts of violence: what makes a report about an attack rather than about a death. "The killing
# of" names a deed done to someone, not a death alone (MUC-4 dev micro_gtt 0.4808 -> 0.4837).
_ACTS = re.compile(
    r"\b(attack\w*|bomb\w*|explo(?:sion|sive|ded)\w*|blasts?|shot|shooting\w*|gunm[ae]n|gunfire|gunshots?|"
    r"open(?:ed|s)? fire|fired (?:on|at|into)|militants?|insurgents?|terror\w*|hostages?|kidnap\w*|abduct\w*|"
    r"massacre\w*|assassinat\w*|rebels?|guerrill\w*|ambush\w*|arson\w*|hijack\w*|stabb\w*|rampage|jihad\w*|"
    r"extremis\w*|pirates?|piracy|armed (?:men|group|clash\w*)|suicide bomber|car bomb|grenades?|"
    r"rockets?|mortars?|shelling|gunmen|plot(?:ted|ting)? to|murder\w*|dynamit\w*|blew up|assailants?|killings? of)\b")
# One act done to a person, said as a past event ("x was kidnapped", "the murder of x"): the
# report is about that incident even when it uses no second violence word.
_EVENT = re.compile(r"\b(?:(?:was|were|been|being)\s+(?:\w+\s+)?(?:kidnap+ed|abducted|murdered|assassinated)|"
                    r"(?:murder|assassination|kidnapping|abduction)\s+of)\b")
# Harm: only counts together with an act ("killed" alone is as often a crash or a fall).
# Murder is an act: MUC-4's political murders are reported with little else.
_HARM = re.compile(r"\b(kill(?:ed|ing|ings)|wounded|injured|dead|died|casualt\w*|victims?)\b")


def in_passing(text: str, title: str | None = None) -> bool:
    """Whether an article names violence only in passing (a speech, a political report): no
    incident trigger word in its first sentence, and fewer than one per ``PASSING_CHARS``
    characters (none at all is left to the violence terms: "a piracy attempt"). MUC-4 dev micro_gtt 0.4784 -> 0.4808 (documents without a template that still
    gave one: 48 -> 40), train 0.4529 -> 0.4539."""
    spans = sentences(text, title)
    if not spans or TRIGGER_RE.search(text, *spans[0]):
        return False
    named = len(TRIGGER_RE.findall(text))
    return 0 < named and named * PASSING_CHARS < len(text)


def assess(article: Article) -> Article:
    """Set ``article.relevant`` and ``article.relevance_reason``."""
    text = (article.clean_text or article.text)[:SCAN_CHARS].lower()
    acts = sorted(set(_ACTS.findall(text)))
    harm = sorted(set(_HARM.findall(text)))
    article.relevant = bool(acts) and (len(acts) + len(harm) >= MIN_TERMS or bool(_EVENT.search(text)))
    passing = article.relevant and in_passing(article.clean_text or article.text or "", article.title)
    article.relevant = article.relevant and not passing
    if passing:
        article.relevance_reason = f"violence named only in passing ({', '.join(acts[:5])})"
    elif acts or harm:
        article.relevance_reason = (f"violence terms: {', '.join((acts + harm)[:8])}" if article.relevant else
                                    f"harm without a violent act ({', '.join(harm[:5])})" if not acts else
                                    f"one violence term only ({acts[0]})")
    else:
        article.relevance_reason = "no violence terms found"
    return article
