"""FORM-03: the offer is in French (L5331-4), by function-word ratio.

No language-identification dependency: French prose is about 30-45 % function words
from the list below, English prose well under 5 %. English job terms ("data
engineer", "product owner") or "anglais courant exigé" inside French sentences do
not move the ratio much. Short texts (under ``MIN_WORDS`` words) are not judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from jobgate.schema import Severity

from .model import Context, Hit, Rule

__all__ = ["FRENCH_WORDS", "RULES", "french_ratio"]

FRENCH_WORDS = frozenset(
    "le la les des du de un une et est sont pour avec vous nous dans sur au aux par ce cette ces "
    "qui que votre vos notre nos il elle ils elles etre avoir sera serez ou plus pas ne se sa son "
    "ses leur leurs tout tous toute toutes aussi mais chez entre sans vers afin dont nous ainsi "
    "travail poste equipe entreprise experience societe selon lors etes avez".split()
)
ENGLISH_WORDS = frozenset(
    "the and of to in for with you we our your is are will be as at this that an have or from "
    "by who what which their they it its can would should must about into within job team "
    "experience looking join work skills".split()
)
MIN_WORDS = 25
_WORD = re.compile(r"[a-z]+")


def french_ratio(text: str) -> tuple[float, float, int]:
    """Return (French function-word ratio, English ratio, word count) of a normalised text."""
    words = _WORD.findall(text)
    n = len(words)
    if not n:
        return 0.0, 0.0, 0
    fr = sum(1 for w in words if w in FRENCH_WORDS)
    en = sum(1 for w in words if w in ENGLISH_WORDS)
    return fr / n, en / n, n


def _french(ctx: Context) -> Iterator[Hit]:
    if ctx.contract.foreign_language_medium:
        return
    text = ctx.texts["description"] or ctx.texts["title"]
    fr, en, n = french_ratio(text)
    if n < MIN_WORDS:
        return
    evidence = text[:80].replace("\n", " ")
    if fr < 0.10 and en >= fr:
        yield Hit("description", evidence, message=f"Texte non rédigé en français (mots outils français : {fr:.0%}).")
    elif fr < 0.10 or (en > fr and fr < 0.2):
        yield Hit("description", evidence, Severity.WARN, "mixed", f"Texte majoritairement non français (mots outils français : {fr:.0%}, anglais : {en:.0%}).")


RULES: tuple[Rule, ...] = (
    Rule("FORM-03", Severity.REJECT, "L5331-4", "Offre non rédigée en français.", _french, fields=("title", "description")),
)
