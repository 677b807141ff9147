"""Free-text redaction: take identifying strings out of an offer's text.

A :class:`Redactor` is built once per offer from what must not leak (the
employer's name, SIRET, contact e-mails, phones, URLs, person names) and then
applied to every free-text field. Matching is case- and accent-insensitive,
tolerant of separators (``DUPRÉ-BOULANGERIE`` matches ``dupre boulangerie``),
and, beyond the literal values, removes *every* e-mail address, French phone
number, URL and SIRET/SIREN-shaped number, except those of the public service
(its counsellors are the channel candidates are sent to).

Over-redaction is the accepted failure mode: a common word that happens to be
the employer's name is masked too.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

#: What a redacted span is replaced with.
MASK = "[…]"

#: Hosts (and e-mail domains) of the public service: never redacted.
PUBLIC_SERVICE_HOSTS: tuple[str, ...] = ("francetravail.fr", "pole-emploi.fr", "francetravail.org")

#: French legal-form words dropped to get a name's short form ("ACME SAS" -> "ACME").
LEGAL_FORMS = frozenset(
    [
        "sa",
        "sas",
        "sasu",
        "sarl",
        "eurl",
        "snc",
        "sci",
        "scop",
        "scic",
        "sca",
        "scs",
        "gie",
        "gaec",
        "earl",
        "selarl",
        "selas",
        "selafa",
        "sel",
        "scp",
        "scm",
        "ei",
        "eirl",
        "eurl",
        "ets",
        "etablissements",
        "cie",
        "sem",
        "spl",
    ]
)
_CIVILITIES = frozenset(
    ["m", "mr", "mme", "mlle", "mmes", "mm", "monsieur", "madame", "mademoiselle", "dr", "me"]
)

# Matching runs on folded text (lower case, no accents); ``\W`` classes keep
# per-offer regex compilation cheap (about 0.1 ms a pattern).
_NOT_WORD_BEFORE = r"(?<![^\W_])"
_NOT_WORD_AFTER = r"(?![^\W_])"
_SEP = r"[\W_]*"

_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
_EMAIL_RE = re.compile(
    r"[\w.+\-]+\s*(?:@|\[at\]|\(at\)|\s(?:at|arobase)\s)\s*[\w\-]+(?:\s*(?:\.|\[dot\]|\(dot\))\s*[\w\-]+)+",
    re.IGNORECASE,
)
# French numbers: 0X XX XX XX XX, +33 X XX.., 0033.., +33 (0)X.., any of space . - / between pairs.
# Readable form: PHONE_PATTERN. The compiled one starts with a character class (its
# lookbehinds moved after the first character), so the engine skips ahead to a "+"
# or "0" instead of trying every position: same matches, about 7 times faster.
PHONE_PATTERN = r"(?<![\d+])(?:(?:\+|00)\s?33\s?(?:\(0\)\s?)?|\b0)[1-9](?:[\s./\-]?\d{2}){4}(?!\d)"
_PHONE_RE = re.compile(
    r"[+0](?<![\d+][+0])(?:(?<=\+)\s?33\s?(?:\(0\)\s?)?|(?<=0)0\s?33\s?(?:\(0\)\s?)?|(?<=0)(?<!\w0))"
    r"[1-9](?:[\s./\-]?\d{2}){4}(?!\d)"
)
# SIRET (14 digits, often 3 3 3 5) and SIREN (9 digits, 3 3 3) shaped numbers; readable
# form SIRET_PATTERN, compiled with a leading digit class for the same reason.
SIRET_PATTERN = r"(?<!\d)\d{3}[\s.\-]?\d{3}[\s.\-]?\d{3}(?:[\s.\-]?\d{5})?(?!\d)"
_SIRET_RE = re.compile(r"\d(?<!\d\d)\d{2}[\s.\-]?\d{3}[\s.\-]?\d{3}(?:[\s.\-]?\d{5})?(?!\d)")
_TAG_RE = re.compile(r"(<[^>]*>)")
_HAS_DIGIT = re.compile(r"\d")
_SQUEEZE = re.compile(r"[\s.\-/]+")


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its accents (``"Élodie Œuvre"`` -> ``"elodie oeuvre"``)."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _fold_table() -> dict[int, str]:
    """A same-length folding table: each Latin character to one lower-case,
    unaccented character (``É`` -> ``e``); ligatures stay (``œ``) and are matched
    by the patterns instead, so spans in the folded text are spans in the original."""
    table: dict[int, str] = {}
    for cp in range(0x0041, 0x0250):
        ch = chr(cp)
        base = fold(ch)
        if len(base) == 1 and base != ch:
            table[cp] = base
        elif len(base) != 1 and ch.lower() != ch and len(ch.lower()) == 1:
            table[cp] = ch.lower()
    return table


_FOLD = _fold_table()


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold_char(m: re.Match[str]) -> str:
    return _FOLD.get(ord(m.group()), m.group())


def fold_same_length(text: str) -> str:
    """Fold ``text`` for matching without changing its length (see :func:`_fold_table`)."""
    low = text.lower()
    if len(low) != len(text):  # rare characters whose lower case is longer
        return text.translate(_FOLD)
    return low if low.isascii() else _NON_ASCII.sub(_fold_char, low)


def _token_pattern(token: str) -> str:
    return re.escape(token).replace("oe", "(?:oe|œ)").replace("ae", "(?:ae|æ)")


def _tokens(text: str) -> list[str]:
    """Folded alphanumeric tokens, with dotted acronyms joined (``S.A.S`` -> ``sas``)."""
    raw = [t for t in re.split(r"[\W_]+", fold(text)) if t]
    out: list[str] = []
    run: list[str] = []
    for tok in [*raw, ""]:
        if len(tok) == 1 and tok.isalpha():
            run.append(tok)
            continue
        if run:
            out.append("".join(run))
            run = []
        if tok:
            out.append(tok)
    return out


def name_variants(name: str) -> list[list[str]]:
    """Token lists to redact for an organisation or person name.

    The full name, the name without its legal form (``SAS``, ``SARL``...) and
    without civility (``M.``, ``Mme``), and each part of ``"ACME - Mme X"``.
    """
    return [list(v) for v in _name_variants(name)]


@functools.lru_cache(maxsize=4096)
def _name_variants(name: str) -> tuple[tuple[str, ...], ...]:
    # Memoised: the same employers and contacts come back offer after offer, and
    # folding and splitting a name costs more than redacting a short field.
    out: list[list[str]] = []
    pieces = [name, *re.split(r"\s+-\s+|\s*/\s*|\s*\|\s*", name)]
    for piece in pieces:
        toks = _tokens(piece)
        if not toks:
            continue
        out.append(toks)
        short = list(toks)
        while short and (short[0] in LEGAL_FORMS or short[0] in _CIVILITIES):
            short = short[1:]
        while short and short[-1] in LEGAL_FORMS:
            short = short[:-1]
        if short and short != toks:
            out.append(short)
    # Drop degenerate variants (one character) and duplicates.
    seen: set[tuple[str, ...]] = set()
    result: list[tuple[str, ...]] = []
    for v in out:
        key = tuple(v)
        if key in seen or len("".join(v)) < 2:
            continue
        seen.add(key)
        result.append(key)
    return tuple(result)


def _name_regex(tokens: list[str]) -> str:
    return _NOT_WORD_BEFORE + _SEP.join(_token_pattern(t) for t in tokens) + _NOT_WORD_AFTER


def _digits_regex(digits: str) -> str:
    return r"(?<!\d)" + r"\W{0,3}".join(digits) + r"(?!\d)"


def phone_digits(phone: str) -> str | None:
    """The 9 significant digits of a French phone number, or ``None``."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("0033"):
        digits = digits[4:]
    elif digits.startswith("33") and len(digits) == 11:
        digits = digits[2:]
    if digits.startswith("0") and len(digits) == 10:
        digits = digits[1:]
    if len(digits) == 9:
        return digits
    return None


