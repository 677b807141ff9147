"""What a partner may see of a CV: data minimisation (CV-02) and anonymisation (CV-05).

Two views, chosen by the candidate:

* **named** (:func:`minimise_cv`): name, e-mail and phone stay; the postal address
  (commune and postcode stay), birth date, photo (unless ``photo_shared``), and in
  every free-text field the NIR, bank details (IBAN, RIB, BIC), date of birth and
  age, street addresses and special-category mentions (art. 9) are removed.
* **anonymous** (:func:`anonymise_cv`): all of the above, and the contact block,
  the photo, the commune and postcode (the place keeps the département only), and
  in the free text the candidate's name (any case, accents, separators; full name,
  first and last name alone), the candidate id, every e-mail, phone number and URL,
  the commune and the postcode.

Free-text fields are every string of the CV (title, summary, skills, experiences,
education, languages, availability...): the scrubbing walks the whole model, so a
new field is covered by default. Special-category mentions (health, disability and
RQTH, religion, trade union, political opinion, sexual orientation, ethnic origin,
family situation; :data:`SPECIAL_CATEGORIES`) are removed with the clause that holds
them (text between ``. , ; ! ? •`` or line breaks), a list item whole.

Over-redaction is the accepted failure mode (a school named like the candidate,
"handicap" in a care worker's job description). An anonymous CV is still only
pseudonymised (CV-05): employers, dates and schools stay.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from stdnum import iban as std_iban
from stdnum.fr import nir as std_nir

from publisher.cv import CV, CvPlace
from publisher.redact import MASK, Redactor, fold, fold_same_length, phone_digits

__all__ = [
    "SPECIAL_CATEGORIES",
    "CvScrubber",
    "anonymise_cv",
    "mask_bank_details",
    "mask_nir",
    "minimise_cv",
    "shared_cv",
    "strip_special_categories",
]

_SEP = r"[\s.\-/]?"
# NIR: sex (1, 2; 3, 4, 7, 8 for special cases), year, month, then département
# (2A/2B for Corsica) + commune + order number in any grouping, then the optional key.
_NIR_RE = re.compile(
    r"(?<![0-9A-Za-z])[1-478](?:" + _SEP + r"\d){4}" + _SEP + r"(?:\d" + _SEP + r"\d|2" + _SEP
    + r"[ABab])(?:" + _SEP + r"\d){6}(?:[\s.\-/]{0,3}\d" + _SEP + r"\d)?(?![0-9A-Za-z])"
)
_IBAN_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]{2}\d{2}(?:[ \-]?[A-Za-z0-9]){11,32}")
# French RIB: bank (5) guichet (5) account (11) key (2).
_RIB_RE = re.compile(r"(?<!\d)\d{5}[ \-]?\d{5}[ \-]?[0-9A-Za-z]{11}[ \-]?\d{2}(?![0-9A-Za-z])")
_BIC_RE = re.compile(r"(?i)\b(bic|swift)(\s*(?:code)?\s*:?\s*)[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?\b")
_IBAN_LENGTHS = {"FR": 27, "MC": 27, "DE": 22, "BE": 16, "ES": 24, "IT": 27, "LU": 20, "CH": 21,
                 "GB": 22, "NL": 18, "PT": 25, "IE": 22, "AT": 20}
_INTL_PHONE_RE = re.compile(r"(?<![\w+])\+\d{1,3}[\s.\-]?(?:\(0\)[\s.\-]?)?\d(?:[\s.\-]?\d){6,13}(?!\d)")
_FR_PHONE_RE = re.compile(r"(?<!\d)(?:\+33|0033|0)\s?[1-9](?:[\s.\-]?\d{2}){4}(?!\d)")
_STREET_WORDS = (
    r"rue|avenue|av\.?|boulevard|bd|bld|place|pl\.|chemin|allee|impasse|route|rte|quai|cours|"
    r"square|voie|villa|cite|passage|residence|lotissement|hameau|lieu[\s-]dit|faubourg|fbg|"
    r"rond[\s-]point|parvis|sentier|promenade|esplanade|montee|traverse|clos|sente|ruelle|"
    r"domaine|chaussee"
)
# On folded text. With a number: "12 bis, rue des Lilas", "3 allée…" (then the rest of the
# clause and an optional "93100 Montreuil"); without one only the unambiguous "rue de …".
_STREET_RE = re.compile(
    r"(?:(?<![\w])\d{1,4}\s*(?:bis|ter|quater|[abc])?\s*,?\s*(?:" + _STREET_WORDS + r")"
    r"|(?<![\w])(?:rue|avenue|boulevard|impasse|allee)\s+(?:de\s+la|de|du|des|d'))"
    r"[\s'][^,;\n.()]{0,60}(?:,?\s*\d{5}(?:\s+[^\W\d][\w'\-]*){0,3})?"
)
_POBOX_RE = re.compile(r"(?<!\w)(?:bp|cs|tsa)\s*\d{1,6}(?!\d)")
_MONTHS = [
    ("janvier", "janv"), ("fevrier", "fevr", "fev"), ("mars",), ("avril", "avr"), ("mai",),
    ("juin",), ("juillet", "juil"), ("aout",), ("septembre", "sept"), ("octobre", "oct"),
    ("novembre", "nov"), ("decembre", "dec"),
]
_ANY_DATE = (
    r"(?:\d{1,2}(?:er)?[\s./\-]+(?:\d{1,2}|[a-z]{3,9}\.?)[\s./\-]+\d{2,4}|\d{4}[\s./\-]\d{1,2}[\s./\-]\d{1,2}"
    r"|(?:en\s+)?\d{4})"
)
_BIRTH_CONTEXT_RE = re.compile(
    r"(?<![^\W_])(?:nee?s?|n\(e\)|date\s+de\s+naissance|naissance|birth\s*date|date\s+of\s+birth|born)"
    r"\s*(?:le|en|:|on|in)?\s*:?\s*" + _ANY_DATE
)
# Only ages said as such ("âgée de 34 ans", "âge : 34", "j'ai 34 ans"): "10 ans" alone
# is usually experience.
_AGE_RE = re.compile(r"(?<![^\W_])(?:agee?s?\s+de\s+|age\s*:?\s*|j'ai\s+)\d{1,2}\s*ans")

_ORIGINS = (
    r"maghreb|afric|algeri|marocain|tunisien|senegal|malien|ivoiri|camerouna|antillai|asiati|"
    r"chinois|vietnam|turqu|turc|portugais|italien|espagnol|polonais|roumain|arabe|juive|juif|"
    r"berbere|kabyle|etrang|immigr|comorien|haitien|congolais|guineen|russe|ukrainien|indien|"
    r"pakistanais|kurde|armenien"
)

#: Art. 9 special categories and family situation (CV-02), as regexes on folded text.
SPECIAL_CATEGORIES: dict[str, tuple[str, ...]] = {
    "health": (
        r"rqth", r"handicap\w*", r"invalidite\w*", r"reconnaissance de (?:la )?qualite de travailleur",
        r"mdph", r"aah", r"maladie\w*", r"malade\w*", r"affection de longue duree", r"\bald\b",
        r"cancer\w*", r"diabet\w*", r"depressi\w*", r"burn[\s-]?out", r"epilep\w*", r"sclerose\w*",
        r"vih", r"seropositi\w*", r"sida", r"autis\w*", r"dyslex\w*", r"dyspra\w*", r"bipolaire\w*",
        r"schizophren\w*", r"sourde?s?", r"malentendant\w*", r"malvoyant\w*", r"aveugle\w*",
        r"fauteuil roulant", r"mi-temps therapeutique", r"accident du travail",
        r"enceinte", r"grossesse", r"conge (?:maternite|parental|maladie)", r"arret maladie",
        r"sante fragile", r"etat de sante", r"traitement medical", r"hospitalis\w*",
    ),
    "religion": (
        r"religi\w*", r"catholique\w*", r"musulman\w*", r"islam\w*", r"juif\w*", r"juive\w*",
        r"judaism\w*", r"chretien\w*", r"protestant\w*", r"evangeli\w*", r"bouddhis\w*",
        r"hindou\w*", r"sikh\w*", r"athee\w*", r"agnostique\w*", r"pratiquant\w*", r"croyant\w*",
        r"mosquee\w*", r"synagogue\w*", r"paroisse\w*", r"paroissia\w*", r"eglise\w*",
        r"temoins? de jehovah", r"ramadan", r"voile islamique", r"aumoneri\w*",
    ),
    "union": (
        r"syndica\w*", r"syndique\w*", r"cgt", r"cfdt", r"cftc", r"cfe[\s-]?cgc", r"force ouvriere",
        r"unsa", r"sud (?:solidaires|rail|ptt|sante|education|travail)", r"union syndicale",
        r"fsu",
    ),
    "political": (
        r"parti (?:socialiste|communiste|radical|pirate|animaliste|de gauche)", r"les republicains",
        r"rassemblement national", r"front national", r"france insoumise", r"lfi", r"eelv",
        r"europe ecologie", r"reconquete", r"republique en marche", r"lrem", r"mouvement democrate", r"npa",
        r"lutte ouvriere", r"militant\w*", r"engagement politique", r"opinions? politiques?",
        r"encarte\w*", r"anarchis\w*", r"communiste\w*", r"elections? (?:municipales|legislatives|"
        r"regionales|europeennes|presidentielles?|departementales)", r"parti politique",
    ),
    "sexual_orientation": (
        r"homosexu\w*", r"heterosexu\w*", r"bisexu\w*", r"lesbienne\w*", r"gays?", r"lgbt\w*",
        r"queer", r"transgenre\w*", r"orientation sexuelle", r"identite de genre",
    ),
    "ethnic_origin": (
        r"origines? (?:ethnique|maghrebine|africaine|antillaise|asiatique|arabe|juive|berbere|"
        r"kabyle|turque|etrangere|immigree)\w*", r"d'origine (?:" + _ORIGINS + r")\w*",
        r"ethni\w*", r"race\w*",
        r"raciale?s?", r"couleur de peau",
    ),
    "family": (
        r"celibataire\w*", r"divorce\w*", r"pacse\w*", r"veuf", r"veuve\w*", r"concubin\w*",
        r"mariee?s?", r"marie\(e\)", r"(?:\d+|un|une|deux|trois|quatre|cinq|six) enfants?",
        r"mere (?:de|au foyer)", r"pere (?:de|au foyer)", r"situation (?:familiale|de famille|"
        r"matrimoniale)", r"en couple", r"sans enfant",
    ),
}
# "marie" is also a first name: only the first-person and listed forms count for it.
_SPECIAL_RE = re.compile(
    r"(?<![^\W_])(?:"
    + "|".join(t for terms in SPECIAL_CATEGORIES.values() for t in terms if t != r"mariee?s?")
    + r"|mariee|maries|mariees|(?:je suis|suis|etant|situation\s*:?)\s+marie)(?![^\W_])"
)
_CLAUSE_SPLIT = re.compile(r"([.,;!?•·|\n]+)")


def mask_nir(text: str) -> str:
    """Mask French social-security numbers (NIR), spaced or not, Corsica (2A/2B) included.

    Every NIR-shaped number is masked, valid key or not (a mistyped NIR is
    still one); :func:`stdnum.fr.nir.is_valid` confirms the well-formed ones.
    """
    return _NIR_RE.sub(MASK, text) if any(c.isdigit() for c in text) else text


def is_nir(value: str) -> bool:
    """Whether ``value`` is a valid NIR (``stdnum.fr.nir``), separators ignored."""
    return bool(std_nir.is_valid(re.sub(r"[\s.\-/]", "", value)))


def _iban_sub(m: re.Match[str]) -> str:
    s = m.group(0)
    compact = re.sub(r"[ \-]", "", s).upper()
    for n in range(min(len(compact), 34), 14, -1):
        if std_iban.is_valid(compact[:n]):
            return MASK + _tail(s, n)
    expected = _IBAN_LENGTHS.get(compact[:2])
    if expected and len(compact) >= expected:  # a bad key is still bank details
        return MASK + _tail(s, expected)
    return s


def _tail(original: str, n_alnum: int) -> str:
    """What follows the first ``n_alnum`` alphanumerics of ``original``."""
    seen = 0
    for i, c in enumerate(original):
        if c.isalnum():
            seen += 1
            if seen == n_alnum:
                return original[i + 1:]
    return ""


def mask_bank_details(text: str) -> str:
    """Mask IBANs (checked with ``stdnum.iban``; known country lengths), French RIBs and BICs."""
    if not any(c.isdigit() for c in text):
        return text
    text = _IBAN_CANDIDATE.sub(_iban_sub, text)
    text = _RIB_RE.sub(MASK, text)
    return _BIC_RE.sub(lambda m: m.group(1) + m.group(2) + MASK, text)


def mask_bank_and_nir(text: str) -> str:
    """Mask bank details, then NIRs: in that order, because an IBAN's trailing digit groups
    can read as a NIR, and masking those first would leave the IBAN's head behind."""
    return mask_nir(mask_bank_details(text))


