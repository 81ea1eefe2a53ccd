"""Clean stage: strip the boilerplate around a news story, keep every story line verbatim.

Reads raw article text or HTML, writes a `Cleaned` record: the story text, every dropped
line with its reason (nothing is lost silently), a best-guess headline, and the method used.

Why two paths
-------------
* HTML goes through trafilatura (`clean_html`): it knows the DOM (nav, aside, footer,
  script, comment sections) and is well kept; writing our own DOM rules would only be worse.
  We call it with `include_comments=False` (it is on by default and lets reader comments
  into the story), `include_tables=False` and `favor_precision=True`, then run the text
  rules below over its output to catch what it keeps (bylines, "... more" teasers, credits).
  If trafilatura returns nothing we fall back to the text rules over the page's visible text.
* Flattened text (`clean_text`, e.g. the seed articles) has no DOM, so trafilatura cannot
  help; it gets our own line rules, measured on the seeds gold and 22 synthetic pages
  (tests/data/clean_gold).

Text rules (one line = one paragraph; surrounding whitespace is stripped, the rest is kept
verbatim, kept lines are joined with a blank line so later stages can quote by offset)
--------------------------------------------------------------------------------------
* Lines with no letters ("2,500 $", "1 / 1", "> <") -> menu.  Separator rows ("Home | World",
  "News > World"), bullets with few words ("* 16x9 Image"), "Keywords:" rows -> menu.
* Share rows ("Share", "Share on X", "Twitter") -> share-buttons; "Advertisement" -> advert.
* Comment markers ("COMMENTS", "Notify of", "12 Comments", "Leave a Reply", "Replying to X",
  "Comments are moderated...") -> comments; after the story has begun, everything from the
  first marker to the end is the comment section.
* Captions and credits ("... PHOTO: REUTERS", "Image caption, ...", "@user / Instagram",
  "(Photo: AFP)"), and a line printed twice in a row before the first story paragraph
  (a caption repeated by the layout) -> caption.
* Site paragraphs (cookies, subscribe/newsletter/paywall, copyright, "click here", "our
  content", "We provide ...") -> cookie/subscription; quoted speech is ignored when testing.
* Credits ("Written by X for Y", "Reporting by X; Editing by Y", "X is our correspondent") -> byline;
  a bare "By X" line falls to the short-line rules.
  A credit line after the story ends it: all later lines are boilerplate ("tail" when no
  more specific reason fits).
* Teasers of other stories: "... more" endings, "Read more: ..." prefixes, and, once the
  story has begun, any line of <= 15 words without final punctuation (title-case ones are
  called "subheading": they carry no facts) or a short stand-alone question -> teaser.
* Before the story: the first line of 4-30 words without a final period is the headline
  (`title`, kept as the first line of text because headlines carry facts); other lines
  without final punctuation are kept only as a standfirst (>= 8 words); shorter ones
  ("Breaking News", "Published 4 hours ago") -> short-fragment.  "ALMATY:" -> dateline.
* Short lines with a full date ("Afp July 18, 2016", "Posted on May 2, 2021") are KEPT:
  downstream resolves relative dates against them.
* A line repeating an earlier kept line (headline printed again) -> duplicate-line.

Limits: headlines of <= 3 words are dropped as fragments; a story line with no final
punctuation and <= 15 words (e.g. a bulleted fact list) is dropped as a teaser; English
cue words only.  For HTML, lines trafilatura left out are listed with reason "trafilatura"
and numbered in the page's visible text; other reasons number lines of trafilatura's output.
The synthetic gold was written by the same hand as the rules, so its scores are optimistic.
Speed: ~1700 seed articles/s per core for the text rules; ~150 small pages/s for HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["DroppedLine", "Cleaned", "clean_text", "clean_html", "clean_page", "clean_article", "html_metadata",
           "page_metadata", "line_scores", "line_counts"]


@dataclass(frozen=True)
class DroppedLine:
    line_no: int  # 1-based line number in the cleaned input
    text: str
    reason: str


@dataclass(frozen=True)
class Cleaned:
    text: str
    dropped: list[DroppedLine]
    title: str | None
    method: str  # "text-rules" | "trafilatura"


_X = re.IGNORECASE | re.VERBOSE
# The patterns flagged _LOW run over the lower-cased line instead: IGNORECASE made these long
# alternations about twice as slow, and they are the ones run on many story lines. Same
# decisions on every line of the eval corpora, seeds and gold; only letters whose lower case
# is not what IGNORECASE matches (the long s "ſ", the dotted "İ") can differ.
_LOW = re.VERBOSE
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(rf"\b(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH},?\s+\d{{4}}"
                   r"|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{4})\b", re.IGNORECASE)
_COMMENTS = re.compile(r"""^(?:comments?(?:\s*\(\d+\))? | \d+\s+comments? | notify\s+of
  | newest\s+most\s+voted | inline\s+feedbacks | view\s+all\s+comments | load\s+more\s+comments
  | (?:leave|post|add|write)\s+a\s+(?:comment|reply)(?:\s+cancel\s+reply)? | show\s+comments
  | join\s+the\s+(?:discussion|conversation) | comments\s+are\s+(?:moderated|closed).* | replying\s+to\b.*
  | \d+\s+(?:thoughts|responses|replies)\s+(?:on|to)\b.* | would\s+love\s+your\s+thoughts.*
  | for\s+more\s+information,?\s+please\s+see\s+our\s+comments.* | reader\s+comments | have\s+your\s+say
  )\W*$""", _X)
_CAPTION = re.compile(r"""^(?:image|media|video|photo)\s+(?:source|caption|credit)s?\b
  | \b(?:photo(?:graph)?|image|picture|pic)s?(?:\s+credit)?\s*:\s*[^.]{1,40}$ | ^(?:file\s+)?photo(?:graph)?\s*:
  | @\w+\s*/\s*(?:instagram|twitter|facebook|x|tiktok|youtube|telegram)\b
  | \b(?:getty\s+images|shutterstock|ap\s+photo|afp\s+photo|via\s+reuters)\b
  | \(\s*(?:photo|image|picture)\b[^)]*\)$""", _LOW)
_BYLINE = re.compile(r"""^(?:(?:written|reported|compiled|edited|posted|produced)\s+by\b
  | (?:additional\s+)?(?:reporting|editing|writing)\s+by\b) | \bis\s+our\s+[\w\s-]*(?:correspondent|reporter|editor)\b""", _X)
_END_CREDIT = re.compile(r"^(?:written|compiled|(?:additional\s+)?reporting|editing)\s+by\b", re.IGNORECASE)
_SITE = re.compile(r"""\bcookies?\b.*\b(?:use|accept|policy|settings|consent|experience)\b | \b(?:accept|use|uses)\b.*\bcookies\b
  | \bprivacy\s+(?:policy|notice|settings) | \bterms\s+(?:of\s+(?:use|service)|and\s+conditions) | all\s+rights\s+reserved
  | ^copyright\b | © | \b(?:our|daily|weekly|free)\s+newsletters?\b | \bsubscribe\s+(?:now|today|to|for|here)\b | already\s+a\s+subscriber
  | subscribers?\s+only | \b(?:your|digital)\s+subscription\b | \bsign\s+up\s+(?:for|to|now)\b | free\s+articles? | unlimited\s+access
  | continue\s+reading | click\s+here | ad[\s-]?blocker | enable\s+javascript | download\s+(?:our|the)\s+app
  | follow\s+us\b | your\s+(?:email|inbox)\b | required\s+fields | support\s+(?:us|our\s+journalism|independent\s+journalism)\b
  | \bour\s+(?:content|journalism|website|site|app|reporting|coverage|readers|standards|newsletter|journalists)\b
  | \bwe\s+(?:provide|publish)\b.*\b(?:news|journalism|reporting)\b | ^(?:about\s+(?:us|the\s+[\w\s]{1,25})\s*:|media\s+contact|press\s+contact
  | for\s+immediate\s+release)""", _LOW)
_SHARE_WORDS = {"share", "shares", "tweet", "facebook", "twitter", "x", "whatsapp", "email", "e-mail", "print",
                "linkedin", "telegram", "reddit", "pinterest", "copy", "link", "on", "this", "article", "via",
                "messenger", "vk", "save", "like", "loading", "flipboard", "mail"}
_ADVERT = re.compile(r"\badvertisement\b|^(?:sponsored(?:\s+content)?|promoted|ad)$", re.IGNORECASE)
_TEASER = re.compile(r"""(?:\.\.\.|…)\s*(?:read\s+)?more\W*$ | ^(?:read\s+more|read\s+also|also\s+read|related|see\s+also
  | more|watch|listen|recommended|most\s+read|editor'?s\s+picks?)\s*[:»>|–-]""", _LOW)
_MENU = re.compile(r"""^(?:skip\s+to(?:\s+main)?\s+content|accessibility\s+links|listen\s+to\s+this\s+article
  | more\s+on\s+this\s+story|related\s+(?:topics|stories|articles|coverage|content)|top\s+stories
  | most\s+(?:read|popular|viewed)|you\s+may\s+also\s+like|recommended\s+for\s+you|back\s+to\s+top)\W*$
  | ^(?:keywords|tags|topics|filed\s+under)\s*:""", _X)
_TEASER_MARK = re.compile(r"[:»>|–-]")
_SEPARATOR = re.compile(r"\s[|›»>•·/]\s")
_BULLET = re.compile(r"^[•·▪►◦‣*-]\s*")
_DATELINE = re.compile(r"^[A-Z][A-Z .,'-]*[A-Z]\s*[:—–-]$")
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|‘‘[^’]*’’|''[^']*''")
_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
_CLOSERS = " \"”’'»)]*"


def _words(s: str) -> int:
    return len(s.split())


def _ends_sentence(s: str) -> bool:
    return s.rstrip(_CLOSERS)[-1:] in (".", "!", "?", ":", ";", "…")


def _title_case(s: str) -> bool:
    words = [w for w in s.split() if w[:1].isalpha()]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


_SECTION_WORDS = set("""home news world business tech technology science health sport sports opinion politics
culture entertainment video videos lifestyle travel weather local national international economy markets podcasts
newsletters live latest more region asia africa europe americas middle east us uk environment climate education
arts style food money tv radio photos analysis features comment search menu about contact archive subscribe
login sign in register investigations media law crime security defence defense""".split())


def _is_menu(s: str) -> bool:
    if _MENU.search(s):
        return True
    words = re.findall(r"\w+", s.lower()) if len(s) <= 100 and not _ends_sentence(s) else []
    if len(words) >= 3 and sum(w in _SECTION_WORDS for w in words) >= 0.8 * len(words):
        return True  # "Home World Business Tech Science": a nav row that lost its separators
    parts = _SEPARATOR.split(s)
    if len(parts) > 1 and all(_words(p) <= 4 for p in parts):
        return True
    return bool(_BULLET.match(s)) and _words(_BULLET.sub("", s)) <= 6


def _is_share(s: str) -> bool:
    words = re.findall(r"[\w-]+", s.lower())
    return bool(words) and len(words) <= 8 and all(w in _SHARE_WORDS for w in words)


# Cheap substring gates: the big case-insensitive regexes are only run on lines that
# contain one of these, which keeps the text rules well above 1000 articles/s.
_SITE_KEYS = ("cookie", "privacy", "terms", "rights reserved", "copyright", "©", "newsletter", "subscri",
              "sign up", "free article", "unlimited access", "continue reading", "click here", "blocker",
              "javascript", "download", "follow us", "your ", "required field", "support ", "our ", "we ",
              "about ", "contact", "immediate release")
_CAPTION_KEYS = ("photo", "image", "picture", "pic", "@", "getty", "shutterstock", "reuters", "media", "video")


def _line_reason(s: str, state: dict) -> str | None:
    """Reason to drop one stripped, non-empty line, or None to keep it (updates `state`)."""
    n = _words(s)
    low = s.lower()
    if not _LETTER.search(s):
        return "menu"
    if n <= 12 and _COMMENTS.match(s):
        state["comments"] = state["comments"] or state["body"]
        return "comments"
    if n <= 40 and any(k in low for k in _CAPTION_KEYS) and _CAPTION.search(low):
        return "caption"
    if n <= 15 and _DIGIT.search(s) and _DATE.search(s):
        return None  # dateline: carries the publication date
    if n <= 15 and ("by" in low or "our" in low) and _BYLINE.search(s):
        state["tail"] = state["tail"] or (state["body"] and bool(_END_CREDIT.match(s)))
        return "byline"
    if n <= 80 and any(k in low for k in _SITE_KEYS) and _SITE.search(_QUOTED.sub("", low)):
        return "cookie/subscription"
    if n <= 8 and _is_share(s):
        return "share-buttons"
    if n <= 6 and _ADVERT.search(s):
        return "advert"
    if ("more" in low or _TEASER_MARK.search(s)) and _TEASER.search(low):
        return "teaser"
    if _is_menu(s):
        return "menu"
    if n <= 4 and _DATELINE.match(s):
        return "dateline"
    if not _ends_sentence(s):
        if n <= 3:
            return "short-fragment"
        if not state["body"]:
            if state["title"] is None and n <= 30:
                state["title"] = s
                return None
            return None if n >= 8 else "short-fragment"
        if n <= 15:
            return "subheading" if _title_case(s) else "teaser"
    elif state["body"] and s.endswith("?") and n <= 10 and not _QUOTED.search(s):
        return "teaser"  # "Who are the militants?" links to an explainer
    return None


def _norm(s: str) -> str:
    return " ".join(s.split()).casefold()


def _apply_rules(text: str) -> tuple[list[str], list[DroppedLine], str | None]:
    lines = [(no, raw.strip()) for no, raw in enumerate(text.splitlines(), 1) if raw.strip()]
    state = {"body": False, "comments": False, "tail": False, "title": None}
    kept: list[str] = []
    seen: set[str] = set()
    dropped: list[DroppedLine] = []
    doubled: set[int] = set()
    for k, (no, s) in enumerate(lines):
        key = _norm(s)
        if state["comments"]:
            reason = "comments"
        elif k in doubled:
            reason = "caption"
        elif key in seen:
            reason = "duplicate-line"
        else:
            in_tail = state["tail"]
            reason = _line_reason(s, state)
            if in_tail:
                reason = reason or "tail"
            elif reason is None and not state["body"] and k + 1 < len(lines) and _norm(lines[k + 1][1]) == key:
                reason = "caption"  # printed twice before the story starts: a photo caption
                doubled.add(k + 1)
        if reason:
            dropped.append(DroppedLine(no, s, reason))
            continue
        kept.append(s)
        seen.add(key)
        if _ends_sentence(s) and _words(s) >= 10:
            state["body"] = True
    return kept, dropped, state["title"]


def clean_text(text: str) -> Cleaned:
    """Clean flattened article text (one paragraph per line) with the line rules above."""
    kept, dropped, title = _apply_rules(text)
    return Cleaned("\n\n".join(kept), dropped, title, "text-rules")


_BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "td", "th",
               "section", "article", "header", "footer", "nav", "aside", "figure", "figcaption", "main",
               "blockquote", "pre", "form", "button", "dd", "dt", "table", "body", "hr"}


def _links_only(parent) -> bool:
    loose = [parent.text or ""] + [child.tail or "" for child in parent]
    return not "".join(loose).strip() and all(child.tag == "a" for child in parent)


def _parse(html: str | bytes):
    import lxml.etree
    import lxml.html

    try:
        return lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError, lxml.etree.XMLSyntaxError):
        if isinstance(html, str):  # a str with an XML encoding declaration: let lxml decode bytes
            return _parse(html.encode("utf-8", "surrogatepass"))
        return None


