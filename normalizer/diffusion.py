"""Diffusion mode of a public-service offer, from its mapped source fields.

Two independent choices: visibility (nominatif, visibilite, anonyme) and
preselection (aucune, verification, valorisation, evaluation). Legacy stock codes:
``A`` is nominatif without preselection, ``C`` anonyme with verification. With no
diffusion field at all, we stay conservative: no employer name means anonymous.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from jobgate.schema import Diffusion, Preselection, Visibility

LEGACY_CODES: dict[str, Diffusion] = {
    "A": Diffusion(visibility=Visibility.NOMINATIF, preselection=Preselection.AUCUNE),
    "C": Diffusion(visibility=Visibility.ANONYME, preselection=Preselection.VERIFICATION),
}
VISIBILITY: dict[str, Visibility] = {
    "nominatif": Visibility.NOMINATIF,
    "visibilite": Visibility.VISIBILITE,
    "anonyme": Visibility.ANONYME,
}
PRESELECTION: dict[str, Preselection] = {
    "aucune": Preselection.AUCUNE,
    "sans": Preselection.AUCUNE,
    "verification": Preselection.VERIFICATION,
    "valorisation": Preselection.VALORISATION,
    "evaluation": Preselection.EVALUATION,
}


def _key(value: Any) -> str:
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    return text.strip().lower()


def diffusion_of(fields: Mapping[str, Any]) -> Diffusion:
    """The diffusion mode of a record's mapped fields.

    Raises:
        ValueError: a diffusion value is present but unknown (the record is
            quarantined rather than published in a guessed mode).
    """
    vis_raw, pre_raw = fields.get("visibility"), fields.get("preselection")
    if vis_raw or pre_raw:
        vis = VISIBILITY.get(_key(vis_raw)) if vis_raw else Visibility.ANONYME
        pre = PRESELECTION.get(_key(pre_raw)) if pre_raw else Preselection.AUCUNE
        if vis is None:
            raise ValueError(f"unknown diffusion visibility {vis_raw!r}")
        if pre is None:
            raise ValueError(f"unknown diffusion preselection {pre_raw!r}")
        return Diffusion(visibility=vis, preselection=pre)
    code = fields.get("diffusion_code")
    if code:
        mode = LEGACY_CODES.get(str(code).strip().upper())
        if mode is None:
            raise ValueError(f"unknown legacy diffusion code {code!r}")
        return mode.model_copy()
    if not fields.get("company"):
        return Diffusion(visibility=Visibility.ANONYME, preselection=Preselection.AUCUNE)
    return Diffusion(visibility=Visibility.NOMINATIF, preselection=Preselection.AUCUNE)
