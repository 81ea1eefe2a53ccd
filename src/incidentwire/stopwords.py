"""spaCy's English stop words, read without importing spaCy.

``from spacy.lang.en.stop_words import STOP_WORDS`` runs spaCy's package import first (thinc,
the registry: ~55 MB and about a second), which the ingesting process -- it links and stores,
it never parses -- had to pay only for this list. ``STOP_WORDS`` here is the same set, read
from the installed spaCy's ``lang/en/stop_words.py`` (a module with no imports of its own).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

__all__ = ["STOP_WORDS"]


def _load() -> set[str]:
    spacy = importlib.util.find_spec("spacy")
    path = Path(spacy.origin).parent / "lang" / "en" / "stop_words.py"
    spec = importlib.util.spec_from_file_location("incidentwire._spacy_en_stop_words", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.STOP_WORDS


STOP_WORDS: set[str] = _load()
