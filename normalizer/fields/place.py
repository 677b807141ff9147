"""Place of work: département, region, city, postcode, INSEE code, country, coordinates."""

from __future__ import annotations

import re
from dataclasses import dataclass

from jobgate.schema import Place

from ._common import fold, to_float
from .data.geo import (
    COUNTRIES,
    DEPARTEMENT_ALIASES,
    DEPARTEMENTS,
    NON_DEPARTEMENT_PREFIXES,
    REGION_ALIASES,
    REGIONS,
)
from .text import repair_text

__all__ = ["departement_from_insee", "departement_from_postcode", "parse_place"]

#: Folded département name -> code (official names plus aliases).
DEPARTEMENT_BY_NAME: dict[str, str] = {fold(name): code for code, (name, _) in DEPARTEMENTS.items()}
DEPARTEMENT_BY_NAME.update(DEPARTEMENT_ALIASES)
#: Folded region name -> INSEE region code.
REGION_BY_NAME: dict[str, str] = {fold(name): code for code, name in REGIONS.items()}
REGION_BY_NAME.update(REGION_ALIASES)
#: Postcodes inside the 971 range that belong to other collectivities.
SPECIAL_POSTCODES: dict[str, str] = {"97133": "BL", "97150": "MF"}
#: INSEE codes of the municipal arrondissements of Paris, Lyon and Marseille -> city.
_ARRONDISSEMENT_RANGES = (("751", 1, 20, "Paris"), ("6938", 1, 9, "Lyon"), ("132", 1, 16, "Marseille"))

_DEPT_CODE = re.compile(r"^(?:0?[1-9]|[1-8]\d|9[0-5]|2[abAB]|97[1-6])$")
_POSTCODE = re.compile(r"^\d{5}$")
_CODE_DASH = re.compile(r"^(\d{1,3}|2[AaBb])\s+-\s+(.+)$")
_PAREN = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")
_WITH_POSTCODE = re.compile(r"^(\d{5})\s+(.+)$|^(.+?)\s+(\d{5})$")
_SPLIT = re.compile(r"\s*[;,]\s*|\s+[-–|/]\s+")
_ADMIN_PREFIX = re.compile(r"^(?:canton|arrondissement|communaute|metropole|agglomeration)\b")
_CITY_ARRONDISSEMENT = re.compile(
    r"^(paris|lyon|marseille)(?:\s+(?:\d{1,2})(?:\s*(?:e|er|eme|ieme))?(?:\s+arr(?:ondissement)?)?"
    r"|\s+dept|\s+cedex(?:\s+\d+)?)?$"
)
_CEDEX = re.compile(r"\s+cedex(?:\s*\d+)?\s*$", re.IGNORECASE)
_PARTICLES = frozenset({"de", "du", "des", "la", "le", "les", "sur", "sous", "en", "et", "aux",
                        "au", "lès", "lez", "d", "l", "à", "a"})
_WORD_SPLIT = re.compile(r"([\s\-']+)")
_IGNORED_PAREN = frozenset({"dept", "departement", "frontalier", "france", "fr"})


def _norm_dept(code: str) -> str | None:
    code = code.strip().upper()
    if not _DEPT_CODE.match(code):
        return None
    if len(code) == 1:
        code = "0" + code
    return code if code in DEPARTEMENTS else None


def departement_from_postcode(postcode: str) -> tuple[str | None, str | None]:
    """Département code and ISO country of a French postcode.

    Corsica: postcodes 20000-20199 are Corse-du-Sud (2A) and 20200-20999 Haute-Corse
    (2B), the rule La Poste follows (Ajaccio 20000/20090, Bastia 20200/20600). Overseas
    971xx-974xx and 976xx are départements; 975xx, 97133, 97150 and 98xxx belong to
    collectivities with their own country code (Monaco 98000 is MC).

    Args:
        postcode: a 5-digit postcode (4 digits are zero-padded).

    Returns:
        ``(departement, country)``; ``(None, None)`` for an invalid postcode.
    """
    code = postcode.strip()
    if len(code) == 4 and code.isdigit():
        code = "0" + code
    if not _POSTCODE.match(code) or code.startswith(("00", "99")):
        return None, None
    if code in SPECIAL_POSTCODES:
        return None, SPECIAL_POSTCODES[code]
    if code.startswith("20"):
        return ("2A" if int(code) < 20200 else "2B"), "FR"
    if code.startswith(("97", "98")):
        prefix = code[:3]
        if prefix in NON_DEPARTEMENT_PREFIXES:
            return None, NON_DEPARTEMENT_PREFIXES[prefix]
        if prefix in DEPARTEMENTS:
            return prefix, "FR"
        return None, None
    return code[:2], "FR"


