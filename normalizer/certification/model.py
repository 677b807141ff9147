"""The rule framework: declarations (:class:`Rule`, :class:`Pattern`), the partner
contract, and the per-offer :class:`Context` detectors read.

A rule is data: an id from certification.md, a default severity, a legal basis, a
message and a detector. Most detectors are built by :func:`text_detector` from a
tuple of :class:`Pattern` (a precompiled regex, the trigger words that must be in the
offer for the regex to be worth running, and the context that excuses a match).
Structured-field checks are small functions of the :class:`Context`.
"""

from __future__ import annotations

import bisect
import enum
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from jobgate.schema import CanonicalOffer, ContractType, Severity

from .text import frozen_tokens, normalise_text, sentence_window

if TYPE_CHECKING:
    from normalizer.sirene import SireneLookup

__all__ = [
    "WORD_ANCHORS",
    "Context",
    "Detector",
    "Hit",
    "PartnerContract",
    "Pattern",
    "Rule",
    "Scope",
    "pattern",
    "text_detector",
]


class Scope(enum.StrEnum):
    """What a rule reads; decides how public-service offers are treated."""

    STRUCTURE = "structure"  # structured fields (identity, place, dates): skipped for public-service offers
    TEXT = "text"  # free text and pay: run for every offer, capped at WARN for public-service offers


@dataclass(frozen=True, slots=True)
class PartnerContract:
    """What a partner's contract and feed format guarantee.

    Attributes:
        siret_required: the partner must send the employer's SIRET; a missing SIRET is
            then a REJECT (ID-01) instead of an INFO.
        dated_by_feed: the feed carries publication dates; when False a missing date
            is a WARN (the connector should stamp the collection date) instead of a REJECT.
        max_age_days: FORM-02 freshness limit.
        temp_agency: the partner is a temporary-work agency (ID-04 applies to every offer).
        public_sector: the partner publishes statutory public-service posts, where a
            nationality condition is lawful (DISC-ORIG).
        foreign_language_medium: a foreign-language medium, exempt from FORM-03 (L5331-4).
    """

    siret_required: bool = False
    dated_by_feed: bool = True
    max_age_days: int = 60
    temp_agency: bool = False
    public_sector: bool = False
    foreign_language_medium: bool = False


@dataclass(frozen=True, slots=True)
class Hit:
    """One match of a detector, before severity resolution.

    ``severity`` None means the rule's severity; ``variant`` names a sub-case (e.g.
    ``"gendered_title"``) that partners can override as ``"DISC-SEX:gendered_title"``.
    """

    field: str | None
    evidence: str | None
    severity: Severity | None = None
    variant: str | None = None
    message: str | None = None


_APPRENTICE_WORDS = re.compile(
    r"\b(apprenti|apprentie|apprentis|apprentissage|alternance|alternant|alternante|alternants|"
    r"contrat pro|contrat de professionnalisation|professionnalisation|service civique|"
    r"contrat d'engagement jeune|cej|emplois? francs?|pec|parcours emploi competences|cdd senior|"
    r"epide|garantie jeunes|job d'ete|job etudiant|jobs d'ete)\b"
)
_INTERN_WORDS = re.compile(r"\b(stage|stagiaire|stagiaires|convention de stage|gratification)\b")