def _host(url: str) -> str:
    if "://" not in url:
        url = "http://" + url
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def is_public_service(url_or_email: str, extra_hosts: Iterable[str] = ()) -> bool:
    """Whether a URL or e-mail belongs to the public service (or jobgate itself)."""
    if "@" in url_or_email and "://" not in url_or_email:
        host = url_or_email.rsplit("@", 1)[1].strip().lower()
    else:
        host = _host(url_or_email.strip()).lower()
    if not host:
        return False
    return any(host == h or host.endswith("." + h) for h in (*PUBLIC_SERVICE_HOSTS, *extra_hosts))


class Redactor:
    """Removes identifying strings from free text.

    Args:
        names: organisation or person names to mask (case/accent-insensitive,
            with and without legal form).
        literals: other strings to mask wherever they occur (e-mails, URLs,
            website domains), matched case/accent-insensitively.
        digits: numbers to mask whatever their separators (SIRET, SIREN,
            phone significant digits).
        contacts: also mask every e-mail, French phone number and URL that is
            not the public service's.
        numbers: also mask every SIRET/SIREN-shaped number.
        keep_hosts: extra hosts whose URLs and e-mails are kept (jobgate's own).
        keep_phones: significant digits of phones to keep (the agency's).
        spare: names whose variants are *not* masked even when they are part
            of ``names`` (the employer's name inside ``"ACME - Mme X"`` when the
            name may be shown).

    A redactor with nothing to do returns text unchanged (:attr:`active` is false).
    """

    def __init__(
        self,
        *,
        names: Iterable[str] = (),
        literals: Iterable[str] = (),
        digits: Iterable[str] = (),
        contacts: bool = False,
        numbers: bool = False,
        keep_hosts: Iterable[str] = (),
        keep_phones: Iterable[str] = (),
        spare: Iterable[str] = (),
    ) -> None:
        spared = {v for s in spare if s for v in _name_variants(s)}
        words: dict[tuple[str, ...], None] = {}
        for name in names:
            if name and name.strip():
                for v in _name_variants(name):
                    if v not in spared:
                        words[v] = None
        for lit in literals:
            lit = (lit or "").strip()
            if len(lit) >= 3:
                toks = _tokens(lit)
                if toks:
                    words[tuple(toks)] = None
        # One regex per string to mask, each with a cheap needle checked first
        # (Python's re tries every branch of an alternation at every position).
        self._word_rx: list[tuple[str, re.Pattern[str]]] = [
            (
                "" if ("oe" in v[0] or "ae" in v[0]) else v[0],
                re.compile(_name_regex(list(v))),
            )
            for v in words
        ]
        self._digit_rx: list[tuple[str, re.Pattern[str]]] = []
        for d in digits:
            d = re.sub(r"\D", "", d or "")
            if len(d) >= 6:
                self._digit_rx.append((d, re.compile(_digits_regex(d))))
        parts = [*words, *self._digit_rx]
        self._contacts = contacts
        self._numbers = numbers
        self._keep_hosts = tuple(h.lower().removeprefix("www.") for h in keep_hosts if h)
        self._keep_phones = frozenset(keep_phones)
        self.active = bool(parts) or contacts or numbers

    def _keep_link(self, m: re.Match[str]) -> str:
        s = m.group(0)
        return s if is_public_service(s, self._keep_hosts) else MASK

    def _keep_email(self, m: re.Match[str]) -> str:
        s = m.group(0)
        if "@" in s and is_public_service(re.sub(r"\s", "", s), self._keep_hosts):
            return s
        return MASK

    def _keep_phone(self, m: re.Match[str]) -> str:
        s = m.group(0)
        return s if phone_digits(s) in self._keep_phones else MASK

    def text(self, value: str | None) -> str | None:
        """Redact a plain-text value (``None`` stays ``None``)."""
        if not value or not self.active:
            return value
        original = value
        folded = fold_same_length(value)
        digits = _HAS_DIGIT.search(value) is not None
        if self._contacts:
            if "http" in folded or "www." in folded:
                value = _URL_RE.sub(self._keep_link, value)
            if (
                "@" in value
                or "at)" in folded
                or "at]" in folded
                or " at " in folded
                or "arobase" in folded
            ):
                value = _EMAIL_RE.sub(self._keep_email, value)
            if digits:
                value = _PHONE_RE.sub(self._keep_phone, value)
        if self._numbers and digits:
            value = _SIRET_RE.sub(MASK, value)
        spans = self._spans(value, digits, folded if value == original else None)
        if spans:
            out: list[str] = []
            last = 0
            for start, end in spans:
                out.append(value[last:start])
                out.append(MASK)
                last = end
            out.append(value[last:])
            value = "".join(out)
        return value

    def _spans(self, value: str, digits: bool, folded: str | None = None) -> list[tuple[int, int]]:
        """Non-overlapping spans of ``value`` matching a specific string (longest first).

        ``folded``: ``fold_same_length(value)`` when the caller already has it.
        """
        if folded is None:
            folded = fold_same_length(value)
        found: list[tuple[int, int]] = []
        for needle, rx in self._word_rx:
            if needle in folded:
                found.extend(m.span() for m in rx.finditer(folded))
        if digits and self._digit_rx:
            squeezed = _SQUEEZE.sub("", folded)
            for d, rx in self._digit_rx:
                if d in squeezed:
                    found.extend(m.span() for m in rx.finditer(folded))
        if not found:
            return []
        found.sort(key=lambda se: (se[0], -se[1]))
        merged: list[tuple[int, int]] = []
        for start, end in found:
            if merged and start < merged[-1][1]:
                if end > merged[-1][1]:
                    merged[-1] = (merged[-1][0], end)
                continue
            merged.append((start, end))
        return merged

    def url(self, value: str | None) -> str | None:
        """A URL kept only if redaction would leave it untouched, else ``None``."""
        if not value or not self.active:
            return value
        if self._spans(value, True):
            return None
        return value

    def html(self, value: str | None) -> str | None:
        """Redact an HTML fragment: text between tags is redacted (entities decoded
        first, re-escaped after); a tag whose attributes hold anything to redact is
        dropped whole."""
        if not value or not self.active:
            return value
        out: list[str] = []
        for i, seg in enumerate(_TAG_RE.split(value)):
            if not seg:
                continue
            if i % 2:  # a tag
                plain = html.unescape(seg)
                if self.text(plain) != plain:
                    continue
                out.append(seg)
            else:
                plain = html.unescape(seg)
                red = self.text(plain)
                out.append(seg if red == plain else html.escape(red or "", quote=False))
        return "".join(out)