def _visible_lines(html: str | object) -> list[str]:
    """The page's visible text, one block element per line (script/style/head removed).
    Takes markup or a parsed tree (which it changes)."""
    tree = _parse(html) if isinstance(html, (str, bytes)) else html
    if tree is None:
        return []
    for bad in tree.xpath("//script|//style|//noscript|//template|//head"):
        bad.drop_tree()
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag.lower() in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
        elif el.tag.lower() == "a" and el.getparent() is not None and _links_only(el.getparent()):
            el.tail = "\n" + (el.tail or "")  # a bare row of links is a menu: one link per line
    return [" ".join(line.split()) for line in tree.text_content().splitlines() if line.strip()]


def _kept_in(line: str, paragraphs: list[str]) -> bool:
    """A normalised line survives if a paragraph equals it, or contains it when it is not tiny."""
    return any(line == p or (len(line) >= 25 and line in p) for p in paragraphs)


def clean_html(html: str, list_dropped: bool = True) -> Cleaned:
    """Clean an HTML page: trafilatura finds the story, the text rules trim what it keeps.

    ``list_dropped=False`` skips listing the page lines trafilatura left out (one summary
    entry instead): walking the whole page for them costs ~20% of the extraction time, and
    the raw page is stored anyway. The pipeline uses it; the cleaner's gold uses the full list.
    """
    return clean_page(html, list_dropped)[0]


