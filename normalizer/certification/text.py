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

__all__ = ["feminine", "frozen_tokens", "normalise_text", "sentence_window", "tokens"]


_MIDDOT = "\x07"  # placeholder for the inclusive-writing middle dot (survives ASCII folding)
_SPECIALS = {
    "œ": "oe", "æ": "ae", "ß": "ss", "€": " eur ", "’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'",
    "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-",
    "\xa0": " ", "\u202f": " ", "\u2009": " ", "\u200b": "", "·": _MIDDOT, "•": _MIDDOT, "∙": _MIDDOT,
    "⋅": _MIDDOT, "‧": _MIDDOT, "…": "...", "°": " ", "²": "2",
}


def _fold(s: str) -> str:
    """Map the few meaningful non-ASCII characters, then drop accents and the rest."""
    if s.isascii():
        return s
    for k, v in _SPECIALS.items():
        if k in s:
            s = s.replace(k, v)
    if s.isascii():
        return s
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")


# Suffixes accepted after a "·" or "(" (unambiguous separators) and after "." or "/"
# (ambiguous: "clients.les", "km/h"), where the list is shorter.
_SUFFIX_ANY = (
    "euses|euse|rices|rice|trices|trice|eres|ere|iennes|ienne|ennes|enne|nnes|nne|nes|ne|"
    "lles|lle|les|le|ttes|tte|tes|te|ives|ive|ves|ve|sses|sse|esses|esse|ses|se|es|e|fe|ice|eures|eure|s"
)
_SUFFIX_DOT = "euses|euse|rices|rice|trices|trice|eres|ere|iennes|ienne|nne|ne|ive|ives|es|e|se|eure|lle|tte"
# Starts with the separator (so the regex engine can jump between candidates), then
# checks that two letters precede it; the base word is found by scanning back.
_INCLUSIVE = re.compile(
    rf"(?:\x07|\(|[./])(?<=[a-z][a-z].)"
    rf"(?:(?<=\x07)({_SUFFIX_ANY})(?:\x07(s))?\b|(?<=\()({_SUFFIX_ANY})\)(?:\((s)\)|(s)\b)?"
    rf"|(?<=[./])({_SUFFIX_DOT})(?:[.\x07](s))?\b)"
)
_WORD_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"
_TO_SPACE = str.maketrans({chr(c): " " for c in range(128) if chr(c) not in _WORD_CHARS})
# The same map for ASCII bytes: normalised text is ASCII, and bytes.translate is several
# times faster than str.translate with a dict.
_TO_SPACE_BYTES = bytes(c if chr(c) in _WORD_CHARS else 32 for c in range(128)) + bytes(range(128, 256))


def _words(text: str) -> list[str]:
    if text.isascii():
        return text.encode("ascii").translate(_TO_SPACE_BYTES).decode("ascii").split()
    return text.translate(_TO_SPACE).split()


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


def _unfold(s: str) -> str:
    out: list[str] = []
    last = 0
    for m in _INCLUSIVE.finditer(s):
        end = m.start()
        start = end
        while start > 0 and "a" <= s[start - 1] <= "z":
            start -= 1
        if start < last:
            continue
        base = s[start:end]
        suffix = m.group(1) or m.group(3) or m.group(6)
        plural = m.group(2) or m.group(4) or m.group(5) or m.group(7) or ""
        out.append(s[last:start])
        if suffix == "s":  # "candidat(s)": plural only, nothing to unfold
            out.append(base + "s")
        else:
            out.append(f"{base}{plural}/{feminine(base, suffix)}{plural}")
        last = m.end()
    if not out:
        return s
    out.append(s[last:])
    return "".join(out)


#: Memo of the pure text functions below: the same description reaches certification
#: many times (the same job on several boards, re-fetched offers). Only long texts are
#: memoised (short ones are cheap); bounded (cleared when full): at most 8,192 texts,
#: about 25 MB for typical 1.5 kB descriptions.
_MEMO_SIZE = 8192
_MEMO_MIN = 200
_NORM_MEMO: dict[str, str] = {}
_TOKENS_MEMO: dict[str, frozenset[str]] = {}


def normalise_text(text: str | None) -> str:
    """Lower-case, strip accents, unfold inclusive writing and collapse whitespace.

    >>> normalise_text("Vendeur·se   Âgé(e)\\n\\n de 25 ans")
    'vendeur/vendeuse age/agee\\nde 25 ans'
    """
    if not text:
        return ""
    if len(text) < _MEMO_MIN:
        return _normalise(text)
    hit = _NORM_MEMO.get(text)
    if hit is not None:
        return hit
    out = _normalise(text)
    if len(_NORM_MEMO) >= _MEMO_SIZE:
        _NORM_MEMO.clear()
    _NORM_MEMO[text] = out
    return out


def _normalise(text: str) -> str:
    s = _fold(text.lower())
    if "(" in s or "." in s or "/" in s or _MIDDOT in s:
        s = _unfold(s)
        if _MIDDOT in s:
            s = s.replace(_MIDDOT, ".")
    if "\n" in s or "\r" in s:
        lines = (" ".join(line.split()) for line in s.splitlines())
        return "\n".join(line for line in lines if line)
    return " ".join(s.split())


def tokens(text: str) -> set[str]:
    """Return the set of alphanumeric words of a normalised text."""
    return set(_words(text))


def frozen_tokens(text: str) -> frozenset[str]:
    """:func:`tokens` as a frozen set, memoised (for whole fields)."""
    if len(text) < _MEMO_MIN:
        return frozenset(_words(text))
    hit = _TOKENS_MEMO.get(text)
    if hit is None:
        hit = frozenset(_words(text))
        if len(_TOKENS_MEMO) >= _MEMO_SIZE:
            _TOKENS_MEMO.clear()
        _TOKENS_MEMO[text] = hit
    return hit


_BOUNDARY = re.compile(r"[.!?;\n]")


def sentence_window(text: str, start: int, end: int, before: int, after: int) -> tuple[str, str]:
    """Return the text up to ``before`` chars before and ``after`` chars after a match.

    Each side stops at the nearest sentence boundary (``. ! ? ;`` or a line break) so
    that a negation in one sentence does not excuse a match in the next one.
    """
    left = text[max(0, start - before) : start]
    cut = max(left.rfind(c) for c in ".!?;\n")
    if cut >= 0:
        left = left[cut + 1 :]
    right = text[end : end + after]
    m = _BOUNDARY.search(right)
    if m is not None:
        right = right[: m.start()]
    return left, right
