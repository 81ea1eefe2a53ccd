"""The ingest speed work (issue 4's throughput bar) changed how stages compute, not what they
decide: one shared parse per HTML page, the control-character count on bytes, lower-cased
relevance patterns, shared MinHash permutations, the plainly-English shortcut before lingua.
Each test pins the new way to the old one's result."""

from __future__ import annotations

import random
import re
from pathlib import Path

import lxml.html
import numpy as np
import pytest
import trafilatura

from incidentwire import clean, dedup, language, relevance
from incidentwire.ingest.decode import DecodeError, _checked
from incidentwire.records import Article

HTML_PAGES = sorted((Path(__file__).parent / "data" / "clean_gold" / "synthetic").glob("*.html"))
EXAMPLE_PAGE = Path(__file__).resolve().parents[1] / "examples" / "news" / "manchester-northgate-1.html"


@pytest.mark.parametrize("path", [*HTML_PAGES, EXAMPLE_PAGE], ids=lambda p: p.stem)
def test_shared_parse_gives_what_two_parses_gave(path):
    """clean_page parses once (trafilatura's load_html) for extraction and metadata; the result
    equals trafilatura extracting from the markup plus our metadata over lxml's own parse."""
    html = path.read_text(encoding="utf-8")
    cleaned, meta = clean.clean_page(html, list_dropped=False)
    extracted = trafilatura.extract(html, include_comments=False, include_tables=False, output_format="txt")
    kept, _dropped, title = clean._apply_rules(extracted)
    old_meta = clean.page_metadata(lxml.html.fromstring(html))
    assert cleaned.method == "trafilatura"
    assert cleaned.text == "\n\n".join(kept)
    assert meta == old_meta
    assert cleaned.title == (old_meta["title"] or title)


@pytest.mark.parametrize("path", [*HTML_PAGES, EXAMPLE_PAGE], ids=lambda p: p.stem)
def test_tree_handed_over_to_trafilatura_gives_what_its_copy_gave(path, monkeypatch):
    """Without the dropped-line list trafilatura extracts from our parse itself instead of a
    copy of it: one copy fewer, and the same cleaned text, title, dropped lines and metadata."""
    import trafilatura.core

    html = path.read_text(encoding="utf-8")
    copies = []
    real_copy = trafilatura.core.copy
    monkeypatch.setattr(trafilatura.core, "copy", lambda x: copies.append(x) or real_copy(x))
    handed = clean.clean_page(html, list_dropped=False)
    handed_copies = len(copies)
    monkeypatch.setattr(clean, "_hand_over_ready", lambda: False)
    copies.clear()
    copied = clean.clean_page(html, list_dropped=False)
    assert handed == copied
    assert handed_copies == len(copies) - 1


def test_a_page_trafilatura_changed_and_gave_up_on_falls_back_on_the_page_as_it_was(monkeypatch):
    import trafilatura
    import trafilatura.core

    def extract_and_give_up(page, **_options):  # changes the tree it extracts from, as trafilatura does
        tree = trafilatura.core.load_html(page)
        tree = real_copy(tree) if tree is page else tree
        tree.find("body").clear()
        return None

    real_copy = trafilatura.core.copy
    html = EXAMPLE_PAGE.read_text(encoding="utf-8")
    monkeypatch.setattr(trafilatura, "extract", extract_and_give_up)
    handed = clean.clean_page(html, list_dropped=False)
    monkeypatch.setattr(clean, "_hand_over_ready", lambda: False)
    copied = clean.clean_page(html, list_dropped=False)
    assert handed == copied
    assert handed[0].method == "text-rules" and len(handed[0].text) > 500


def test_unloadable_markup_still_falls_back_to_the_text_rules():
    # a lone fragment is not a page for trafilatura.load_html: lxml parses it for the rules
    cleaned, meta = clean.clean_page("<p>Gunmen killed two guards at the bank on Monday, police said.</p>")
    assert cleaned.method == "text-rules" and "Gunmen killed two guards" in cleaned.text
    assert meta["published"] is None


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")


def test_control_share_counts_what_the_regex_counted():
    rng = random.Random(4)
    alphabet = "abc \n\t\r\x00\x01\x0b\x1f\x7f\ufffd\u00e9\u4e2d\ud800"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) if rng.random() < 0.05 else "x" for _ in range(rng.randint(1, 400)))
        binary = len(_CONTROL_RE.findall(text)) > 0.02 * len(text)
        if binary:
            with pytest.raises(DecodeError):
                _checked(text, "t")
        else:
            assert _checked(text, "t") == text


def test_relevance_is_still_case_blind():
    shouting = Article(id="a", text="GUNMEN OPENED FIRE ON A CHECKPOINT, KILLING TWO SOLDIERS.")
    assert relevance.assess(shouting).relevant
    assert shouting.relevance_reason == "violence terms: gunmen, opened fire, killing"