def clean_page(html: str, list_dropped: bool = True) -> tuple[Cleaned, dict]:
    """``clean_html`` plus the page's metadata (see ``page_metadata``)."""
    import trafilatura  # imported here: text-only users should not pay for its import

    # One parse for everything: trafilatura's own (load_html, so its extraction sees exactly
    # the tree it would have built from the markup); our metadata reads it first. Without the
    # dropped-line list nothing reads the tree after extraction, so trafilatura gets it to
    # change (``_extract_handed_over``) instead of copying it. Only a page trafilatura
    # refuses to load (a fragment, say) is parsed by lxml for the fallback.
    try:
        tree = trafilatura.load_html(html)
    except (ValueError, TypeError):
        tree = None
    extracted = None
    if tree is not None:
        meta = page_metadata(tree)  # before extraction and _visible_lines, which change the tree
        handed_over = not list_dropped and _hand_over_ready()
        try:
            # favor_precision is off: it halves the speed and our text rules already trim what
            # it would (same scores on the cleaner's gold).
            extracted = _extract(_HandedOver(tree) if handed_over else tree)
        except (ValueError, TypeError, RecursionError, AttributeError):
            pass  # trafilatura gives up on some malformed pages; fall back to the rules
        if handed_over and not extracted:
            tree = trafilatura.load_html(html)  # the fallback reads the page as it was
    else:
        tree = _parse(html)
        if tree is None:
            return Cleaned("", [DroppedLine(1, "", "unparseable HTML")], None, "text-rules"), dict(_NO_META)
        meta = page_metadata(tree)
    method = "trafilatura" if extracted else "text-rules"
    if extracted:
        kept, dropped, text_title = _apply_rules(extracted)
        if list_dropped:
            story = [_norm(line) for line in extracted.splitlines()]
            dropped = [DroppedLine(no, s, "trafilatura") for no, s in enumerate(_visible_lines(tree), 1)
                       if not _kept_in(_norm(s), story)] + dropped
        else:
            dropped = [DroppedLine(0, "(page chrome outside the story; raw page kept)", "trafilatura")] + dropped
    else:
        kept, dropped, text_title = _apply_rules("\n".join(_visible_lines(tree)))
    return Cleaned("\n\n".join(kept), dropped, meta["title"] or text_title, method), meta


