"""FORM-03: the offer is in French (L5331-4), by function-word ratio.

No language-identification dependency: French prose is about 15-35 % French-only
function words from the list below, other languages well under 5 %; a REJECT also
needs positive evidence of another language (its own function words), so telegraphic
French ("RECHERCHE COFFREUR BANCHEUR EXPERIMENTE") is not flagged. English job terms
("data engineer", "product owner") or "anglais courant exigé" inside French sentences
do not move the ratios much. Short texts (under ``MIN_WORDS`` words) are not judged.
"""

from __future__ import annotations

from collections.abc import Iterator

from jobgate.schema import Severity

from .model import Context, Hit, Rule

__all__ = ["FOREIGN_WORDS", "FRENCH_WORDS", "RULES", "french_ratio"]

#: French function words that are not also common Spanish/Italian words ("de", "la", "que" are out).
FRENCH_WORDS = frozenset(
    ["le", "les", "des", "du", "une", "et", "est", "sont", "pour", "avec", "vous", "nous", "dans", "sur", "au", "aux", "par", "ce", "cette", "ces", "qui", "votre", "vos", "notre", "nos", "elle", "ils", "elles", "etre", "avoir", "sera", "serez", "ou", "plus", "pas", "sa", "son", "ses", "leur", "leurs", "tout", "tous", "toute", "toutes", "aussi", "mais", "chez", "sans", "vers", "afin", "dont", "ainsi", "selon", "lors", "etes", "avez", "poste", "equipe", "entreprise", "societe", "travail"]
)
#: Function words of the other languages offers come in (English, Spanish, German, Italian).
FOREIGN_WORDS = frozenset(
    ["the", "and", "of", "to", "in", "for", "with", "you", "we", "our", "your", "is", "are", "will", "be", "as", "at", "this", "that", "an", "have", "or", "from", "by", "who", "what", "which", "their", "they", "it", "its", "can", "would", "should", "must", "about", "into", "within", "looking", "join", "el", "los", "las", "del", "con", "para", "por", "sus", "como", "pero", "esta", "este", "nuestro", "nuestra", "usted", "somos", "der", "die", "das", "und", "mit", "fur", "ein", "eine", "einen", "ist", "wir", "unser", "unsere", "auf", "von", "im", "den", "dem", "nicht", "auch", "il", "della", "delle", "degli", "che", "per", "sono", "siamo", "gli", "nostro", "nostra"]
)
MIN_WORDS = 25
#: Only the first words are looked at: enough to tell the language, and fast.
SAMPLE_WORDS = 120
_TO_SPACE = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalpha()})


def french_ratio(text: str) -> tuple[float, float, int]:
    """Return (French function-word ratio, foreign function-word ratio, word count) of a normalised text."""
    words = text[: SAMPLE_WORDS * 8].translate(_TO_SPACE).split()[:SAMPLE_WORDS]
    n = len(words)
    if not n:
        return 0.0, 0.0, 0
    fr = sum(map(FRENCH_WORDS.__contains__, words))
    other = sum(map(FOREIGN_WORDS.__contains__, words))
    return fr / n, other / n, n


def _french(ctx: Context) -> Iterator[Hit]:
    if ctx.contract.foreign_language_medium:
        return
    text = ctx.texts["description"] or ctx.texts["title"]
    fr, other, n = french_ratio(text)
    if n < MIN_WORDS or other <= fr or other < 0.08:
        return  # French, too short, or telegraphic text with no sign of another language
    evidence = text[:80].replace("\n", " ")
    if fr < 0.06:
        yield Hit("description", evidence, message=f"Texte non rédigé en français (mots outils français : {fr:.0%}, étrangers : {other:.0%}).")
    elif fr < 0.15:
        yield Hit("description", evidence, Severity.WARN, "mixed", f"Texte majoritairement non français (mots outils français : {fr:.0%}, étrangers : {other:.0%}).")


RULES: tuple[Rule, ...] = (
    Rule("FORM-03", Severity.REJECT, "L5331-4", "Offre non rédigée en français.", _french, fields=("title", "description")),
)