def departement_from_insee(insee: str) -> tuple[str | None, str | None]:
    """Département code and ISO country of an INSEE commune code (2A/2B and 97x aware).

    Args:
        insee: a 5-character INSEE commune code ("69123", "2A004", "97411").

    Returns:
        ``(departement, country)``; codes starting with 99 (foreign countries) and
        invalid codes give ``(None, None)``.
    """
    code = insee.strip().upper()
    if len(code) == 4 and code.isdigit():
        code = "0" + code
    if len(code) != 5 or not (code.isdigit() or (code[:2] in ("2A", "2B") and code[2:].isdigit())):
        return None, None
    if code.startswith(("97", "98")):
        prefix = code[:3]
        if prefix in NON_DEPARTEMENT_PREFIXES:
            return None, NON_DEPARTEMENT_PREFIXES[prefix]
        return (prefix, "FR") if prefix in DEPARTEMENTS else (None, None)
    if code.startswith(("99", "00")) or code.startswith("20"):
        return None, None
    return code[:2], "FR"


def _city_from_insee(insee: str) -> str | None:
    for prefix, low, high, city in _ARRONDISSEMENT_RANGES:
        if insee.startswith(prefix):
            rest = insee[len(prefix):]
            if rest.isdigit() and low <= int(rest) <= high:
                return city
    return None


def _display_city(city: str) -> str:
    """Canonical display of a city name: arrondissements folded, ALL CAPS title-cased."""
    city = _CEDEX.sub("", city.strip())
    folded = fold(city)
    match = _CITY_ARRONDISSEMENT.match(folded)
    if match:
        return match.group(1).capitalize()
    if city.upper() != city or not any(c.isalpha() for c in city):
        return city
    parts = _WORD_SPLIT.split(city.lower())
    out: list[str] = []
    first = True
    for part in parts:
        if not part or _WORD_SPLIT.fullmatch(part):
            out.append(part)
            continue
        if part in ("st", "ste"):
            part = "saint" if part == "st" else "sainte"
        out.append(part if (part in _PARTICLES and not first) else part[:1].upper() + part[1:])
        first = False
    return "".join(out)


@dataclass
class _Found:
    departement: str | None = None
    region: str | None = None
    country: str | None = None
    city: str | None = None
    postcode: str | None = None


def _classify(part: str, found: _Found, *, as_city: bool = True) -> None:
    """Read one segment of a place label into ``found`` (first finding of a kind wins)."""
    part = part.strip().strip(".")
    if not part:
        return
    code = _norm_dept(part)
    if code is not None and part.strip().isalnum():
        found.departement = found.departement or code
        return
    if _POSTCODE.match(part):
        found.postcode = found.postcode or part
        return
    folded = fold(part)
    if not folded or _ADMIN_PREFIX.match(folded):
        return
    match = _WITH_POSTCODE.match(part)
    if match:
        found.postcode = found.postcode or match.group(1) or match.group(4)
        _classify(match.group(2) or match.group(3), found, as_city=as_city)
        return
    if folded in DEPARTEMENT_BY_NAME and folded != "paris":
        by_name = DEPARTEMENT_BY_NAME[folded]
        # "38 - Vienne": a town named like another département is a town.
        if found.departement is None or found.departement == by_name:
            found.departement = by_name
            return
    match = _PAREN.match(part)
    if match:
        inner, inner_folded = match.group(2).strip(), fold(match.group(2))
        combined = fold(match.group(1) + " " + inner)
        if combined in DEPARTEMENT_BY_NAME:  # "Pyrénées (Hautes)"
            found.departement = found.departement or DEPARTEMENT_BY_NAME[combined]
            return
        inner_code = _norm_dept(inner)
        if inner_code is not None:
            found.departement = found.departement or inner_code
        elif inner_folded in ("dept", "departement") and fold(match.group(1)) in DEPARTEMENT_BY_NAME:
            found.departement = found.departement or DEPARTEMENT_BY_NAME[fold(match.group(1))]
            return
        elif inner_folded and inner_folded not in _IGNORED_PAREN:
            _classify(inner, found, as_city=False)
        _classify(match.group(1), found, as_city=as_city)
        return
    if folded in COUNTRIES:
        found.country = found.country or COUNTRIES[folded]
        return
    if folded in REGION_BY_NAME:
        found.region = found.region or REGION_BY_NAME[folded]
        return
    if folded == "paris":
        found.departement = found.departement or "75"
    if as_city and found.city is None and any(c.isalpha() for c in part):
        found.city = part


def _read_label(text: str, found: _Found) -> None:
    match = _CODE_DASH.match(text)
    if match and match.group(1) in NON_DEPARTEMENT_PREFIXES:
        # "978 - ST MARTIN", "975 - ST PIERRE": collectivities, not départements
        found.country = found.country or NON_DEPARTEMENT_PREFIXES[match.group(1)]
        text = match.group(2)
    elif match and _norm_dept(match.group(1)):
        # France Travail: "69 - LYON 02", "972 - Martinique", "75 - Paris (Dept.)"
        found.departement = found.departement or _norm_dept(match.group(1))
        text = match.group(2)
    whole = fold(text)
    if (whole in DEPARTEMENT_BY_NAME and whole != "paris") or whole in COUNTRIES:
        _classify(text, found)
        return
    for part in _SPLIT.split(text):
        _classify(part, found)