def _extract(page) -> str | None:
    import trafilatura

    return trafilatura.extract(page, include_comments=False, include_tables=False, output_format="txt")


class _HandedOver:
    """A parsed page given to trafilatura to change as it extracts. ``trafilatura.extract``
    copies a tree it is given (``tree is filecontent``) so the caller's stays intact: a third
    of a parse, ~0.3 ms on a 100 KB page, 2% of the extraction, for a tree we drop afterwards.
    Its ``load_html`` (wrapped once, ``_hand_over_ready``) unwraps this into the tree itself,
    which then is not ``filecontent``: extraction runs as on markup it parsed itself."""

    __slots__ = ("tree",)

    def __init__(self, tree):
        self.tree = tree


def _hand_over_ready() -> bool:
    """Wrap trafilatura's ``load_html`` (as its core module calls it) to unwrap ``_HandedOver``;
    False where that module has none (another trafilatura version): then the page is copied."""
    import trafilatura.core as core

    load = getattr(core, "load_html", None)
    if load is None:
        return False
    if not getattr(load, "_unwraps_handed_over", False):
        def load_html(htmlobject, *args, **kwargs):
            if isinstance(htmlobject, _HandedOver):
                return htmlobject.tree
            return load(htmlobject, *args, **kwargs)

        load_html._unwraps_handed_over = True
        core.load_html = load_html
    return True


