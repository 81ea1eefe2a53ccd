"""Bytes to text: byte-order marks, UTF-8, a charset the HTML page declares, then
charset-normalizer's guess; binary content is refused rather than decoded into noise.

Why charset-normalizer: it is the maintained pure-Python detector (requests uses it); a
fixed UTF-8 / Windows-1252 ladder mis-decodes Cyrillic, Greek and CJK pages.
Every failure raises ``InputError`` whose message starts with the quarantine kind
(``binary``, ``undecodable``) so the caller can file it.
"""

from __future__ import annotations

import codecs
import re

import numpy as np

from ..errors import InputError

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([\w.:-]{2,40})""", re.IGNORECASE)
# C0 controls other than tab/newline/carriage return/form feed: text never has many of these.
# Counted on the UTF-8 bytes (where they are single bytes) with numpy: the bytes below 0x20,
# less the four allowed ones, plus DEL -- a tenth of a regex over the text (0.5 ms on a 100 KB
# page) and a quarter of bytes.translate.
_ALLOWED_CONTROLS = (0x09, 0x0A, 0x0C, 0x0D)
MAX_CONTROL_SHARE = 0.02


class DecodeError(InputError):
    """Raised with ``kind`` set to the quarantine category."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def _checked(text: str, where: str) -> str:
    sample = text[:65536]
    raw = np.frombuffer(sample.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    low = raw[raw < 0x20]  # few on a text page, so the four counts below are cheap
    controls = (len(low) - sum(int(np.count_nonzero(low == c)) for c in _ALLOWED_CONTROLS)
                + int(np.count_nonzero(raw == 0x7F)) + sample.count("\ufffd"))
    if sample and controls > MAX_CONTROL_SHARE * len(sample):
        raise DecodeError("binary", f"{where}: binary file (control characters), not a news article")
    return text


def decode(raw: bytes, where: str, html: bool = False) -> str:
    """Decode ``raw`` as text, or raise DecodeError("binary"|"undecodable")."""
    for bom, enc in _BOMS:
        if raw.startswith(bom):
            try:
                return _checked(raw.decode(enc), where)
            except UnicodeDecodeError:
                raise DecodeError("undecodable", f"{where}: invalid {enc.upper()} text after its "
                                                 "byte-order mark") from None
    if b"\x00" in raw[:8192]:
        raise DecodeError("binary", f"{where}: binary file (contains NUL bytes), not a news article")
    try:
        return _checked(raw.decode("utf-8"), where)
    except UnicodeDecodeError:
        pass
    if html:
        m = _META_CHARSET.search(raw[:4096])
        if m:
            try:
                return _checked(raw.decode(m.group(1).decode("ascii")), where)
            except (LookupError, UnicodeDecodeError):
                pass  # a wrong or unknown declaration: fall through to detection
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:262144]).best()
    if best is None:
        raise DecodeError("undecodable", f"{where}: cannot tell the text encoding (not UTF-8, no "
                                         "charset detected)")
    try:
        return _checked(raw.decode(best.encoding), where)
    except (LookupError, UnicodeDecodeError):
        raise DecodeError("undecodable", f"{where}: bytes are not valid {best.encoding} text") from None
