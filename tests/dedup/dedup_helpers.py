"""Tiny inline datasets shared by the dedup tests (no fixtures: plain builders)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dedup.model import DedupRecord, city_key, employer_key, fold, fold_text

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TEXT = (
    "Nous recherchons un vendeur pour notre magasin du centre ville. Vous accueillez les clients, vous les "
    "conseillez et vous assurez la mise en rayon des produits frais et secs. Experience souhaitee de deux ans "
    "dans la vente de pret a porter ou en grande distribution. Poste a pourvoir rapidement, salaire selon "
    "profil avec primes sur objectifs et tickets restaurant."
)
OTHER = (
    "Boulangerie de quartier cherche une personne pour la vente en boutique le week end et les jours feries. "
    "Vous servez la clientele, encaissez et preparez les commandes de viennoiseries avec le sourire, dans une "
    "equipe de quatre personnes. Debutant accepte, formation assuree sur place par le patron."
)


def rec(
    key: int, partner: str, title: str, text: str = TEXT, employer: str = "", city: str = "", postcode: str = "",
    dept: str = "", contract: str = "CDI", days: float = 0, ext: str = "", siret: str = "",
) -> DedupRecord:
    """One dedup record from plain values."""
    return DedupRecord(
        key=key, partner=partner, title=fold(title), description=fold_text(text), employer=employer_key(employer),
        siret=siret, city=city_key(city), postcode=postcode, departement=dept, contract=contract,
        published=T0 + timedelta(days=days), external_id=ext or f"{partner}-{key}",
    )


def shop() -> list[DedupRecord]:
    """Six records, hand-labelled: 1, 2, 3 are one job; 4 is its Paris site; 5 and 6 are other jobs."""
    return [
        rec(1, "francetravail", "Vendeur H/F", employer="Mode SAS", city="Lyon", postcode="69003", dept="69"),
        rec(2, "hellowork", "VENDEUR (F/H) - Lyon (69)", "Postulez en un clic ! " + TEXT[:260], employer="Mode",
            city="Lyon", dept="69", days=1),
        rec(3, "indeed", "Vendeur", TEXT + " Candidatez sur notre site.", postcode="69003", dept="69", days=2),
        rec(4, "francetravail", "Vendeur H/F", employer="Mode SAS", city="Paris", postcode="75001", dept="75"),
        rec(5, "francetravail", "Vendeur H/F", OTHER, employer="Boulangerie Martin", city="Lyon",
            postcode="69003", dept="69"),
        rec(6, "regionsjob", "Comptable", "Cabinet cherche comptable.", days=1),
    ]