# ---------------------------------------------------------------------- page metadata
# Our own reader of the standard meta tags (Open Graph, article:*, Dublin Core, schema.org
# JSON-LD, <time>, canonical link) over the tree we already parsed: trafilatura's
# extract_metadata costs ~40% of its extraction time on 100 KB pages (measured), this ~2%.
# htmldate's quick search is the fallback for the date.
_NO_META = {"title": None, "published": None, "publisher": None, "url": None, "author": None}
_META_KEYS = {
    "title": ("og:title", "twitter:title", "dc.title", "headline"),
    "published": ("article:published_time", "og:article:published_time", "datepublished", "date", "pubdate",
                  "publishdate", "publish-date", "dc.date", "dc.date.issued", "dcterms.created", "sailthru.date",
                  "parsely-pub-date", "article.published", "published_time", "original-publish-date"),
    "publisher": ("og:site_name", "application-name", "publisher", "dc.publisher"),
    "url": ("og:url",),
    "author": ("author", "article:author", "dc.creator", "byl", "parsely-author", "sailthru.author"),
}
_LD_FIELD = re.compile(r'"(datePublished|dateCreated|headline|url)"\s*:\s*"([^"]{1,300})"')
_LD_NAMED = re.compile(r'"(author|publisher)"\s*:\s*(?:\[\s*)?\{[^{}]*?"name"\s*:\s*"([^"]{1,200})"')


