"""Text normalisation for the free-text certification rules.

Detection never runs on the raw text: :func:`normalise_text` returns a lower-case,
accent-stripped copy with inclusive-writing forms unfolded ("vendeur·se" becomes
"vendeur/vendeuse") and whitespace collapsed (a run containing a line break becomes
one ``\\n`` so that context windows can stop at line ends). :func:`tokens` gives the
word set used to skip patterns whose trigger words are absent.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["feminine", "normalise_text", "sentence_window", "tokens"]


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0x80, 0x250):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if base != ch and base.isascii() and base:
            table[cp] = base
    table.update(
        {
            ord("œ"): "oe", ord("Œ"): "oe", ord("æ"): "ae", ord("Æ"): "ae", ord("ß"): "ss",
            ord("’"): "'", ord("‘"): "'", ord("`"): "'", ord("´"): "'", ord("ʼ"): "'",
            ord("«"): '"', ord("»"): '"', ord("“"): '"', ord("”"): '"', ord("„"): '"',
            ord("–"): "-", ord("—"): "-", ord("‐"): "-", ord("‑"): "-", ord("−"): "-",
            ord("\xa0"): " ", ord("\u202f"): " ", ord("\u2009"): " ", ord("\u200b"): "",
            ord("•"): "·", ord("∙"): "·", ord("⋅"): "·", ord("‧"): "·",
            ord("…"): "...", ord("²"): "2", ord("°"): " ",
        }
    )
    return table


_TABLE = _build_table()

# Suffixes accepted after a "·" or "(" (unambiguous separators) and after "." or "/"
# (ambiguous: "clients.les", "km/h"), where the list is shorter.
_SUFFIX_ANY = (
    "euses|euse|rices|rice|trices|trice|eres|ere|iennes|ienne|ennes|enne|nnes|nne|nes|ne|"
    "lles|lle|les|le|ttes|tte|tes|te|ives|ive|ves|ve|sses|sse|esses|esse|ses|se|es|e|fe|ice|eures|eure|s"
)
_SUFFIX_DOT = "euses|euse|rices|rice|trices|trice|eres|ere|iennes|ienne|nne|ne|ive|ives|es|e|se|eure|lle|tte"
_INCLUSIVE = re.compile(
    rf"\b([a-z]{{2,}})(?:·({_SUFFIX_ANY})(?:·(s))?\b|\(({_SUFFIX_ANY})\)(?:\((s)\)|(s)\b)?"
    rf"|[./]({_SUFFIX_DOT})(?:[.·](s))?\b)"
)
_HSPACE = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r" ?\n[\s]*")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def feminine(base: str, suffix: str) -> str:
    """Build the feminine form of ``base`` from an inclusive-writing ``suffix``.

    >>> feminine("vendeur", "se"), feminine("directeur", "rice"), feminine("salarie", "e")
    ('vendeuse', 'directrice', 'salariee')
    """
    if suffix.startswith("eu") and base.endswith("eur"):
        return base[:-3] + suffix
    if suffix.startswith(("rice", "trice")) and base.endswith("teur"):
        return base[:-3] + suffix[-4:] if suffix.startswith("rice") else base[:-4] + suffix
    if suffix.startswith("se") and base.endswith(("eur", "x")):
        return base[:-1] + suffix
    if suffix.startswith("ere") and base.endswith("er"):
        return base[:-2] + suffix
    if suffix.startswith("ive") and base.endswith("if"):
        return base[:-2] + suffix
    if suffix.startswith("ve") and base.endswith("f"):
        return base[:-1] + suffix
    if suffix.startswith("tes") and base.endswith("s"):
        return base[:-1] + suffix
    if suffix.startswith(("ienne", "enne")) and base.endswith("ien"):
        return base[:-3] + "ienne" + suffix[len("ienne") if suffix.startswith("ienne") else 4 :]
    if suffix.startswith(("nne", "lle", "tte")) and base[-1] == suffix[0]:
        return base + suffix[1:]
    if suffix.startswith("esse") and base.endswith("e"):
        return base[:-1] + suffix
    return base + suffix


def _unfold(m: re.Match[str]) -> str:
    base = m.group(1)
    suffix = m.group(2) or m.group(4) or m.group(7)
    plural = m.group(3) or m.group(5) or m.group(6) or m.group(8) or ""
    if suffix == "s":  # "candidat(s)": plural only, nothing to unfold
        return base + "s"
    return f"{base}{plural}/{feminine(base, suffix)}{plural}"


def normalise_text(text: str | None) -> str:
    """Lower-case, strip accents, unfold inclusive writing and collapse whitespace.

    >>> normalise_text("Vendeur·se   Âgé(e)\\n\\n de 25 ans")
    'vendeur/vendeuse age/agee\\nde 25 ans'
    """
    if not text:
        return ""
    s = text.lower().translate(_TABLE)
    if "·" in s or "(" in s or "." in s or "/" in s:
        s = _INCLUSIVE.sub(_unfold, s)
    s = _HSPACE.sub(" ", s)
    if "\n" in s:
        s = _NEWLINES.sub("\n", s)
    return s.strip()


def tokens(text: str) -> set[str]:
    """Return the set of alphanumeric words of a normalised text."""
    return set(_NON_WORD.sub(" ", text).split())


_BOUNDARY = re.compile(r"[.!?;\n]")


def sentence_window(text: str, start: int, end: int, before: int, after: int) -> tuple[str, str]:
    """Return the text up to ``before`` chars before and ``after`` chars after a match.

    Each side stops at the nearest sentence boundary (``. ! ? ;`` or a line break) so
    that a negation in one sentence does not excuse a match in the next one.
    """
    left = text[max(0, start - before) : start]
    cut = None
    for cut in _BOUNDARY.finditer(left):
        pass
    if cut is not None:
        left = left[cut.end() :]
    right = text[end : end + after]
    m = _BOUNDARY.search(right)
    if m is not None:
        right = right[: m.start()]
    return left, right
