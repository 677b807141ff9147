"""Rebuild the shipped ROME CSVs from the official France Travail archive.

The archive "Toutes les données du ROME" on data.gouv.fr holds ``unix_*_vNNN_utf8.csv``
files. :func:`refresh_referential` downloads it and :func:`convert_archive` performs the
conversion described in ``data/PROVENANCE.md`` (column selection and renaming, text
clean-up, sorting). ``rome_v3_appellations.csv`` and the v3 labels are frozen (ROME v3
is no longer published) and are kept from the destination directory.

After a refresh, retrain the model (``python -m normalizer.rome.train``): its classes
and appellation index come from these files.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["RefreshError", "convert_archive", "refresh_referential"]

_TAGS = ("emploi_cadre", "emploi_reglemente", "transition_eco", "transition_num", "transition_demo")
_SPACES = re.compile(r"\s+")


class RefreshError(RuntimeError):
    """The referential could not be downloaded or converted."""


def clean(value: str | None) -> str:
    """Text clean-up of PROVENANCE.md: apostrophes, non-breaking spaces, whitespace."""
    s = (value or "").replace("\u2019", "'").replace("''", "'").replace("\u00a0", " ")
    return _SPACES.sub(" ", s).strip()


def refresh_referential(dest: Path, source_url: str, timeout: float = 60.0) -> list[Path]:
    """Download the official ROME archive and rebuild the CSVs in ``dest``.

    Args:
        dest: Directory receiving the CSVs (normally ``normalizer/rome/data``).
        source_url: URL of the official zip archive of ``unix_*_utf8.csv`` files.
        timeout: Network timeout in seconds.

    Returns:
        The files written.

    Raises:
        RefreshError: When the archive cannot be downloaded (offline, HTTP error) or
            does not have the expected files.
    """
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "rome.zip"
        try:
            with (
                urllib.request.urlopen(source_url, timeout=timeout) as resp,
                archive.open("wb") as fh,
            ):
                shutil.copyfileobj(resp, fh)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise RefreshError(
                f"cannot download the ROME archive from {source_url!r}: {exc}. "
                "The refresh needs network access; the shipped referential is unchanged."
            ) from exc
        return convert_archive(archive, dest)


def _sources(source: Path) -> dict[str, str]:
    """Map every ``*.csv`` member name (basename) to its text, from a zip or a directory."""
    out: dict[str, str] = {}
    if source.is_dir():
        for p in source.rglob("*.csv"):
            out[p.name] = p.read_text(encoding="utf-8-sig")
    elif zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as zf:
            for name in zf.namelist():
                if name.lower().endswith(".csv"):
                    out[Path(name).name] = zf.read(name).decode("utf-8-sig")
    else:
        raise RefreshError(f"{source} is neither a directory nor a zip archive")
    return out


def _table(files: dict[str, str], pattern: str) -> list[dict[str, str]]:
    rx = re.compile(pattern)
    names = sorted(n for n in files if rx.fullmatch(n))
    if not names:
        raise RefreshError(f"the ROME archive has no file matching {pattern!r}")
    # Several versions in one archive: the highest version number wins.
    name = names[-1]
    return [
        {k.strip(): clean(v) for k, v in row.items() if k}
        for row in csv.DictReader(io.StringIO(files[name]))
    ]


def _pick(row: dict[str, str], *names: str) -> str:
    for n in names:
        if n in row:
            return row[n]
    raise RefreshError(f"missing column {names[0]!r} in the ROME archive")


def _write(path: Path, header: Iterable[str], rows: Iterable[Iterable[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(list(header))
        w.writerows(rows)
    return path


def _read_existing(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def convert_archive(source: Path, dest: Path) -> list[Path]:
    """Convert official ``unix_*_utf8.csv`` files (zip or directory) into ``dest``.

    Args:
        source: The downloaded zip, or a directory holding the extracted CSVs.
        dest: Output directory (created if needed).

    Returns:
        The files written.

    Raises:
        RefreshError: When a required file or column is missing.
    """
    files = _sources(source)
    fiches_src = _table(files, r"unix_referentiel_code_rome_v\d+_utf8\.csv")
    apps_src = _table(files, r"unix_referentiel_appellation_v\d+_utf8\.csv")
    domains_src = _table(files, r"unix_cr_gd_dp_v\d+_utf8\.csv")
    dest.mkdir(parents=True, exist_ok=True)

    dom: dict[str, tuple[str, str, str, str]] = {}
    grands: dict[str, str] = {}
    domaines: dict[str, str] = {}
    for r in domains_src:
        code = _pick(r, "code_rome")
        gd, gdl = _pick(r, "code_grand_domaine"), _pick(r, "libelle_grand_domaine")
        dp = _pick(r, "code_domaine_professionnel", "code_domaine_professionel")
        dpl = _pick(r, "libelle_domaine_professionnel", "libelle_domaine_professionel")
        dom[code] = (gd, gdl, dp, dpl)
        grands[gd] = gdl
        domaines[dp] = dpl

    v3_labels = {
        r["code_rome"]: r.get("libelle_rome_v3", "")
        for r in _read_existing(dest / "rome_codes.csv")
    }
    v3_ogr = {r["code_ogr"] for r in _read_existing(dest / "rome_v3_appellations.csv")}

    fiche_rows = []
    code_rows = []
    for r in sorted(fiches_src, key=lambda r: r["code_rome"]):
        code, parent = r["code_rome"], _pick(r, "code_rome_parent")
        if code not in dom:
            raise RefreshError(f"code {code} has no domain in the cr_gd_dp file")
        gd, gdl, dp, dpl = dom[code]
        tags = [r.get(t, "") for t in _TAGS]
        fiche_rows.append(
            [
                code,
                r["libelle_rome"],
                parent,
                "O" if code == parent else "N",
                gd,
                dp,
                r.get("code_ogr", ""),
                r.get("code_fiche_metier", ""),
                *tags,
            ]
        )
        if code == parent:
            code_rows.append(
                [
                    code,
                    r["libelle_rome"],
                    v3_labels.get(code, ""),
                    gd,
                    gdl,
                    dp,
                    dpl,
                    r.get("code_ogr", ""),
                    *tags,
                ]
            )

    app_rows = []
    for r in sorted(apps_src, key=lambda r: int(r["code_ogr"])):
        app_rows.append(
            [
                r["code_ogr"],
                _pick(r, "libelle_appellation_long", "libelle_appellation"),
                _pick(r, "libelle_appellation_court", "libelle_court"),
                _pick(r, "code_rome_parent"),
                r["code_rome"],
                r.get("classification", ""),
                r.get("peu_usite", ""),
                "O" if r["code_ogr"] in v3_ogr else "N",
                *[r.get(t, "") for t in _TAGS],
            ]
        )

    return [
        _write(
            dest / "rome_codes.csv",
            [
                "code_rome",
                "libelle",
                "libelle_rome_v3",
                "code_grand_domaine",
                "libelle_grand_domaine",
                "code_domaine_professionnel",
                "libelle_domaine_professionnel",
                "code_ogr",
                *_TAGS,
            ],
            code_rows,
        ),
        _write(
            dest / "rome4_fiches.csv",
            [
                "code_fiche",
                "libelle",
                "code_rome",
                "is_main",
                "code_grand_domaine",
                "code_domaine_professionnel",
                "code_ogr",
                "code_fiche_metier",
                *_TAGS,
            ],
            fiche_rows,
        ),
        _write(
            dest / "rome_appellations.csv",
            [
                "code_ogr",
                "libelle_appellation",
                "libelle_court",
                "code_rome",
                "code_fiche",
                "classification",
                "peu_usite",
                "in_rome_v3",
                *_TAGS,
            ],
            app_rows,
        ),
        _write(
            dest / "rome_grands_domaines.csv",
            ["code_grand_domaine", "libelle_grand_domaine"],
            sorted(grands.items()),
        ),
        _write(
            dest / "rome_domaines_professionnels.csv",
            ["code_domaine_professionnel", "libelle_domaine_professionnel"],
            sorted(domaines.items()),
        ),
    ]
