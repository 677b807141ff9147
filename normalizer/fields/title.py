"""Offer titles: gender markers, separators, ALL CAPS, and "title - place" splitting."""

from __future__ import annotations

import re

from ._common import fold
from .place import DEPARTEMENT_BY_NAME, REGION_BY_NAME
from .text import repair_text

__all__ = ["clean_title", "split_title_place"]

_G = r"(?:h|f|m|w|d|x|nb|n|i)"
# "H/F", "F/H", "H/F/X", "h/f", "M/F", "H/F/NB", "m/w/d", "H / F", "Homme/Femme"…
_GENDER_CORE = (
    rf"(?:[hfmw]\s*/\s*{_G}(?:\s*/\s*{_G}){{0,2}}"
    r"|hommes?\s*(?:/|ou|et)\s*femmes?|femmes?\s*(?:/|ou|et)\s*hommes?)"
)
_GENDER = re.compile(
    rf"\(\s*{_GENDER_CORE}\s*\)|\[\s*{_GENDER_CORE}\s*\]"
    rf"|\(\s*[hf]\s*-\s*[hf]\s*\)"
    rf"|(?<![\w/]){_GENDER_CORE}(?![\w/])",
    re.IGNORECASE,
)
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")
_SPACED_SEP = re.compile(r"\s*([|])\s*|\s+([-–—])\s+")
_SEP_RUN = re.compile(r"(\s[-–—|]\s)(?:[-–—|,/]\s*)+")
_EDGE = re.compile(r"^[\s\-–—|,/:;.]+|[\s\-–—|,/:;]+$")
_SPACES = re.compile(r"\s{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,)\]])")

#: Acronyms kept upper case when an ALL CAPS title is turned into sentence case.
ACRONYMS: frozenset[str] = frozenset(
    {"RH", "IT", "BTP", "SAV", "CDI", "CDD", "BTS", "DUT", "BUT", "BAC", "PME", "TPE", "SI",
     "SIRH", "ERP", "SAP", "QHSE", "HSE", "QSE", "VRP", "ASH", "AES", "AMP", "AVS", "IDE",
     "ATSEM", "CAP", "CACES", "SSIAP", "SEO", "SEA", "CRM", "B2B", "B2C", "UX", "UI", "IA",
     "AI", "PHP", "SQL", "VL", "PL", "SPL", "DRH", "DAF", "DSI", "CTO", "CEO", "CFO", "PDG",
     "TP", "VTC", "EHPAD", "QA", "R&D", "GMS", "ESAT", "PMR", "IDEC", "AS", "AP", "ADV",
     "BE", "CNC", "CVC", "GTB", "PLC", "API", "BI", "AWS", "GCP", "ETL", "RSE", "CSE",
     "DG", "CHR", "SNCF", "RATP", "EDF", "IKEA", "TV", "PAO", "DAO", "CAO", "BIM", "MOA",
     "MOE", "AMOA", "PMO", "IOS", "NET", "VIE", "UK", "USA", "FLE", "EPS", "AESH", "ULIS",
     "CESF", "ETAM", "OPC", "TCE", "VRD", "SST", "EPI", "HACCP", "GPEC", "KYC", "LCB", "FT",
     "ARS", "CHU", "CPAM", "CAF", "URSSAF", "ONG", "PMI", "DEAES", "AVQ", "CQP", "TMA"}
)
_WORD = re.compile(r"[A-ZÀ-ÖØ-Þ0-9&]+(?:'[A-ZÀ-ÖØ-Þ]+)?")


def _sentence_case(title: str) -> str:
    lowered = title.lower()

    def keep_acronym(match: re.Match[str]) -> str:
        word = match.group(0)
        return word if word in ACRONYMS else word.lower()

    lowered = _WORD.sub(keep_acronym, title)
    chars = list(lowered)
    capitalise_next = True
    for index, char in enumerate(chars):
        if capitalise_next and char.isalpha():
            chars[index] = char.upper()
            capitalise_next = False
        elif char in "-–—|" and index > 0 and chars[index - 1] == " ":
            capitalise_next = True
    return "".join(chars)


def _is_all_caps(title: str) -> bool:
    letters = [c for c in title if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def _tidy(title: str) -> str:
    title = _EMPTY_BRACKETS.sub(" ", title)
    title = _SPACED_SEP.sub(lambda m: f" {m.group(1) or m.group(2)} ", title)
    title = _SEP_RUN.sub(r"\1", title)
    title = _SPACES.sub(" ", title)
    title = _SPACE_BEFORE_PUNCT.sub(r"\1", title)
    return _EDGE.sub("", title).strip()


def clean_title(title: str) -> str:
    """Clean an offer title for display and matching.

    Gender markers ("H/F", "F/H", "(H/F)", "H/F/X", "(F/H)", "h/f", "- H/F", "M/F",
    "(H/F/NB)", "m/w/d", "Homme/Femme"…) are removed wherever they appear; separators
    and whitespace are tidied ("Vendeur H/F - " → "Vendeur"); an ALL CAPS title is
    put in sentence case (common acronyms such as RH, CDI, BTP are kept). Mixed-case
    titles keep their case. The caller keeps the original title.

    Args:
        title: the title as published.

    Returns:
        The cleaned title (the repaired original if cleaning would leave nothing).
    """
    text = repair_text(title or "").replace("\n", " ").strip()
    if not text:
        return ""
    cleaned = _tidy(_GENDER.sub(" ", text))
    if not cleaned:
        cleaned = _tidy(text)
    if _is_all_caps(cleaned):
        cleaned = _sentence_case(cleaned)
    return cleaned


# --- title / place split -------------------------------------------------------------------

_TRAILING_SEGMENT = re.compile(
    r"^(?P<title>.*\S)\s+[-–—|]\s+(?P<place>[^\s|–—-](?:(?!\s[-–—|]\s)[^|])*?)\s*$"
)
_TRAILING_DEP = re.compile(r"^(?P<title>.*?\S)\s*\((?P<dep>\d{2}|2[ABab]|97[1-6])\)\s*$")
_PLACE_WITH_DEP = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<dep>\d{2}|2[ABab]|97[1-6])\)$")
_DEP_ONLY = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6])$")
_PLACE_PARTICLES = frozenset({"de", "du", "des", "la", "le", "les", "sur", "sous", "en", "et",
                              "aux", "au", "lès", "lez", "d", "l", "à", "sainte", "saint"})
