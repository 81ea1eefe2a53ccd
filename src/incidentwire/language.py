"""Language stage: which language is an article written in?

lingua-language-detector ships its models in the wheel (nothing downloaded). We build the
detector once per process from the languages news about political violence is most often
written in (``LANGUAGES``), in low-accuracy mode (trigram models only): loading every
language costs ~9 s and 1.3 GB, this ~0.5 s and ~35 MB; on the first ``SAMPLE_CHARS``
characters (a few sentences are plenty) it runs at >1,000 articles/s. A language outside the set is
reported as its closest member -- still "not English", which is what the pipeline needs.

Most articles are plainly English; those skip the model (~1.3 ms an article on a 400-character
sample, the largest of our costs over trafilatura on a news page): when at least
``ENGLISH_SHARE`` of the lower-case words in the first ``SHORTCUT_CHARS`` characters are English
function words that are not words of the other languages above (``_ENGLISH_WORDS``), the text
is English. Only lower-case words count because a page's clean text opens with a title-case
headline, a dateline and names, which say nothing about the language but diluted the share
(half the ECB+ stories in bench_ingest's pages missed the shortcut; now 7% do). Measured on the English
corpora in ../shared/eval and the seeds (2,796 texts): 98% take this shortcut (the older rule over all
words of 400 characters: 88%) and each of them is also "en" for lingua but one MUC-4
transcript that lingua calls Spanish; on French, Spanish, Portuguese, German, Dutch, Italian,
Indonesian, Somali, Swahili, Turkish and Polish news sentences the share stays under 7%
(tests/test_ingest_speed.py). Anything less clear goes to lingua.

Non-English articles are stored and flagged (``Article.language``), not extracted: every
extractor downstream reads English. Text too short or too ambiguous to tell gives None and
is treated as English.
"""

from __future__ import annotations

from functools import lru_cache

from .records import Article

SAMPLE_CHARS = 400      # what lingua reads
SHORTCUT_CHARS = 1000   # what the English shortcut reads: counting words is cheap
LANGUAGES = ("ENGLISH", "FRENCH", "SPANISH", "PORTUGUESE", "GERMAN", "ITALIAN", "DUTCH", "POLISH",
             "RUSSIAN", "UKRAINIAN", "KAZAKH", "TURKISH", "ARABIC", "PERSIAN", "URDU", "HINDI", "BENGALI",
             "INDONESIAN", "SOMALI", "SWAHILI", "CHINESE", "JAPANESE", "KOREAN")


ENGLISH_SHARE = 0.15
MIN_WORDS = 20
# Words of English news prose that are not (common) words of the other LANGUAGES: no "in",
# "is", "on", "a", "an", "as", "or", "so", "do", "me", "he", "will", "also".
_ENGLISH_WORDS = frozenset("""the of and to that with for from was were said says has have had been being this which
their they would after by his her who its it it's she you we are be not when what there about into than could
should some out up over only other before because while where them these those him our your can did does one
two just""".split())
_PUNCT = ".,;:!?\"'()[]“”‘’«»"


def _plainly_english(text: str) -> bool:
    words = [w.strip(_PUNCT) for w in text[:SHORTCUT_CHARS].split()]
    lower = [w for w in words if w[:1].islower()]
    hits = sum(w in _ENGLISH_WORDS for w in lower)
    return len(lower) >= MIN_WORDS and hits >= ENGLISH_SHARE * len(lower)


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    langs = [getattr(Language, name) for name in LANGUAGES if hasattr(Language, name)]
    return LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode().build()


def detect_language(text: str) -> str | None:
    """ISO 639-1 code ("en", "fr") of ``text``, or None when it cannot be told."""
    sample = text[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample[:200]) < 10:
        return None
    if _plainly_english(text):
        return "en"
    found = _detector().detect_language_of(sample)
    return found.iso_code_639_1.name.lower() if found is not None else None


def assess(article: Article) -> Article:
    """Set ``article.language`` from its clean text."""
    article.language = detect_language(article.clean_text or article.text)
    return article


def is_english(article: Article) -> bool:
    return article.language in (None, "en")