def page_metadata(tree) -> dict:
    """Title, publication date (YYYY-MM-DD), publisher, canonical url and author of a parsed page."""
    from .ingest.sources import normalize_date

    found: dict[str, list[str]] = {k: [] for k in _NO_META}
    by_key = {key: field for field, keys in _META_KEYS.items() for key in keys}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        if key in by_key and el.get("content"):
            found[by_key[key]].append(el.get("content").strip())
    for script in tree.iter("script"):
        if "ld+json" in (script.get("type") or "") and script.text:
            for k, v in _LD_FIELD.findall(script.text[:20000]):
                found["published" if k.startswith("date") else "title" if k == "headline" else k].append(v)
            for k, v in _LD_NAMED.findall(script.text[:20000]):
                found[k].append(v)
    for el in tree.iter("link"):
        if (el.get("rel") or "").lower() == "canonical" and el.get("href"):
            found["url"].insert(0, el.get("href").strip())
    for el in tree.iter("time"):
        if el.get("datetime"):
            found["published"].append(el.get("datetime"))
            break
    if not found["title"]:
        h1 = next(tree.iter("h1"), None)
        title = next(tree.iter("title"), None)
        for el in (h1, title):
            if el is not None and el.text_content().strip():
                found["title"].append(" ".join(el.text_content().split()))
                break
    out = {k: next((v for v in vals if v), None) for k, vals in found.items()}
    out["published"] = next((d for d in map(normalize_date, found["published"]) if d and len(d) == 10), None)
    if not out["published"]:
        from htmldate import find_date

        try:
            out["published"] = find_date(tree, extensive_search=False, outputformat="%Y-%m-%d")
        except (ValueError, TypeError):
            out["published"] = None
    if out["published"] and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", out["published"]):
        out["published"] = None
    if not out["publisher"] and out["url"]:
        out["publisher"] = publisher_from_url(out["url"])
    return out