class Context:
    """Everything a detector may read about one offer, computed lazily once.

    Attributes:
        offer: the canonical offer.
        contract: the partner contract (defaults apply when none is given).
        today: reference date for freshness and future-date checks.
        texts: normalised free-text fields by name (``title``, ``description``,
            ``salary``, ``experience``).
        words: word set of all normalised texts (for pattern triggers).
        sirene: the SIRENE lookup (ID-02), ``None`` when none is configured.
    """

    def __init__(
        self, offer: CanonicalOffer, contract: PartnerContract, today: date, sirene: SireneLookup | None = None
    ) -> None:
        self.offer = offer
        self.contract = contract
        self.today = today
        self.sirene = sirene
        self.texts: dict[str, str] = {
            "title": normalise_text(offer.title),
            "description": normalise_text(offer.description),
            "salary": normalise_text(offer.salary.original),
            "experience": normalise_text(offer.experience),
        }
        parts: list[str] = []
        self._starts: list[int] = []
        self._names: list[str] = []
        pos = 0
        for name, t in self.texts.items():
            if t:
                self._starts.append(pos)
                self._names.append(name)
                parts.append(t)
                pos += len(t) + 1
        #: All normalised texts joined by line breaks (patterns run once over it).
        self.all_text = "\n".join(parts)
        # The joined text's words are the union of each field's words ("\n" separates).
        self.words: set[str] = set().union(*(frozen_tokens(t) for t in parts))
        self._scan_memo: dict[int, tuple[Sequence[Pattern], list[Hit]]] | None = None

    def scan_memo(self) -> dict[int, tuple[Sequence[Pattern], list[Hit]]]:
        """Memo of :func:`scan` results for this offer's texts (shared by offers with the
        same texts: the hits only depend on them)."""
        if self._scan_memo is None:
            key = (self.all_text, tuple(self._names), tuple(self._starts))
            memo = _SCAN_MEMO.get(key)
            if memo is None:
                if len(_SCAN_MEMO) >= _SCAN_MEMO_SIZE:
                    _SCAN_MEMO.clear()
                memo = _SCAN_MEMO[key] = {}
            self._scan_memo = memo
        return self._scan_memo

    def field_at(self, pos: int) -> str:
        """Name of the text field that position ``pos`` of :attr:`all_text` falls in."""
        return self._names[bisect.bisect_right(self._starts, pos) - 1]

    @cached_property
    def published(self) -> date:
        """Publication date, or ``today`` when the offer has none."""
        p = self.offer.dates.published
        return p.date() if isinstance(p, datetime) else self.today

    @cached_property
    def contract_type(self) -> ContractType | None:
        """Structured contract type."""
        return self.offer.contract.type

    @cached_property
    def apprenticeship(self) -> bool:
        """Apprenticeship, professionalisation or another youth/senior scheme (age conditions lawful)."""
        if self.contract_type in (ContractType.APPRENTISSAGE, ContractType.PROFESSIONNALISATION):
            return True
        text = self.texts["title"] + "\n" + self.texts["description"] + "\n" + normalise_text(
            self.offer.contract.original
        )
        return _APPRENTICE_WORDS.search(text) is not None

    @cached_property
    def internship(self) -> bool:
        """Internship (gratification instead of SMIC)."""
        if self.contract_type is ContractType.STAGE:
            return True
        return _INTERN_WORDS.search(self.texts["title"]) is not None

    @cached_property
    def salaried(self) -> bool:
        """Structured contract is a salaried one (or unknown but not independent)."""
        return self.contract_type not in (ContractType.INDEPENDANT, ContractType.STAGE)


Detector = Callable[[Context], Iterable[Hit]]


@dataclass(frozen=True, slots=True)
class Pattern:
    """A precompiled free-text pattern.

    Attributes:
        regex: matched against each normalised field.
        triggers: words, any of which must be in the offer for ``regex`` to run
            (empty: always run). A speed device only; tests check it never hides a match.
        unless_before / unless_after: a match is excused when this regex is found in
            the text before / after it, within ``window`` characters of the same sentence.
        severity / variant: override the rule's severity and name the sub-case.
        fields: restrict to these fields (default: all text fields).
        anchors: literal substrings, one of which every match contains; the regex then
            only runs within ``reach`` characters of their occurrences (speed device).
        policy_ok: a match inside a sentence naming three or more L1132-1 criteria is
            a non-discrimination statement ("... sans distinction d'origine, de sexe,
            d'âge ...") and is excused.
        word_start: every match starts at a word boundary (checked in code: the
            regex is compiled without its leading ``\b``, which is twice as fast).
        needs: regexes that must all be found in the match's sentence (within
            ``window`` characters each side): co-occurrence in any word order, e.g. an
            amount with a payment word and a candidate-side cue (FEE-01).
        context_before / context_after: when either is set, a match is kept only if
            the text before it in its sentence (within ``window``) matches
            ``context_before`` (a search, so anchor it with ``$``) or the text after it
            matches ``context_after`` (at its start). The regex then only finds a
            group of words, and the construction around it is checked on the short
            context (see :mod:`.exclusion`): much faster than one regex for both.
    """

    regex: re.Pattern[str]
    triggers: frozenset[str]
    anchors: tuple[str, ...] = ()
    reach: int = 160
    word_start: bool = False
    policy_ok: bool = False
    anchor_words: bool = False
    unless_before: re.Pattern[str] | None = None
    unless_after: re.Pattern[str] | None = None
    window: int = 60
    severity: Severity | None = None
    variant: str | None = None
    fields: tuple[str, ...] | None = None
    message: str | None = None
    needs: tuple[re.Pattern[str], ...] = ()
    context_before: re.Pattern[str] | None = None
    context_after: re.Pattern[str] | None = None
    #: ``anchors`` as a set, to keep the word anchors present in an offer in one C call.
    anchor_set: frozenset[str] = frozenset()


def _rx(value: str | re.Pattern[str] | None) -> re.Pattern[str] | None:
    if value is None or isinstance(value, re.Pattern):
        return value
    return re.compile(value)


