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
    ["the", "and", "of", "to", "in", "for", "with", "you", "we", "our", "your", "is", "are", "will", "be", "as", "at", "this", "that", "an", "have", "or", "from", "by", "who", "what", "which", "their", "they", "it", "its", "can", "would", "should", "must", "about", "into", "within", "looking", "join", "has", "been", "was", "were", "if", "so", "does", "all", "other", "such", "these", "those", "when", "where", "while", "how", "also", "work", "team", "skills", "years", "strong", "working", "help", "role", "please", "apply", "company", "el", "los", "las", "del", "con", "para", "por", "sus", "como", "pero", "esta", "este", "nuestro", "nuestra", "nuestros", "nuestras", "usted", "somos", "una", "es", "al", "muy", "tiene", "ofrecemos", "buscamos", "puesto", "trabajo", "experiencia", "empresa", "horario", "der", "die", "das", "und", "mit", "fur", "ein", "eine", "einen", "ist", "wir", "unser", "unsere", "auf", "von", "im", "den", "dem", "nicht", "auch", "sie", "ihre", "ihr", "ihnen", "bei", "zu", "sich", "oder", "werden", "wird", "sind", "haben", "hat", "als", "aus", "nach", "uber", "zum", "zur", "kann", "einer", "eines", "einem", "sowie", "wenn", "dass", "noch", "nur", "sehr", "wie", "bieten", "suchen", "unseren", "unserem", "ihrer", "della", "delle", "degli", "che", "per", "sono", "siamo", "gli", "nostro", "nostra", "di", "questo", "questa", "anche", "lavoro", "esperienza", "offriamo", "cerchiamo", "nel", "nella", "alla", "alle", "dei", "voce", "nossa", "nosso", "uma", "com", "os", "das", "dos", "trabalho", "vaga", "procuramos", "oferecemos", "em", "sao", "nao"]
)
MIN_WORDS = 12
#: Only the first words are looked at: enough to tell the language, and fast.
SAMPLE_WORDS = 120
# Normalised text is ASCII: bytes.translate is several times faster than str.translate.
_TO_SPACE = bytes(c if chr(c).isalpha() and c < 128 else 32 for c in range(256))
_FRENCH_B = frozenset(w.encode() for w in FRENCH_WORDS)
_FOREIGN_B = frozenset(w.encode() for w in FOREIGN_WORDS)


def french_ratio(text: str) -> tuple[float, float, int]:
    """Return (French function-word ratio, foreign function-word ratio, word count) of a normalised text."""
    words = text[: SAMPLE_WORDS * 8].encode("ascii", "ignore").translate(_TO_SPACE).split()[:SAMPLE_WORDS]
    n = len(words)
    if not n:
        return 0.0, 0.0, 0
    fr = sum(map(_FRENCH_B.__contains__, words))
    other = sum(map(_FOREIGN_B.__contains__, words))
    return fr / n, other / n, n


def _french(ctx: Context) -> Iterator[Hit]:
    if ctx.contract.foreign_language_medium:
        return
    # The title counts too: a short description under a foreign title is judged on both.
    text = f"{ctx.texts['title']}\n{ctx.texts['description']}".strip()
    fr, other, n = french_ratio(text)
    if n < MIN_WORDS or other <= fr or other < 0.08:
        return  # French, too short, or telegraphic text with no sign of another language
    evidence = text[:80].replace("\n", " ")
    # A few French words (a place, "H/F", one sentence) do not make a foreign text French.
    if fr < 0.06 or (other >= 0.12 and other >= 3 * fr):
        yield Hit("description", evidence, message=f"Texte non rédigé en français (mots outils français : {fr:.0%}, étrangers : {other:.0%}).")
    elif fr < 0.15:
        yield Hit("description", evidence, Severity.WARN, "mixed", f"Texte majoritairement non français (mots outils français : {fr:.0%}, étrangers : {other:.0%}).")


RULES: tuple[Rule, ...] = (
    Rule("FORM-03", Severity.REJECT, "L5331-4", "Offre non rédigée en français.", _french, fields=("title", "description")),
)
