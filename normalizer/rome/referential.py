"""The ROME referential (codes, fiches, appellations) loaded from the shipped CSVs."""

from __future__ import annotations

import csv
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

__all__ = ["DATA_DIR", "Appellation", "Fiche", "Referential", "RomeCode"]

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, slots=True)
class RomeCode:
    """One of the 532 main ROME codes.

    Attributes:
        code: Main code, e.g. ``"M1805"``.
        label: ROME 4.0 label.
        label_v3: Legacy ROME v3 label (older payloads use it).
        grand_domaine: Grand domaine letter, e.g. ``"M"``.
        grand_domaine_label: Its label.
        domaine: Domaine professionnel code, e.g. ``"M18"``.
        domaine_label: Its label.
    """

    code: str
    label: str
    label_v3: str
    grand_domaine: str
    grand_domaine_label: str
    domaine: str
    domaine_label: str


@dataclass(frozen=True, slots=True)
class Fiche:
    """One of the 1,584 ROME 4.0 fiches (the 532 main codes are fiches of themselves).

    Attributes:
        code: Fiche code, e.g. ``"M1855"``.
        label: Fiche label.
        code_rome: Parent main code, e.g. ``"M1805"``.
        domaine: Domaine professionnel of the fiche itself.
    """

    code: str
    label: str
    code_rome: str
    domaine: str


@dataclass(frozen=True, slots=True)
class Appellation:
    """A ROME job title.

    Attributes:
        ogr: OGR code (unique id), as a string.
        label: Long label, e.g. ``"Développeur / Développeuse web"``.
        short_label: Short label (truncated form of long labels).
        code_rome: Main code (one of the 532) as given by the appellation file. For 404
            appellations it differs from the parent of ``code_fiche`` (it keeps the
            legacy v3 code); the classifier rolls up through the fiche, like offers.
        code_fiche: ROME 4.0 fiche (one of the 1,584).
        main: True for the principal appellation of its fiche.
        rare: True when ROME flags it "peu usité".
    """

    ogr: str
    label: str
    short_label: str
    code_rome: str
    code_fiche: str
    main: bool
    rare: bool


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@dataclass(frozen=True)
class Referential:
    """Immutable view of the ROME referential.

    Build it with :meth:`load`, which caches one instance per data directory.

    Attributes:
        codes: The 532 main codes by code.
        fiches: The 1,584 fiches by code (main codes included).
        appellations: Appellations by OGR code.
        grands_domaines: Grand domaine letter to label.
        domaines: Domaine professionnel code to label.
    """

    codes: Mapping[str, RomeCode]
    fiches: Mapping[str, Fiche]
    appellations: Mapping[str, Appellation]
    grands_domaines: Mapping[str, str]
    domaines: Mapping[str, str]
    by_fiche: Mapping[str, tuple[Appellation, ...]] = field(repr=False)

    @classmethod
    def load(cls, data_dir: Path | None = None) -> Referential:
        """Load the referential from ``data_dir`` (default: the shipped data), cached.

        Args:
            data_dir: Directory holding the ROME CSVs; ``None`` for the package data.

        Returns:
            The same instance for the same resolved directory.
        """
        key = (data_dir or DATA_DIR).resolve()
        with _LOCK:
            ref = _CACHE.get(key)
            if ref is None:
                ref = _CACHE[key] = cls._read_dir(key)
        return ref

    @classmethod
    def _read_dir(cls, d: Path) -> Referential:
        gd = {
            r["code_grand_domaine"]: r["libelle_grand_domaine"]
            for r in _read(d / "rome_grands_domaines.csv")
        }
        dp = {
            r["code_domaine_professionnel"]: r["libelle_domaine_professionnel"]
            for r in _read(d / "rome_domaines_professionnels.csv")
        }
        codes = {
            r["code_rome"]: RomeCode(
                code=r["code_rome"],
                label=r["libelle"],
                label_v3=r["libelle_rome_v3"],
                grand_domaine=r["code_grand_domaine"],
                grand_domaine_label=r["libelle_grand_domaine"],
                domaine=r["code_domaine_professionnel"],
                domaine_label=r["libelle_domaine_professionnel"],
            )
            for r in _read(d / "rome_codes.csv")
        }
        fiches = {
            r["code_fiche"]: Fiche(
                code=r["code_fiche"],
                label=r["libelle"],
                code_rome=r["code_rome"],
                domaine=r["code_domaine_professionnel"],
            )
            for r in _read(d / "rome4_fiches.csv")
        }
        apps: dict[str, Appellation] = {}
        by_fiche: dict[str, list[Appellation]] = {}
        for r in _read(d / "rome_appellations.csv"):
            a = Appellation(
                ogr=r["code_ogr"],
                label=r["libelle_appellation"],
                short_label=r["libelle_court"],
                code_rome=r["code_rome"],
                code_fiche=r["code_fiche"],
                main=r["classification"] == "PRINCIPALE",
                rare=r["peu_usite"] == "O",
            )
            apps[a.ogr] = a
            by_fiche.setdefault(a.code_fiche, []).append(a)
        return cls(
            codes=MappingProxyType(codes),
            fiches=MappingProxyType(fiches),
            appellations=MappingProxyType(apps),
            grands_domaines=MappingProxyType(gd),
            domaines=MappingProxyType(dp),
            by_fiche=MappingProxyType({k: tuple(v) for k, v in by_fiche.items()}),
        )

    def validate_code(self, code: str) -> tuple[str, str] | None:
        """Check a ROME code and roll it up.

        Args:
            code: Any of the 1,584 ROME 4.0 codes (case and surrounding spaces ignored).

        Returns:
            ``(code_rome_532, code_fiche)``, e.g. ``("M1805", "M1855")``, or ``None``.
        """
        c = code.strip().upper() if isinstance(code, str) else ""
        f = self.fiches.get(c)
        return (f.code_rome, f.code) if f else None

    def label_of(self, code: str) -> str | None:
        """ROME 4.0 label of a main code or fiche, ``None`` if unknown."""
        c = code.strip().upper()
        f = self.fiches.get(c)
        return f.label if f else None

    def domain_of(self, code: str) -> tuple[str, str] | None:
        """Grand domaine letter and domaine professionnel code of a main code or fiche.

        A fiche is reported under its parent main code's domain, the level used in the
        catalogue.

        Returns:
            ``(grand_domaine, domaine_professionnel)``, e.g. ``("M", "M18")``, or ``None``.
        """
        v = self.validate_code(code)
        if v is None:
            return None
        rc = self.codes[v[0]]
        return rc.grand_domaine, rc.domaine

    def appellations_of(self, code: str) -> tuple[Appellation, ...]:
        """Appellations of a fiche, or of a main code and all its fiches."""
        c = code.strip().upper()
        if c in self.codes:
            return tuple(
                a
                for f in self.fiches.values()
                if f.code_rome == c
                for a in self.by_fiche.get(f.code, ())
            )
        return self.by_fiche.get(c, ())


_CACHE: dict[Path, Referential] = {}
_LOCK = threading.Lock()