def _split_top(regex: str) -> list[str]:
    """Split a regex on its top-level ``|``."""
    parts: list[str] = []
    cur: list[str] = []
    depth, cls, esc = 0, False, False
    for ch in regex:
        if esc:
            esc = False
        elif ch == "\\":
            esc = True
        elif cls:
            cls = ch != "]"
        elif ch == "[":
            cls = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    parts.append("".join(cur))
    return parts


def _strip_word_start(regex: str) -> tuple[str, bool]:
    branches = _split_top(regex)
    if all(b.startswith(r"\b") for b in branches):
        return "|".join(b[2:] for b in branches), True
    return regex, False


#: ``anchors=WORD_ANCHORS``: every trigger word is an anchor, searched only when it is
#: in the offer's word set (short words such as "rsa" allowed: their windows are a
#: superset of the right ones, never fewer).
WORD_ANCHORS = "=words"


def _anchors(anchors: str, triggers: str) -> tuple[str, ...]:
    if anchors == "-":
        return ()
    if anchors == WORD_ANCHORS:
        return tuple(triggers.split())
    if anchors:
        return tuple(a for a in anchors.split("|") if a)
    words = triggers.split()
    # Trigger words double as anchors when they are long enough to be selective.
    return tuple(words) if words and all(len(w) >= 4 for w in words) else ()


def pattern(
    regex: str,
    triggers: str,
    *,
    anchors: str = "",
    reach: int = 160,
    policy_ok: bool = False,
    unless_before: str | re.Pattern[str] | None = None,
    unless_after: str | re.Pattern[str] | None = None,
    window: int = 60,
    severity: Severity | None = None,
    variant: str | None = None,
    fields: Sequence[str] | None = None,
    message: str | None = None,
    needs: Sequence[str] = (),
    context_before: str | None = None,
    context_after: str | None = None,
) -> Pattern:
    """Declare a :class:`Pattern`; ``triggers`` is a space-separated word list and
    ``anchors`` a ``|``-separated list of literal substrings (or :data:`WORD_ANCHORS`)."""
    compiled, word_start = _strip_word_start(regex)
    anchor_tuple = _anchors(anchors, triggers)
    return Pattern(
        regex=re.compile(compiled),
        triggers=frozenset(triggers.split()),
        anchors=anchor_tuple,
        anchor_words=(not anchors or anchors == WORD_ANCHORS) and bool(anchor_tuple),
        reach=reach,
        word_start=word_start,
        policy_ok=policy_ok,
        unless_before=_rx(unless_before),
        unless_after=_rx(unless_after),
        window=window,
        severity=severity,
        variant=variant,
        fields=tuple(fields) if fields else None,
        message=message,
        needs=tuple(re.compile(n) for n in needs),
        context_before=_rx(context_before),
        context_after=_rx(context_after),
        anchor_set=frozenset(anchor_tuple),
    )


def _snippet(text: str, start: int, end: int, pad: int = 25) -> str:
    a = max(0, start - pad)
    b = min(len(text), end + pad)
    return ("…" if a else "") + text[a:b].replace("\n", " ") + ("…" if b < len(text) else "")


