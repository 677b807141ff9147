"""Small helpers shared by the field parsers (folding keys, number parsing)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower-case ``text``, strip accents and turn every non-alphanumeric run into one space.

    Used to build lookup keys: ``"Côtes-d'Armor"`` and ``"COTES D ARMOR"`` both fold to
    ``"cotes d armor"``. Cached because feeds repeat the same labels constantly.
    """
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_ALNUM.sub(" ", stripped.lower()).strip()


def to_float(value: object) -> float | None:
    """Read a number given as int, float or text ("33000.000", "1 710,00", "") or return None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        if not text:
            return None
        if "," in text and "." in text:
            # "1.710,00" (French grouping) or "1,710.00" (English grouping)
            if text.rfind(",") > text.rfind("."):
                text = text.replace(".", "").replace(",", ".")
            else:
                text = text.replace(",", "")
        else:
            text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return number