def strip_special_categories(text: str) -> str:
    """Replace each clause that mentions a special category by :data:`~publisher.redact.MASK`."""
    if not _SPECIAL_RE.search(fold_same_length(text)):
        return text
    parts = _CLAUSE_SPLIT.split(text)
    for i in range(0, len(parts), 2):
        if _SPECIAL_RE.search(fold_same_length(parts[i])):
            lead = " " if parts[i][:1].isspace() else ""
            trail = " " if parts[i][-1:].isspace() else ""
            parts[i] = lead + MASK + trail
    return "".join(parts)


def _date_patterns(d: date) -> list[re.Pattern[str]]:
    """Regexes (on folded text) for ``d`` written the usual French and ISO ways."""
    day = rf"0?{d.day}" + (r"(?:er)?" if d.day == 1 else "")
    month_num = rf"0?{d.month}"
    names = "|".join(re.escape(n) + r"\.?" for n in _MONTHS[d.month - 1])
    year = rf"(?:{d.year}|{d.year % 100:02d})"
    sep = r"[\s./\-]+"
    return [
        re.compile(rf"(?<!\d){day}{sep}(?:{month_num}|{names}){sep}{year}(?!\d)"),
        re.compile(rf"(?<!\d){d.year}{sep}{month_num}{sep}0?{d.day}(?!\d)"),
        re.compile(rf"(?<!\d)(?:{names}){sep}{day},?{sep}{d.year}(?!\d)"),
    ]