def _coordinate(value: object, limit: float) -> float | None:
    number = to_float(value)
    if number is None or not -limit <= number <= limit:
        return None
    return number


def parse_place(
    label: str | None = None,
    *,
    city: str | None = None,
    postcode: str | int | None = None,
    insee: str | None = None,
    departement: str | None = None,
    region: str | None = None,
    country: str | None = None,
    latitude: object = None,
    longitude: object = None,
) -> Place:
    """Parse a place label and/or structured place fields into a :class:`Place`.

    Labels: France Travail ("69 - LYON 02", "75 - Paris 15e Arrondissement",
    "972 - Martinique", "75", "France", "Nouvelle-Aquitaine", "Rust, Allemagne"),
    partner forms ("Lyon (69)", "Bastia (2B)", "Puteaux, Hauts-de-Seine", Jooble's
    "Canton de Puteaux; Arrondissement de Nanterre; Hauts-de-Seine (92); Ile-de-France").
    The département comes from, in order: the INSEE code, the code in the label, the
    postcode, the ``departement`` field (code or name), a département name in the
    label. The region (current official name) follows from the département, else
    from a region name or abbreviation (old regions map to the new ones). Foreign
    places get their ISO country and no département. City names are tidied for
    display ("LYON 02" → "Lyon", "ST PRIEST" → "Saint Priest"); ``label`` keeps the text.
    Coordinates outside [-90, 90] / [-180, 180], or exactly (0, 0), are dropped.

    Args:
        label: place as written by the source.
        city: city field.
        postcode: postcode field.
        insee: INSEE commune code.
        departement: département code or name ("69", "VAL DE MARNE", "Rhône (69)").
        region: region name or abbreviation.
        country: country name or ISO code.
        latitude: latitude (number or text).
        longitude: longitude (number or text).

    Returns:
        The place; fields that could not be read are None (country defaults to "FR").
    """
    found = _Found()
    insee_code = str(insee).strip().upper() if insee not in (None, "") else None
    dept_insee: str | None = None
    country_code: str | None = None
    if insee_code:
        dept_insee, country_code = departement_from_insee(insee_code)
    label_text = repair_text(label).strip() if label else ""
    if label_text:
        _read_label(label_text, found)
    pc = str(postcode).strip() if postcode not in (None, "") else None
    if pc and len(pc) == 4 and pc.isdigit():
        pc = "0" + pc
    city_text = repair_text(city).strip() if city else ""
    if city_text:
        if re.search(r"[;,()]", city_text) or _WITH_POSTCODE.match(city_text):
            sub = _Found()
            _read_label(city_text, sub)
            found.city = sub.city or found.city
            found.departement = found.departement or sub.departement
            found.region = found.region or sub.region
            found.country = found.country or sub.country
            found.postcode = found.postcode or sub.postcode
        else:
            found.city = city_text
    pc = pc or found.postcode
    dept_pc, country_pc = departement_from_postcode(pc) if pc else (None, None)

    dept_field = None
    if departement and str(departement).strip():
        sub = _Found()
        _classify(repair_text(str(departement)), sub, as_city=False)
        dept_field = sub.departement
    dept = dept_insee or found.departement or dept_pc or dept_field

    region_code = DEPARTEMENTS[dept][1] if dept else None
    if region_code is None:
        region_code = found.region
        if region_code is None and region:
            region_code = REGION_BY_NAME.get(fold(repair_text(region)))

    iso = country_code or country_pc
    if found.country and found.country != "FR":
        iso = found.country
        dept, region_code = None, None
    elif iso is None and country and str(country).strip():
        folded = fold(repair_text(country))
        iso = COUNTRIES.get(folded) or (folded.upper() if len(folded) == 2 else None)
        if iso and iso != "FR":
            dept, region_code = None, None
    if iso is None:
        iso = "FR"
    if iso != "FR" and (dept_insee is None and dept_pc is None):
        dept, region_code = None, None

    city_name = _city_from_insee(insee_code) if insee_code else None
    if found.city:
        city_name = _display_city(found.city)
        folded_city = fold(city_name)
        if (not city_text and dept is not None and folded_city != "paris"
                and DEPARTEMENT_BY_NAME.get(folded_city) == dept):
            city_name = None

    lat = _coordinate(latitude, 90.0)
    lon = _coordinate(longitude, 180.0)
    if lat is None or lon is None or (lat == 0.0 and lon == 0.0):
        lat = lon = None
    return Place(
        label=label_text or None,
        city=city_name,
        postcode=pc if pc and _POSTCODE.match(pc) else None,
        insee=insee_code if insee_code and len(insee_code) == 5 else None,
        departement=dept,
        region=REGIONS[region_code] if region_code else None,
        country=iso,
        latitude=lat,
        longitude=lon,
    )
