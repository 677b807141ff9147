"""Text fields: mojibake repair, HTML to plain text, allow-list HTML sanitizer.

``safe_html`` is an allow-list walker over the lxml tree (``lxml.html.clean`` is
deprecated and moved to a separate package, so it is not used): every tag that is
not explicitly allowed is dropped but its text kept, a few dangerous containers
are dropped with their content, and the only attribute that survives is ``href``
on ``<a>`` with an http, https or mailto URL.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable

import lxml.html
from lxml import etree

__all__ = ["description_texts", "html_to_text", "is_html", "repair_text", "safe_html"]

# --- mojibake repair -----------------------------------------------------------------------

# Byte value of every character a cp1252 (or latin-1) decoder can produce, so that
# UTF-8 text wrongly decoded as cp1252 can be turned back into its bytes.
_CP1252_BYTE: dict[str, int] = {}
for _b in range(256):
    try:
        _CP1252_BYTE[bytes([_b]).decode("cp1252")] = _b
    except UnicodeDecodeError:
        _CP1252_BYTE[chr(_b)] = _b  # 0x81, 0x8D, 0x8F, 0x90, 0x9D pass through as C1
for _b in range(0x80, 0xA0):
    _CP1252_BYTE.setdefault(chr(_b), _b)

# Characters standing for a UTF-8 continuation byte (0x80-0xBF) once mis-decoded.
_CONT = "\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_MOJIBAKE = re.compile(
    f"[\u00c2-\u00df][{_CONT}]|[\u00e0-\u00ef][{_CONT}]{{2}}|[\u00f0-\u00f4][{_CONT}]{{3}}"
)
# A necessary condition of every _MOJIBAKE branch, 4x cheaper to search for.
_MOJIBAKE_PRE = re.compile(f"[\u00c2-\u00f4][{_CONT}]")
# "Ã " is "à" whose second byte (a non-breaking space, 0xA0) became a plain space.
_A_GRAVE_SPACE = re.compile("Ã(?= )")
_MOJIBAKE_HINT = re.compile("[\u00c2-\u00f4]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200d\u2060\ufeff\ufffd]")
_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_MULTISPACE = re.compile(r"[ \t]{2,}")


def _fix_one(match: re.Match[str]) -> str:
    chunk = match.group(0)
    try:
        return bytes(_CP1252_BYTE[c] for c in chunk).decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        return chunk


# Anything _CONTROL or _SPACES would change (one scan instead of two substitutions).
_ODD = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200d\u2060\ufeff\ufffd"
    "\u00a0\u2000-\u200a\u202f\u205f\u3000]"
)


def _repair_once(s: str) -> str:
    # Fast paths: every step is skipped by a C-level check when it would not change the
    # text (most descriptions are clean NFC text), so repairing twice costs little.
    if not s.isascii():
        if "Ã" in s or _MOJIBAKE_PRE.search(s) is not None:
            for _ in range(2):
                fixed = _MOJIBAKE.sub(_fix_one, s)
                fixed = _A_GRAVE_SPACE.sub("à", fixed)
                if fixed == s:
                    break
                s = fixed
        if not unicodedata.is_normalized("NFC", s):
            s = unicodedata.normalize("NFC", s)
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    if _ODD.search(s) is not None:
        s = _CONTROL.sub("", s)
        s = _SPACES.sub(" ", s)
    if "  " in s or "\t " in s or " \t" in s:
        s = _MULTISPACE.sub(" ", s)
    return s


def repair_text(s: str) -> str:
    """Repair mojibake and normalise a text for storage and display.

    UTF-8 text that was decoded as cp1252/latin-1 (``"Ã©"``, ``"â€™"``) is decoded
    back (twice at most, for doubly-broken text); replacement characters
    (``"ï¿½"``, U+FFFD) are removed; the result is NFC-normalised, control and
    zero-width characters are removed, line breaks become ``\\n`` and non-breaking
    or typographic spaces become plain spaces (runs of spaces are collapsed, newlines
    are kept).

    Args:
        s: any text (``None`` or empty gives ``""``).

    Returns:
        The repaired text.
    """
    if not s:
        return ""
    if len(s) >= _MEMO_MIN:
        hit = _REPAIR_MEMO.get(s)
        if hit is None:
            hit = _repair(s)
            if len(_REPAIR_MEMO) >= _MEMO_SIZE:
                _REPAIR_MEMO.clear()
            _REPAIR_MEMO[s] = hit
        return hit
    return _repair(s)


#: Memo of repaired long texts (descriptions come back with re-fetched offers and from
#: several boards, and are repaired again by html_to_text/safe_html). Bounded: cleared
#: when full.
_MEMO_MIN = 200
_MEMO_SIZE = 8192
_REPAIR_MEMO: dict[str, str] = {}


def _repair(s: str) -> str:
    # Removing a control character can bring two halves of a mojibake sequence
    # together, so repeat until the text is stable (it is after one pass in practice).
    for _ in range(3):
        fixed = _repair_once(s)
        if fixed == s:
            break
        s = fixed
    return s


# --- HTML detection ------------------------------------------------------------------------

_HTML_TAG = re.compile(
    r"<\s*/?\s*(?:p|br|div|span|ul|ol|li|b|i|u|em|strong|h[1-6]|a|table|tr|td|th|font|img|"
    r"section|article|hr|blockquote|pre|sup|sub|center|html|body|script|style|iframe)\b[^<>]*>"
    r"|&(?:[a-zA-Z]{2,8}|#\d{2,6}|#x[0-9a-fA-F]{2,5});",
    re.IGNORECASE,
)
_ESCAPED_HTML = re.compile(r"&lt;\s*/?\s*(?:p|br|div|ul|ol|li|b|strong|em|span|h\d)\b", re.I)


def is_html(s: str | None) -> bool:
    """Tell whether ``s`` looks like HTML (a known tag or a character entity).

    Args:
        s: any text.

    Returns:
        True when the text contains an HTML tag or entity.
    """
    return bool(s) and _HTML_TAG.search(s) is not None  # type: ignore[arg-type]


# --- tree walking --------------------------------------------------------------------------

_DROP_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "noscript", "object", "embed", "template", "svg", "math",
     "head", "title", "frameset", "frame", "applet", "select", "textarea", "canvas", "audio",
     "video"}
)
_BLOCKS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "table",
     "thead", "tbody", "tfoot", "tr", "dl", "dt", "dd", "blockquote", "pre", "h1", "h2", "h3",
     "h4", "h5", "h6", "hr", "figure", "figcaption", "address", "center", "form", "fieldset",
     "ul", "ol", "body", "html"}
)
_WS = re.compile(r"\s+")


def _parse(markup: str) -> etree._Element | None:
    try:
        root = lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return None
    body = root.find("body")
    return body if body is not None else root


def _prepare(markup: str | None) -> tuple[str, bool]:
    """Repair the text and tell whether it is HTML (unescaping entity-escaped HTML once)."""
    text = repair_text(markup or "")
    if not text.strip():
        return "", False
    if _ESCAPED_HTML.search(text) and not re.search(r"<\s*/?\s*[a-zA-Z]", text):
        text = html.unescape(text)
    return text, is_html(text)


# --- html_to_text --------------------------------------------------------------------------

_BLANKS = re.compile(r"\n{3,}")


def _text_walk(el: etree._Element, out: list[str]) -> None:
    tag = el.tag
    if not isinstance(tag, str):  # comment or processing instruction: skip, keep the tail
        return
    tag = tag.lower()
    if tag in _DROP_WITH_CONTENT:
        return
    if tag == "br":
        out.append("\n")
        return
    if tag == "li":
        out.append("\n- ")
    elif tag in ("td", "th"):
        out.append(" ")
    elif tag in _BLOCKS:
        out.append("\n\n" if tag not in ("tr", "dt", "dd") else "\n")
    if el.text:
        out.append(_WS.sub(" ", el.text))
    for child in el:
        _text_walk(child, out)
        if child.tail:
            out.append(_WS.sub(" ", child.tail))
    if tag in _BLOCKS:
        out.append("\n\n" if tag not in ("tr", "dt", "dd") else "\n")


def _tidy_lines(text: str) -> str:
    lines = [line.strip() for line in text.split("\n")]
    joined = "\n".join(lines)
    return _BLANKS.sub("\n\n", joined).strip()


def html_to_text(html_text: str | None) -> str:
    """Turn an HTML description into readable plain text.

    Paragraphs and other blocks are separated by a blank line, ``<br>`` becomes a line
    break, list items become ``"- "`` bullet lines, entities are decoded, whitespace is
    collapsed, and scripts, styles and comments are removed. Plain text input is only
    repaired and tidied (its line breaks are kept).

    Args:
        html_text: HTML or plain text (``None`` gives ``""``).

    Returns:
        The plain text.
    """
    return _plain_text(*_prepare(html_text))


def _plain_text(text: str, markup: bool) -> str:
    if not text:
        return ""
    if not markup:
        return _tidy_lines(_MULTISPACE.sub(" ", text))
    root = _parse(text)
    if root is None:
        return _tidy_lines(text)
    out: list[str] = []
    _text_walk(root, out)
    return _tidy_lines(repair_text("".join(out)))


# --- safe_html -----------------------------------------------------------------------------

_ALLOWED = frozenset({"p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "u", "h2", "h3",
                      "h4", "a"})
_SAFE_URL = re.compile(r"^(?:https?://|mailto:)[^\s<>\"]+$", re.IGNORECASE)
_URL_JUNK = re.compile(r"[\x00-\x20\x7f-\x9f]")
_EMPTY_ELEMENT = re.compile(r"<(p|li|ul|ol|strong|b|em|i|u|h2|h3|h4)>(?:\s|<br>)*</\1>")
_BR_RUN = re.compile(r"(?:<br>\s*){3,}")
_BR_EDGE = re.compile(r"(<(?:p|li|h2|h3|h4)>)(?:\s*<br>)+|(?:<br>\s*)+(</(?:p|li|h2|h3|h4)>)")
_BR_AROUND_BLOCK = re.compile(r"(?:<br>\s*)+(<(?:p|ul|ol|h2|h3|h4)>)|(</(?:p|ul|ol|h2|h3|h4)>)(?:\s*<br>)+")
_LEADING_BR = re.compile(r"^(?:\s*<br>)+|(?:<br>\s*)+$")


def _safe_href(el: etree._Element) -> str | None:
    href = _URL_JUNK.sub("", el.get("href") or "")
    return href if _SAFE_URL.match(href) else None


def _html_walk(el: etree._Element, out: list[str], esc: Callable[[str], str]) -> None:
    tag = el.tag
    if not isinstance(tag, str):
        return
    tag = tag.lower()
    if tag in _DROP_WITH_CONTENT:
        return
    if tag == "br":
        out.append("<br>")
        return
    close = ""
    if tag in _ALLOWED:
        if tag == "a":
            href = _safe_href(el)
            if href is not None:
                out.append(f'<a href="{html.escape(href, quote=True)}" rel="nofollow noopener">')
                close = "</a>"
        else:
            out.append(f"<{tag}>")
            close = f"</{tag}>"
    elif tag in _BLOCKS:
        out.append("<br>")
        close = "<br>"
    elif tag in ("td", "th"):
        out.append(" ")
    if el.text:
        out.append(esc(_WS.sub(" ", el.text)))
    for child in el:
        _html_walk(child, out, esc)
        if child.tail:
            out.append(esc(_WS.sub(" ", child.tail)))
    if close:
        out.append(close)


def _escape_text(text: str) -> str:
    escaped = html.escape(text, quote=False)
    # A combining mark right after a tag's ">" would compose with it under NFC
    # (">" + U+0338 is "≯") and break the markup: write it as a character reference.
    if escaped and unicodedata.combining(escaped[0]):
        escaped = f"&#x{ord(escaped[0]):x};" + escaped[1:]
    return escaped


_PARAGRAPH = re.compile(r"\n\s*\n")


def _fix_combining(escaped: str) -> str:
    if escaped and unicodedata.combining(escaped[0]):
        return f"&#x{ord(escaped[0]):x};" + escaped[1:]
    return escaped


def _tidy_html(markup: str) -> str:
    previous = None
    while previous != markup:
        previous = markup
        markup = _EMPTY_ELEMENT.sub("", markup)
        markup = _BR_EDGE.sub(lambda m: m.group(1) or m.group(2), markup)
        markup = _BR_AROUND_BLOCK.sub(lambda m: m.group(1) or m.group(2), markup)
    markup = _BR_RUN.sub("<br><br>", markup)
    return _LEADING_BR.sub("", markup).strip()


def safe_html(html_text: str | None) -> str:
    """Sanitise an HTML description with an allow-list.

    Kept: ``p, br, ul, ol, li, strong, b, em, i, u, h2, h3, h4`` without attributes and
    ``a`` with an http/https/mailto ``href`` (given ``rel="nofollow noopener"``).
    ``script, style, iframe`` (and similar containers) are removed with their content;
    any other tag is removed but its text kept. Plain text becomes ``<p>`` paragraphs
    (blank lines separate paragraphs, single line breaks become ``<br>``), escaped.

    Args:
        html_text: HTML or plain text (``None`` gives ``""``).

    Returns:
        Safe HTML.
    """
    return _safe_markup(*_prepare(html_text))


def _safe_markup(text: str, markup: bool) -> str:
    if not text:
        return ""
    if not markup:
        # Escaping first is equivalent (it adds no whitespace) and runs once, in C.
        escaped = html.escape(text, quote=False)
        out_p: list[str] = []
        for p in _PARAGRAPH.split(escaped):
            if not p.strip():
                continue
            lines = [" ".join(line.split()) for line in p.strip().split("\n")]
            out_p.append("<p>" + "<br>".join(_fix_combining(line) for line in lines) + "</p>")
        return "".join(out_p)
    root = _parse(text)
    if root is None:
        return "<p>" + _escape_text(text) + "</p>"
    out: list[str] = []
    _html_walk(root, out, _escape_text)
    return _tidy_html("".join(out))


def description_texts(body: str) -> tuple[str, str]:
    """Plain text and safe HTML of a repaired description, preparing it once.

    The same as ``(html_to_text(body) if is_html(body) else body, safe_html(body))``
    (plain text that is not HTML is kept as it is), without repairing the text and
    looking for markup three times.
    """
    text, markup = _prepare(body)
    # _prepare's answer is is_html(body) unless repairing or unescaping changed the text.
    body_is_html = markup if text == body else is_html(body)
    return (_plain_text(text, markup) if body_is_html else body), _safe_markup(text, markup)
