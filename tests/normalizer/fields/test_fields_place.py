"""Place parsing: labels, postcodes, INSEE codes, names and tables."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalizer.fields import parse_place
from normalizer.fields.data.geo import DEPARTEMENTS, REGIONS
from normalizer.fields.place import departement_from_insee, departement_from_postcode

IDF, ARA = "Île-de-France", "Auvergne-Rhône-Alpes"


@pytest.mark.parametrize(
    ("label", "city", "departement", "region", "country"),
    [
        ("69 - LYON 02", "Lyon", "69", ARA, "FR"),
        ("Lyon (69)", "Lyon", "69", ARA, "FR"),
        ("75 - Paris 15e Arrondissement", "Paris", "75", IDF, "FR"),
        ("75 - PARIS 01", "Paris", "75", IDF, "FR"),
        ("13 - MARSEILLE 04", "Marseille", "13", "Provence-Alpes-Côte d'Azur", "FR"),
        ("78 - Saint-Germain-en-Laye", "Saint-Germain-en-Laye", "78", IDF, "FR"),
        ("69 - ST PRIEST", "Saint Priest", "69", ARA, "FR"),
        ("41 - MONTOIRE SUR LE LOIR", "Montoire sur le Loir", "41", "Centre-Val de Loire", "FR"),
        ("Puteaux, Hauts-de-Seine", "Puteaux", "92", IDF, "FR"),
        ("Canton de Puteaux; Arrondissement de Nanterre; Hauts-de-Seine (92); Ile-de-France",
         None, "92", IDF, "FR"),
        ("Canton de Cahors; Arrondissement de Cahors; Lot (46); Midi-Pyrénées", None, "46",
         "Occitanie", "FR"),
        ("Bastia (2B)", "Bastia", "2B", "Corse", "FR"),
        ("France", None, None, None, "FR"),
        ("Nouvelle-Aquitaine", None, None, "Nouvelle-Aquitaine", "FR"),
        ("Île-de-France", None, None, IDF, "FR"),
        ("Ile-de-France", None, None, IDF, "FR"),
        ("75", None, "75", IDF, "FR"),
        ("972 - Martinique", None, "972", "Martinique", "FR"),
        ("971 - BAIE MAHAULT", "Baie Mahault", "971", "Guadeloupe", "FR"),
        ("75 - Paris (Dept.)", None, "75", IDF, "FR"),
        ("65 - Pyrénées (Hautes)", None, "65", "Occitanie", "FR"),
        ("92 - Hauts de Seine", None, "92", IDF, "FR"),
        ("22 - Côtes d'Armor", None, "22", "Bretagne", "FR"),
        ("69 - Rhône", None, "69", ARA, "FR"),
        ("38 - Vienne", "Vienne", "38", ARA, "FR"),  # the town, not the département 86
        ("Rust, Allemagne", "Rust", None, None, "DE"),
        ("Allemagne (Frontalier)", None, None, None, "DE"),
        ("Neuenburg (Allemagne)", "Neuenburg", None, None, "DE"),
        ("Portugal", None, None, None, "PT"),
        ("978 - ST MARTIN", "Saint Martin", None, None, "MF"),
        ("", None, None, None, "FR"),
    ],
)
def test_labels(label, city, departement, region, country):
    place = parse_place(label)
    assert (place.city, place.departement, place.region, place.country) == (
        city, departement, region, country)
    assert place.label == (label or None)


def test_city_and_postcode():
    place = parse_place("VINCENNES", postcode="94300")
    assert (place.city, place.postcode, place.departement, place.region) == (
        "Vincennes", "94300", "94", IDF)


def test_hellowork_fields():
    place = parse_place(city="VINCENNES", departement="VAL DE MARNE", region="ILE DE FRANCE",
                        postcode="94300", country="FR")
    assert (place.city, place.departement, place.region) == ("Vincennes", "94", IDF)


def test_jooble_fields():
    place = parse_place("Canton de Puteaux; Arrondissement de Nanterre; Hauts-de-Seine (92); "
                        "Ile-de-France", city="Puteaux, Hauts-de-Seine", country="FR")
    assert (place.city, place.departement) == ("Puteaux", "92")


def test_monster_corsica():
    place = parse_place(city="San-Martino-di-Lota", postcode="20200", region="COR",
                        country="FR", latitude="42.748", longitude="9.432")
    assert (place.departement, place.region) == ("2B", "Corse")
    assert (place.latitude, place.longitude) == (42.748, 9.432)


def test_insee_arrondissement():
    place = parse_place("PARIS 01", insee="75101")
    assert (place.city, place.insee, place.departement) == ("Paris", "75101", "75")
    assert parse_place(insee="69381").city == "Lyon"
    assert parse_place(insee="13216").city == "Marseille"


@pytest.mark.parametrize(
    ("departement", "expected"),
    [("Rhône (69)", "69"), ("Seine et Marne (77)", "77"), ("VAL DE MARNE", "94"),
     ("Isère", "38"), ("isere", "38"), ("Corse-du-Sud", "2A"), ("2b", "2B"), ("1", "01"),
     ("Territoire de Belfort", "90"), ("La Réunion", "974"), ("Somerset", None)],
)
def test_departement_field(departement, expected):
    assert parse_place(departement=departement).departement == expected


@pytest.mark.parametrize(
    ("postcode", "expected"),
    [("94300", ("94", "FR")), ("20000", ("2A", "FR")), ("20090", ("2A", "FR")),
     ("20199", ("2A", "FR")), ("20200", ("2B", "FR")), ("20600", ("2B", "FR")),
     ("97100", ("971", "FR")), ("97411", ("974", "FR")), ("97600", ("976", "FR")),
     ("97133", (None, "BL")), ("97150", (None, "MF")), ("97500", (None, "PM")),
     ("98000", (None, "MC")), ("98800", (None, "NC")), ("98714", (None, "PF")),
     ("1000", ("01", "FR")), ("99200", (None, None)), ("00100", (None, None)),
     ("ABCDE", (None, None))],
)
def test_postcodes(postcode, expected):
    assert departement_from_postcode(postcode) == expected


@pytest.mark.parametrize(
    ("insee", "expected"),
    [("69123", ("69", "FR")), ("2A004", ("2A", "FR")), ("2B033", ("2B", "FR")),
     ("97411", ("974", "FR")), ("97801", (None, "MF")), ("75101", ("75", "FR")),
     ("99109", (None, None)), ("20004", (None, None)), ("xx", (None, None))],
)
def test_insee(insee, expected):
    assert departement_from_insee(insee) == expected


def test_foreign_country_field():
    place = parse_place("Somerset", region="South West", country="Royaume-Uni")
    assert (place.country, place.departement, place.region) == ("GB", None, None)


def test_coordinates():
    assert parse_place(latitude="48.12", longitude="2.12").latitude == 48.12
    assert parse_place(latitude=200, longitude=3).latitude is None
    assert parse_place(latitude=45, longitude=-181).longitude is None
    assert parse_place(latitude=0, longitude=0).latitude is None
    assert parse_place(latitude="n/a", longitude="2").latitude is None


def test_tables():
    assert len(DEPARTEMENTS) == 101
    assert len(REGIONS) == 18
    assert {region for _, region in DEPARTEMENTS.values()} == set(REGIONS)
    # every département's own name parses back to its code
    for code, (name, region) in DEPARTEMENTS.items():
        place = parse_place(departement=name)
        assert place.departement == code, name
        assert parse_place(f"{code} - X").region == REGIONS[region]


@given(st.text(max_size=80), st.one_of(st.none(), st.text(max_size=10)))
def test_never_raises(label, postcode):
    place = parse_place(label, postcode=postcode, insee=postcode, departement=label)
    assert place.departement is None or place.departement in DEPARTEMENTS