class CvScrubber:
    """Scrubs every free-text field of one CV for one view (named or anonymous)."""

    def __init__(self, cv: CV, *, anonymous: bool) -> None:
        self.anonymous = anonymous
        contact = cv.contact
        names: list[str] = []
        literals: list[str] = []
        digits: list[str] = []
        if contact and contact.address:
            literals += [p for p in re.split(r"[,\n;]", contact.address) if len(p.strip()) >= 4]
        if anonymous:
            if contact:
                names = contact.names()
                names += [t for n in names for t in re.split(r"[\s\-']+", n)
                          if len(fold(t)) >= 3 and fold(t) not in _PARTICLES]
                literals += [x for x in (contact.email,) if x]
                if contact.phone:
                    digits.append(phone_digits(contact.phone) or re.sub(r"\D", "", contact.phone))
            literals.append(cv.candidate_id)
            if cv.place:
                names += [x for x in (cv.place.commune,) if x]
                if cv.place.postcode:
                    digits.append(cv.place.postcode)
        self._redactor = Redactor(names=names, literals=literals, digits=digits,
                                  contacts=anonymous)
        self._postcode = cv.place.postcode if anonymous and cv.place else None
        self._birth = _date_patterns(cv.birth_date) if cv.birth_date else []

    def text(self, value: str) -> str:
        """Scrub one string."""
        value = mask_bank_and_nir(value)
        value = self._mask_folded(value, [_BIRTH_CONTEXT_RE, _AGE_RE, *self._birth,
                                          _STREET_RE, _POBOX_RE])
        value = strip_special_categories(value)
        if self.anonymous:
            value = _INTL_PHONE_RE.sub(MASK, value)
            value = _FR_PHONE_RE.sub(MASK, value)
            if self._postcode:
                value = re.sub(rf"(?<!\d){self._postcode}(?!\d)", MASK, value)
        return self._redactor.text(value) or value

    @staticmethod
    def _mask_folded(value: str, patterns: list[re.Pattern[str]]) -> str:
        folded = fold_same_length(value)
        if len(folded) != len(value):
            folded = "".join(c.lower() if len(c.lower()) == 1 else c for c in value)
        spans = sorted(m.span() for rx in patterns for m in rx.finditer(folded))
        if not spans:
            return value
        out, last = [], 0
        for start, end in spans:
            if start < last:
                start = last
            if end <= start:
                continue
            out.append(value[last:start] + MASK)
            last = end
        out.append(value[last:])
        return "".join(out)

    def walk(self, data: Any) -> Any:
        """Scrub every string inside a JSON-like value; list items emptied by it are dropped."""
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, list):
            out = [self.walk(x) for x in data]
            return [x for x in out if not (isinstance(x, str) and x.strip() in ("", MASK))]
        if isinstance(data, dict):
            return {k: (v if k in _STRUCTURED else self.walk(v)) for k, v in data.items()}
        return data