@pytest.mark.parametrize("text", [
    " ".join(f"word{i % 97} token{i % 13}" for i in range(300)),
    "Straße İstanbul ǅemal ΣΊΣΥΦΟΣ café_au_lait 3½ " * 40,
    "A_b c-d E.F 12 3_4 don't\u00a0stop (x) " * 60,
], ids=["ascii", "unicode", "punctuation"])
def test_minhash_is_datasketchs_own(text):
    """dedup computes the affine64 MinHash in numpy and splits ASCII words with bytes.translate:
    the signature equals datasketch's update_batch over the regex's words, ASCII or not."""
    from datasketch import MinHash

    words = dedup._WORD.findall(text[:dedup.MAX_WORDS * 12].casefold())[:dedup.MAX_WORDS]
    assert dedup._words(text) == [w.encode("utf-8") for w in words]
    fresh = MinHash(num_perm=dedup.NUM_PERM, scheme=dedup.SCHEME, hashfunc=dedup._identity)
    with np.errstate(over="ignore"):
        fresh.update_batch(dedup._shingle_hashes(words))
    assert np.array_equal(dedup.signature(text).hashvalues, fresh.hashvalues)


def test_ascii_words_match_the_regex_on_every_byte():
    rng = random.Random(7)
    for _ in range(200):
        text = "".join(chr(rng.randrange(128)) for _ in range(rng.randint(0, 600)))
        words = dedup._WORD.findall(text.casefold())[:dedup.MAX_WORDS]
        assert dedup._words(text) == [w.encode("ascii") for w in words]


NOT_ENGLISH = {
    "fr": "Des hommes armés ont attaqué mardi soir un poste de police à l'entrée de la ville, tuant deux agents, "
          "a indiqué le gouverneur de la région. Les assaillants ont pris la fuite vers les collines.",
    "es": "Un coche bomba explotó el martes frente a la sede del gobierno provincial, matando a once personas e "
          "hiriendo a otras treinta, según informaron las autoridades locales.",
    "pt": "Homens armados invadiram uma aldeia no norte do país na noite de segunda-feira e mataram pelo menos "
          "doze pessoas, disse a polícia. Os atacantes fugiram antes da chegada das forças de segurança.",
    "de": "Bei einem Bombenanschlag auf einem Markt in der Hauptstadt sind am Dienstag mindestens acht Menschen "
          "getötet worden, teilte die Polizei mit. Was die Täter wollten, ist unklar.",
    "nl": "Bij een aanslag op een politiebureau in het noorden van het land zijn dinsdag vier agenten om het leven "
          "gekomen. De dader was volgens de politie alleen en had een geweer bij zich, zo werd gemeld.",
    "it": "Un attentato con un'autobomba ha ucciso almeno dieci persone martedì davanti a un mercato della "
          "capitale, ha detto la polizia. Nessun gruppo ha rivendicato l'attacco.",
    "id": "Sebuah bom meledak di depan sebuah gereja di kota itu pada hari Minggu pagi, menewaskan tiga orang "
          "dan melukai belasan lainnya, kata polisi.",
    "so": "Qarax ka dhacay suuq ku yaalla magaalada ayaa lagu dilay ugu yaraan toddoba qof, sida ay sheegtay "
          "booliska. Kooxda al-Shabaab ayaa sheegatay mas'uuliyadda weerarka.",
    "sw": "Watu wenye silaha walishambulia kituo cha polisi katika mji huo usiku wa kuamkia Jumanne na kuwaua "
          "maafisa wawili, polisi walisema. Washambuliaji walikimbia kuelekea msituni baada ya mapigano.",
    "tr": "Başkentteki bir pazar yerinde salı günü meydana gelen bombalı saldırıda en az sekiz kişi hayatını "
          "kaybetti, polis açıkladı. Saldırıyı henüz hiçbir grup üstlenmedi ve soruşturma sürüyor.",
    "pl": "Co najmniej ośmiu ludzi zginęło we wtorek w wyniku wybuchu bomby na targu w stolicy, poinformowała "
          "policja. Żadna grupa nie przyznała się do zamachu, a śledztwo trwa.",
}


@pytest.mark.parametrize("code", sorted(NOT_ENGLISH))
def test_other_languages_never_take_the_english_shortcut(code):
    text = NOT_ENGLISH[code]
    assert not language._plainly_english(text[:language.SAMPLE_CHARS])
    assert language.detect_language(text) == code


def test_plain_english_news_skips_the_model(monkeypatch):
    text = ("A suicide bomber blew himself up outside a government ministry in the capital on Monday, killing at "
            "least six people and wounding 20 others, officials said. The attacker detonated his explosives as "
            "employees were leaving the building at the end of the working day, a police spokesman said.")
    monkeypatch.setattr(language, "_detector", lambda: pytest.fail("lingua should not be asked"))
    assert language.detect_language(text) == "en"