def publisher_from_url(url: str) -> str | None:
    """The site's host ("www." dropped) standing for the publisher when none is stated."""
    host = re.match(r"https?://(?:www\.)?([^/:]+)", url)
    return host.group(1) if host else None


def html_metadata(html: str) -> dict:
    """Title, publication date (YYYY-MM-DD), publisher, canonical url and author of a page."""
    tree = _parse(html)
    return page_metadata(tree) if tree is not None else dict(_NO_META)


DATELINE_CHARS = 400
_BYLINE_NAME = re.compile(r"^(?:by|written by|reported by)\s+([A-Z][\w.'’-]+(?:\s+(?:[A-Z][\w.'’-]+|de|van|al|bin)){0,4})"
                          r"\s*(?:$|[,|/]|\band\b)")


def clean_article(article):
    """The clean stage over an Article: clean text, dropped lines, title, and the metadata the
    page states (HTML meta tags, a dateline, a byline). Fills only what is still unknown; when
    the publication date stays unknown, ``published_basis`` says why."""
    from .extract.dates import find_dates

    if article.format == "html":
        result, meta = clean_page(article.text, list_dropped=False)
        for key in ("title", "publisher", "url", "author"):
            if not getattr(article, key) and meta.get(key):
                setattr(article, key, meta[key])
        if not article.published and meta.get("published"):
            article.published, article.published_basis = meta["published"], "html metadata"
    else:
        result = clean_text(article.text)
    article.clean_text = result.text
    article.title = article.title or result.title
    article.dropped_lines = [{"line": d.line_no, "text": d.text, "reason": d.reason} for d in result.dropped]
    if not article.author:
        for d in result.dropped[:12]:
            m = _BYLINE_NAME.match(d.text)
            if m:
                article.author = m.group(1)
                break
    if not article.published:
        stated = [d for d in find_dates(article.clean_text[:DATELINE_CHARS], None) if d.precision == "day"]
        if stated:
            article.published, article.published_basis = stated[0].value, "dateline in text"
        elif not (article.published_basis or "").startswith("unknown"):
            article.published_basis = "unknown: no metadata and no dateline"
    return article


def line_scores(cleaned: Cleaned, labels: list[dict]) -> tuple[float, float]:
    """Story-line (precision, recall) of `cleaned` against gold labels (see ``line_counts``)."""
    tp, fp, fn = line_counts(cleaned, labels)
    return (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)


def line_counts(cleaned: Cleaned, labels: list[dict]) -> tuple[int, int, int]:
    """Story lines kept (true positives), boilerplate kept (false positives), story dropped
    (false negatives) of `cleaned` against gold labels.

    Each label is {"label": "story"|"boilerplate"} plus either "line" (1-based input line
    number, for text input: kept unless listed in `dropped`) or "text" (for HTML: kept when a
    kept paragraph equals it, or contains it if it is 25+ characters long).
    """
    dropped_nos = {d.line_no for d in cleaned.dropped if d.reason != "trafilatura"}
    paragraphs = [_norm(p) for p in cleaned.text.split("\n\n")]
    tp = fp = fn = 0
    for lab in labels:
        if "line" in lab:
            kept = lab["line"] not in dropped_nos
        else:
            kept = _kept_in(_norm(lab["text"]), paragraphs)
        story = lab["label"] == "story"
        tp += kept and story
        fp += kept and not story
        fn += story and not kept
    return tp, fp, fn