def _windows(text: str, anchors: Sequence[str], reach: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for a in anchors:
        i = text.find(a)
        while i != -1:
            spans.append((max(0, i - reach), i + len(a) + reach))
            i = text.find(a, i + 1)
    if len(spans) < 2:
        return spans
    spans.sort()
    merged = [spans[0]]
    for lo, hi in spans[1:]:
        if lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def matches(
    p: Pattern, text: str, *, fast: bool = True, words: set[str] | None = None
) -> Iterator[re.Match[str]]:
    """Matches of ``p`` in ``text`` (``fast`` False ignores the anchors, for tests).

    ``words`` (the text's word set) lets anchors that are whole words be skipped
    without scanning the text for them.
    """
    if fast and p.anchors:
        anchors = p.anchors
        if words is not None and p.anchor_words:
            anchors = tuple(p.anchor_set.intersection(words))
        seen_end = -1
        for lo, hi in _windows(text, anchors, p.reach):
            for m in p.regex.finditer(text, lo, hi):
                if m.start() < seen_end:
                    continue
                if p.word_start and m.start() and text[m.start() - 1].isalnum():
                    continue
                seen_end = m.end()
                yield m
        return
    for m in p.regex.finditer(text):
        if p.word_start and m.start() and text[m.start() - 1].isalnum():
            continue
        yield m


_CRITERIA = re.compile(
    r"\b(origine|sexe|genre|age|ages|religion|religieuses?|convictions?|handicap|orientation sexuelle|"
    r"opinions?|nationalite|ethnie|ethnique|race|situation de famille|situation familiale|grossesse|"
    r"apparence|physique|patronyme|nom de famille|lieu de residence|syndicale?s?|politiques?|sante|"
    r"moeurs|identite de genre|vulnerabilite|domiciliation|couleur de peau|mutualistes?|lanceur)\b"
)


def _policy_statement(text: str, start: int, end: int) -> bool:
    left, right = sentence_window(text, start, end, 400, 400)
    found = {m.group(0) for m in _CRITERIA.finditer(left + " " + text[start:end] + " " + right)}
    return len(found) >= 3


#: Scan results by offer texts (all_text and field layout) then by pattern tuple; the
#: hits of a pattern tuple only depend on the texts. Bounded: cleared when full.
_SCAN_MEMO: dict[tuple[str, tuple[str, ...], tuple[int, ...]], dict[int, tuple[Sequence[Pattern], list[Hit]]]] = {}
_SCAN_MEMO_SIZE = 8192


def scan(ctx: Context, patterns: Sequence[Pattern], *, use_triggers: bool = True) -> Iterator[Hit]:
    """Run ``patterns`` over the offer's normalised texts and yield a hit per match.

    ``use_triggers`` False disables the trigger words and anchors (tests use it to
    check that these speed devices never hide a match). Results are memoised per
    offer texts (:meth:`Context.scan_memo`).
    """
    if not use_triggers:
        return _scan(ctx, patterns, use_triggers=False)
    memo = ctx.scan_memo()
    hit = memo.get(id(patterns))
    # The memo keeps the tuple alive, so its id cannot be reused by another tuple.
    if hit is None or hit[0] is not patterns:
        hit = (patterns, list(_scan(ctx, patterns, use_triggers=True)))
        memo[id(patterns)] = hit
    return iter(hit[1])


#: Characters of a match's sentence searched for its required context (the longest
#: exclusion or restriction construction, e.g. "merci de ne pas postuler si vous êtes des
#: candidates issues de", is about 65).
_CONTEXT_REACH = 80


def _scan(ctx: Context, patterns: Sequence[Pattern], *, use_triggers: bool) -> Iterator[Hit]:
    words = ctx.words
    text = ctx.all_text
    for p in patterns:
        if use_triggers and p.triggers and p.triggers.isdisjoint(words):
            continue
        for m in matches(p, text, fast=use_triggers, words=words):
            name = ctx.field_at(m.start())
            if p.fields is not None and name not in p.fields:
                continue
            # Cheapest checks first: the required context and co-occurrences reject
            # most candidate matches before the sentence-wide policy check runs.
            if p.unless_before is not None or p.unless_after is not None or p.needs or p.context_before or p.context_after:
                left, right = sentence_window(text, m.start(), m.end(), p.window, p.window)
                # The constructions are short: search them in the nearest characters only.
                if (p.context_before is not None or p.context_after is not None) and not (
                    (p.context_after is not None and p.context_after.match(right, 0, _CONTEXT_REACH))
                    or (p.context_before is not None and p.context_before.search(left, max(0, len(left) - _CONTEXT_REACH)))
                ):
                    continue
                if p.needs:
                    sentence = f"{left}{m.group(0)}{right}"
                    if not all(n.search(sentence) for n in p.needs):
                        continue
                if p.unless_before is not None and p.unless_before.search(left):
                    continue
                if p.unless_after is not None and p.unless_after.search(right):
                    continue
            if p.policy_ok and _policy_statement(text, m.start(), m.end()):
                continue
            yield Hit(
                field=name,
                evidence=_snippet(text, m.start(), m.end()),
                severity=p.severity,
                variant=p.variant,
                message=p.message,
            )


def text_detector(
    *patterns: Pattern,
    exempt: Callable[[Context], bool] | None = None,
) -> Detector:
    """Build a detector from patterns; ``exempt(ctx)`` True skips the whole rule."""

    def detect(ctx: Context) -> Iterable[Hit]:
        if exempt is not None and exempt(ctx):
            return ()
        return scan(ctx, patterns)

    detect.patterns = patterns  # type: ignore[attr-defined]
    return detect


@dataclass(frozen=True)
class Rule:
    """A declared certification check.

    Attributes:
        id: the check id in certification.md (``"DISC-AGE"``).
        severity: default severity of its findings (a hit may set its own, e.g. the
            WARN-level proxies of a REJECT rule).
        basis: legal basis cited in findings.
        message: what is wrong, for the partner and the operator.
        detect: returns the hits for one offer.
        scope: :attr:`Scope.STRUCTURE` rules are skipped for public-service offers.
        fields: the fields this rule reads (documentation; findings name their own).
    """

    id: str
    severity: Severity
    basis: str
    message: str
    detect: Detector
    scope: Scope = Scope.TEXT
    fields: tuple[str, ...] = field(default=("title", "description", "salary"))

    @property
    def patterns(self) -> tuple[Pattern, ...]:
        """The patterns of a :func:`text_detector` rule (empty for other rules)."""
        return getattr(self.detect, "patterns", ())