def test_a_page_opening_with_headline_and_dateline_skips_the_model(monkeypatch):
    """A page's clean text opens with a title-case headline, a dateline and names: only the
    lower-case words count, so these do not dilute the share of English function words."""
    text = ("26 Killed in Bomb Attack Near Karachi Market\n\nKARACHI, 2023-04-23 (Wire) - It's a party... a rehab "
            "party!\n\nIt's one of the most exclusive rehab centers, and Tara Reid is in.\n\nHey, if you're going to "
            "rehab anyway, might as well get your ego stroked, too.\n\nActress Tara Reid entered well-known Malibu "
            "rehab center Promises Treatment Center, reportedly of her own desire.\n\nThe specific reason behind "
            "her decision was not disclosed by her representatives on Friday.")  # an ECB+ story in a bench page
    monkeypatch.setattr(language, "_detector", lambda: pytest.fail("lingua should not be asked"))
    assert language.detect_language(text) == "en"


def _copies() -> list[Article]:
    wire = ("KABUL (Wire) - A suicide bomber blew himself up outside a government ministry in the capital on "
            "Monday, killing at least six people and wounding 20 others, officials said. The attacker detonated "
            "his explosives as employees were leaving the building at the end of the working day, a police "
            "spokesman said. No group immediately claimed responsibility for the bombing.")
    texts = [wire, wire, wire.replace("Monday", "Monday evening") + " Extra line.", "Short text.",
             wire.upper().replace("KABUL", "HERAT") + " " + " ".join(f"w{i}" for i in range(60))]
    return [Article(id=f"a{i}", text=t, clean_text=t) for i, t in enumerate(texts)]


def test_fingerprints_made_on_a_worker_give_the_same_stories():
    """The pipeline hashes clean text in the per-article stage (dedup.fingerprint, on workers);
    the story index then only looks up: same stories as hashing inside assign."""
    inline, ahead = dedup.StoryIndex(), dedup.StoryIndex()
    fields = ("story_id", "duplicate_of", "text_key", "minhash")
    for a, b in zip(_copies(), _copies()):
        inline.assign(a)
        ahead.assign(dedup.fingerprint(b))
        assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]
    # copies, a trimmed copy and a shouted copy are one story; a short text only matches exactly
    assert [ahead.story_of[f"a{i}"] for i in range(5)] == ["a0", "a0", "a0", "a3", "a0"]


def test_linker_memos_give_the_plain_tf_idf_cosine():
    """The idf memo, the cached report vectors and the numpy cosines (link/vectors.py) give the
    plain TF-IDF cosine computed from scratch, link after link, up to rounding: names weigh
    NAME_WEIGHT times more, and the vocabulary outgrows the first arrays (1,024 words)."""
    import itertools
    import math
    from collections import Counter

    from incidentwire import link as link_module
    from incidentwire.link import Linker

    def vec(linker, t):
        v = {w.lower(): (1 + math.log(c)) * (link_module.NAME_WEIGHT if w[0].isupper() else 1.0)
             * math.log((linker.n_mentions + link_module.PRIOR_DOCUMENTS) / (linker.df.get(w.lower(), 0) + 0.5))
             for w, c in t.items()}
        n = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {w: x / n for w, x in v.items()}

    def reference(linker, terms, cand):
        sims = [sum(x * u.get(w, 0.0) for w, x in vec(linker, terms).items()) for u in
                (vec(linker, t) for t in cand.terms if t)]
        return sum(sims) / len(sims) if sims else 0.0

    ids = (f"inc-{i}" for i in itertools.count())
    linker = Linker([], lambda: next(ids))
    words = "bomb market police killed city attack gunmen army village border Aden Jackman".split()
    for k in range(12):
        terms = Counter({w: 1 + (k * j) % 3 for j, w in enumerate(words) if (k + j) % 4})
        terms.update({f"word{k}x{j}": 1 + j % 2 for j in range(120)})  # 1,440 distinct words in all
        linker._count_words(terms)
        for cand in linker.by_id.values():
            assert linker.text_similarity(terms, cand) == pytest.approx(reference(linker, terms, cand), rel=1e-12)
        cand = linker.by_id.setdefault(f"i{k % 4}", link_module.Candidate(f"i{k % 4}"))
        cand.terms.append(terms)
    assert len(linker._space.ids) > 1024
    a, b = linker.by_id["i0"], linker.by_id["i1"]
    plain = [sum(x * vec(linker, v).get(w, 0.0) for w, x in vec(linker, u).items()) for u in a.terms for v in b.terms]
    assert linker.incidents_similarity(a, b) == pytest.approx(sum(plain) / len(plain), rel=1e-12)


def test_permutations_are_datasketchs_own():
    """dedup draws the affine64 permutations itself (no datasketch import in the ingesting
    process or the workers): they must be the ones MinHash draws."""
    from datasketch import MinHash

    assert np.array_equal(dedup._permutations(), MinHash(num_perm=dedup.NUM_PERM, scheme=dedup.SCHEME).permutations)