#: Capitalised words that end job titles but are not places (folded).
NOT_PLACES: frozenset[str] = frozenset(
    {"alternance", "apprentissage", "apprenti", "stage", "stagiaire", "cdi", "cdd", "interim",
     "freelance", "junior", "senior", "confirme", "confirmee", "debutant", "debutante",
     "experimente", "experimentee", "urgent", "nuit", "jour", "week end", "weekend",
     "teletravail", "remote", "hybride", "full remote", "manager", "commercial", "saisonnier",
     "saison", "ete", "hiver", "etudiant", "vacataire", "contrat", "independant", "consultant",
     "poste", "cadre", "java", "python", "php", "javascript", "typescript", "react", "angular",
     "vue", "node", "sap", "salesforce", "net", "devops", "data", "cloud", "aws", "azure",
     "linux", "windows", "ios", "android", "excel", "sql", "btp", "rh", "it", "b2b", "b2c",
     "export", "import", "international", "france", "europe", "retail", "luxe", "sante",
     "industrie", "batiment", "transport", "logistique", "finance", "banque", "assurance",
     "immobilier", "restauration", "hotellerie", "tourisme", "energie", "automobile", "aero",
     "aeronautique", "pharma", "pharmaceutique", "agroalimentaire", "chantier", "atelier",
     "magasin", "boutique", "agence", "siege", "usine", "entrepot", "plateforme", "h f",
     "f h", "temps plein", "temps partiel", "mi temps", "cdi interimaire", "vdi", "immediat",
     "asap", "bilingue", "anglais", "allemand", "espagnol", "italien", "ouest", "est", "nord",
     "sud", "centre", "secteur", "zone", "region", "national", "nationale", "grand compte",
     "grands comptes", "pme", "tpe", "startup", "start up", "groupe", "multisite",
     "multi sites", "itinerant", "itinerante", "sedentaire", "terrain", "domicile",
     "h f x", "f h x", "nouveau", "nouvelle", "offre", "recrutement", "emploi", "job"}
)
_NOUN_SUFFIX = re.compile(r"(?:erie|tion|sion|ique|isme|ment|eur|euse|rice|iste|ant|ante|age|iel"
                          r"|ielle|aire|able|ible|ier|iere)$")
_PLACE_WORD = re.compile(r"^[A-ZÀ-Ý][\w'’.]*$|^[A-ZÀ-Ý]+$")


def _looks_like_place(candidate: str) -> bool:
    folded = fold(candidate)
    if not folded or folded in NOT_PLACES or any(ch.isdigit() for ch in candidate):
        return False
    if folded in DEPARTEMENT_BY_NAME or folded in REGION_BY_NAME:
        return True
    words = [w for w in re.split(r"[\s\-]+", candidate) if w]
    if not 1 <= len(words) <= 5:
        return False
    significant = 0
    for word in words:
        bare = word.strip("'’.")
        if fold(bare) in _PLACE_PARTICLES or re.fullmatch(r"[dlDL]['’]\w+", bare):
            continue
        if not _PLACE_WORD.match(bare) or fold(bare) in NOT_PLACES:
            return False
        if _NOUN_SUFFIX.search(fold(bare)) and not bare.isupper():
            return False
        significant += 1
    return significant > 0


def split_title_place(title: str) -> tuple[str, str | None]:
    """Split a trailing place off a regional-newspaper RSS title.

    "Vendeur H/F - Lyon (69)" → ("Vendeur H/F", "Lyon (69)"), "Comptable - Rennes" →
    ("Comptable", "Rennes"), "Serveur (33)" → ("Serveur", "33"). Only a trailing
    "- City", "- City (dep)", "- dep" or "(dep)" segment is taken, and only when it
    looks like a place (capitalised words, optional département number, not a known
    job, sector or contract word such as "Alternance", "Java", "Temps partiel").

    Args:
        title: the title as published.

    Returns:
        ``(title without the place, place label or None)``; the title is unchanged when
        no place is found.
    """
    text = (title or "").strip()
    match = _TRAILING_SEGMENT.match(text)
    if match:
        head, place = match.group("title").strip(), match.group("place").strip()
        with_dep = _PLACE_WITH_DEP.match(place)
        if with_dep and _looks_like_place(with_dep.group("name").strip()):
            return head, place
        if _DEP_ONLY.match(place.upper()):
            return head, place.upper()
        if _looks_like_place(place) and any(c.isalpha() for c in head):
            return head, place
    match = _TRAILING_DEP.match(text)
    if match and any(c.isalpha() for c in match.group("title")):
        head = match.group("title").strip()
        # "Vendeur - Lyon (69)" was handled above; here "Vendeur Lyon (69)" keeps its words.
        return _EDGE.sub("", head).strip(), match.group("dep").upper()
    return text, None