_PARTICLES = frozenset(["de", "du", "des", "le", "la", "les", "van", "von", "der", "den", "del",
                        "di", "da", "dos", "das", "el", "al", "ben", "bin", "ibn", "mac", "mc", "st"])
# Typed fields that are not free text (dates, codes, flags) are left as they are.
_STRUCTURED = frozenset(["start", "end", "year", "rome_codes", "visibility", "candidate_id",
                         "birth_date", "last_contact_at", "photo_shared", "consents", "departement"])


def _view(cv: CV, *, anonymous: bool) -> CV:
    scrub = CvScrubber(cv, anonymous=anonymous)
    data = cv.model_dump(mode="json", exclude={"consents", "last_contact_at"})
    data["birth_date"] = None
    if anonymous:
        data["contact"] = None
        data["photo_url"] = None
        dep = cv.place.departement if cv.place else None
        data["place"] = CvPlace(departement=dep).model_dump(mode="json") if dep else None
    else:
        if data.get("contact"):
            data["contact"]["address"] = None
        if not cv.photo_shared:
            data["photo_url"] = None
    data = scrub.walk(data)
    if not anonymous and cv.contact:
        # The candidate chose to be named: the contact block is shown as given.
        data["contact"] = {**cv.contact.model_dump(mode="json"), "address": None}
    data["visibility"] = "anonymous" if anonymous else "named"
    return CV.model_validate(data)


def anonymise_cv(cv: CV) -> CV:
    """The anonymous view of ``cv`` (see the module docs); ``cv`` is not modified."""
    return _view(cv, anonymous=True)


def minimise_cv(cv: CV) -> CV:
    """The named view of ``cv``: identity and contact kept, everything else CV-02 strips removed."""
    return _view(cv, anonymous=False)


def shared_cv(cv: CV) -> CV:
    """The view of ``cv`` in the visibility the candidate chose."""
    view: Callable[[CV], CV] = anonymise_cv if cv.visibility == "anonymous" else minimise_cv
    return view(cv)


def sanitise_for_storage(cv: CV) -> CV:
    """``cv`` without NIR and bank details anywhere (never stored, CV-01/CV-02)."""

    def walk(data: Any) -> Any:
        if isinstance(data, str):
            return mask_bank_and_nir(data)
        if isinstance(data, list):
            return [walk(x) for x in data]
        if isinstance(data, dict):
            return {k: (v if k in _STRUCTURED else walk(v)) for k, v in data.items()}
        return data

    data = walk(cv.model_dump(mode="json"))
    return CV.model_validate(data)
