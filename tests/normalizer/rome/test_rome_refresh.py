"""Referential refresh: offline error and conversion of an official-format archive."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest

from normalizer.rome import Referential
from normalizer.rome.referential import DATA_DIR
from normalizer.rome.refresh import RefreshError, convert_archive, refresh_referential


def test_offline_error(tmp_path: Path) -> None:
    with pytest.raises(RefreshError, match="cannot download"):
        refresh_referential(tmp_path, "http://127.0.0.1:9/rome.zip", timeout=2)
    with pytest.raises(RefreshError):
        refresh_referential(tmp_path, "file:///nonexistent/rome.zip")
    assert not list(tmp_path.iterdir())


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _official(path: Path, header: list[str], rows: list[list[str]]) -> str:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path.name


def test_conversion_round_trip(tmp_path: Path) -> None:
    """Rebuild official-format files from the shipped CSVs for a few codes, convert back."""
    keep = {"M1805", "M1855", "K2110", "K2116", "N4101"}
    fiches = [r for r in _rows("rome4_fiches.csv") if r["code_fiche"] in keep]
    codes = {r["code_rome"]: r for r in _rows("rome_codes.csv")}
    apps = [r for r in _rows("rome_appellations.csv") if r["code_fiche"] in keep]
    tags = [
        "transition_eco",
        "transition_num",
        "transition_demo",
        "emploi_reglemente",
        "emploi_cadre",
    ]
    src = tmp_path / "src"
    src.mkdir()
    names = [
        _official(
            src / "unix_referentiel_code_rome_v460_utf8.csv",
            [
                "code_rome",
                "code_fiche_metier",
                "code_ogr",
                "libelle_rome",
                *tags,
                "code_rome_parent",
            ],
            # A typographic apostrophe in the source must come out as ASCII.
            [
                [
                    f["code_fiche"],
                    f["code_fiche_metier"],
                    f["code_ogr"],
                    f["libelle"].replace("'", "\u2019"),
                    *[f[t] for t in tags],
                    f["code_rome"],
                ]
                for f in fiches
            ],
        ),
        _official(
            src / "unix_referentiel_appellation_v460_utf8.csv",
            [
                "code_ogr",
                "libelle_appellation_long",
                "libelle_appellation_court",
                "code_rome",
                *tags,
                "classification",
                "origine",
                "code_rome_parent",
                "peu_usite",
            ],
            [
                [
                    a["code_ogr"],
                    a["libelle_appellation"],
                    a["libelle_court"],
                    a["code_fiche"],
                    *[a[t] for t in tags],
                    a["classification"],
                    "",
                    a["code_rome"],
                    a["peu_usite"],
                ]
                for a in apps
            ],
        ),
        _official(
            src / "unix_cr_gd_dp_v460_utf8.csv",
            [
                "code_rome",
                "libelle_rome",
                "code_grand_domaine",
                "libelle_grand_domaine",
                "code_domaine_professionel",
                "libelle_domaine_professionel",
            ],
            [
                [
                    f["code_fiche"],
                    f["libelle"],
                    f["code_grand_domaine"],
                    codes[f["code_rome"]]["libelle_grand_domaine"],
                    f["code_domaine_professionnel"],
                    codes[f["code_rome"]]["libelle_domaine_professionnel"],
                ]
                for f in fiches
            ],
        ),
    ]
    archive = tmp_path / "rome.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for n in names:
            zf.write(src / n, f"RefRomeCsv/{n}")
    dest = tmp_path / "out"
    dest.mkdir()
    # Frozen v3 files are taken from the destination.
    for n in ("rome_codes.csv", "rome_v3_appellations.csv"):
        (dest / n).write_bytes((DATA_DIR / n).read_bytes())
    written = convert_archive(archive, dest)
    assert {p.name for p in written} == {
        "rome_codes.csv",
        "rome4_fiches.csv",
        "rome_appellations.csv",
        "rome_grands_domaines.csv",
        "rome_domaines_professionnels.csv",
    }
    with (dest / "rome4_fiches.csv").open(encoding="utf-8", newline="") as fh:
        assert list(csv.DictReader(fh)) == fiches
    with (dest / "rome_appellations.csv").open(encoding="utf-8", newline="") as fh:
        assert list(csv.DictReader(fh)) == apps
    with (dest / "rome_codes.csv").open(encoding="utf-8", newline="") as fh:
        assert list(csv.DictReader(fh)) == [codes[c] for c in sorted(keep) if c in codes]
    # Same conversion from an extracted directory.
    dest2 = tmp_path / "out2"
    convert_archive(src, dest2)
    assert (dest2 / "rome4_fiches.csv").read_bytes() == (dest / "rome4_fiches.csv").read_bytes()
    # The shipped files are byte-identical to what the conversion writes for their rows.
    ref = Referential.load(dest)
    assert ref.validate_code("M1855") == ("M1805", "M1855")


def test_missing_file(tmp_path: Path) -> None:
    (tmp_path / "unix_referentiel_code_rome_v460_utf8.csv").write_text(
        "code_rome\n", encoding="utf-8"
    )
    with pytest.raises(RefreshError, match="no file matching"):
        convert_archive(tmp_path, tmp_path / "out")
