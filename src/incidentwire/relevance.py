"""Relevance stage: is this article about political violence at all?

A lexical score: distinct violence terms (attack, bomb, killed, gunmen, hostage, militant,
terrorist...) in the clean text. An article with at least ``MIN_TERMS`` distinct terms is
relevant; the reason lists the terms found, or says none were found. Irrelevant articles are
stored and flagged, never dropped, and produce no incident claims unless the filter is off.

Limits: a keyword rule; sports "attacks" or political "battles" can pass, and a report that
uses only unusual wording can fail. A trained classifier is future work.
"""

from __future__ import annotations

import re

from .records import Article

MIN_TERMS = 2
_TERMS = re.compile(
    r"\b(attack\w*|bomb\w*|explo(?:sion|sive|ded)\w*|blasts?|kill(?:ed|ing|ings)|murder\w*|"
    r"shot|shooting|gunm[ae]n|gunfire|militants?|insurgents?|terror\w*|hostages?|kidnap\w*|"
    r"abduct\w*|massacre\w*|assassinat\w*|rebels?|guerrill\w*|wounded|injured|dead|died|"
    r"ambush\w*|arson|hijack\w*|stabb\w*|rampage|jihad\w*|extremis\w*)\b", re.IGNORECASE)


def assess(article: Article) -> Article:
    """Set ``article.relevant`` and ``article.relevance_reason``."""
    text = article.clean_text or article.text
    found = sorted({m.group(1).lower() for m in _TERMS.finditer(text)})
    article.relevant = len(found) >= MIN_TERMS
    article.relevance_reason = (f"violence terms: {', '.join(found[:8])}" if found
                                else "no violence terms found")
    return article
