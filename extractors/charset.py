"""Bytes to text: the one charset decoder (HTTP bodies, pages read from files, stored HTML)."""

from __future__ import annotations

import codecs
import re

from bs4 import UnicodeDammit

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"\s*<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:-]+)", re.IGNORECASE)
# The WHATWG Encoding Standard decodes these labels as their supersets, and real pages rely on
# it: "ISO-8859-1" news pages are full of windows-1252 curly quotes.
_SUPERSETS = {"iso8859-1": "cp1252", "ascii": "cp1252", "shift_jis": "cp932", "gb2312": "gb18030",
              "gbk": "gb18030", "euc_kr": "cp949"}
_NOT_PAGE_ENCODINGS = {"unicode-escape", "raw-unicode-escape", "utf-7", "punycode", "idna", "undefined"}


def decode_body(body: bytes, content_type: str | None = None) -> str:
    """Decode with, in order: a byte-order mark, the HTTP charset, the document's own declaration
    (<meta> in the first KB of HTML, the XML declaration of XML), UTF-8 if the bytes are valid
    UTF-8, else a guess (multi-byte encodings detected, windows-1252 otherwise). Bytes that don't
    fit become U+FFFD; this never raises.

    The BOM wins over the header, as in browsers (WHATWG): a BOM is never there by accident.
    """
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(codec, errors="replace")
    header = _HEADER_CHARSET.search(content_type or "")
    codec = _codec(header.group(1) if header else None) or _declared_in_document(body, content_type)
    if codec:
        return body.decode(codec, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Undeclared and not UTF-8. The detector is good at multi-byte encodings (Shift_JIS, GB18030)
    # but among single-byte ones it guesses badly on short text (French as Baltic cp1257), so
    # those get the web's default for undeclared pages, windows-1252 (WHATWG).
    guess = _codec(UnicodeDammit(body).original_encoding)
    multi_byte = guess is not None and len(body.decode(guess, errors="replace")) < len(body)
    return body.decode(guess if multi_byte else "cp1252", errors="replace")


def _declared_in_document(body: bytes, content_type: str | None) -> str | None:
    head = body[:1024]
    is_html = "html" in (content_type or "").lower()
    match = (None if is_html else _XML_ENCODING.match(head)) or _META_CHARSET.search(head)
    codec = _codec(match.group(1).decode("ascii")) if match else None
    # an ASCII-readable declaration cannot be telling the truth about UTF-16/32
    return "utf-8" if codec and codec.startswith(("utf-16", "utf-32")) else codec


def _codec(label: str | None) -> str | None:
    """Python codec name for a charset label; None if unknown or not a text encoding."""
    if not label:
        return None
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    # rot13, hex, base64, zlib... are codecs but no text encodings (they fail on the first
    # real byte, not on b""); the escape codecs and UTF-7 turn ASCII text into other text.
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_PAGE_ENCODINGS:
        return None
    try:
        b"<p>\xe9\xff</p>".decode(info.name, errors="replace")
    except (LookupError, ValueError):  # 'undefined', 'idna' with errors='replace', ...
        return None
    return _SUPERSETS.get(info.name, info.name)
