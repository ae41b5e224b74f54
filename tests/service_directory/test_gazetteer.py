"""The offline gazetteer: accents, the five languages, neighbourhoods, ambiguity."""
import pytest

from service_directory import gazetteer
from service_directory.gazetteer import Place, normalize, resolve


@pytest.mark.parametrize("written", ["Cúcuta", "Cucuta", "CUCUTA", "  cúcuta "])
def test_accents_and_case_do_not_matter(written):
    result = resolve(written)
    assert result.status == "found"
    assert (result.place.name, result.place.country) == ("Cúcuta", "co")


@pytest.mark.parametrize(
    ("written", "name", "country"),
    [
        ("Port of Spain", "Port of Spain", "tt"),
        ("Puerto España", "Port of Spain", "tt"),
        ("Pòtoprens", "Port-au-Prince", "ht"),
        ("Potoprens", "Port-au-Prince", "ht"),
        ("Puerto Príncipe", "Port-au-Prince", "ht"),
        ("Sao Paulo", "São Paulo", "br"),
        ("Sen Domeng", "Santo Domingo", "do"),
        ("Bogota", "Bogotá", "co"),
    ],
)
def test_names_in_the_five_languages(written, name, country):
    place = resolve(written).place
    assert (place.name, place.country) == (name, country)


@pytest.mark.parametrize(
    ("written", "parent", "country"),
    [("Kennedy", "Bogotá", "co"), ("Bosa", "Bogotá", "co"), ("La Parada", "Villa del Rosario", "co"),
     ("San Juan de Lurigancho", "Lima", "pe"), ("Villa Mella", "Santo Domingo", "do"),
     ("Bras", "São Paulo", "br")],
)
def test_migrant_neighbourhoods_are_known(written, parent, country):
    result = resolve(written)
    assert result.status == "found"
    assert result.place.country == country
    assert result.place.kind == "area" or result.place.parent is None
    if result.place.kind == "area":
        assert result.place.parent == parent


def test_border_towns_on_both_sides_are_known():
    assert resolve("Pacaraima").place.country == "br"
    assert resolve("Santa Elena de Uairen").place.country == "ve"
    assert resolve("San Antonio del Tachira").place.country == "ve"
    assert resolve("Dajabon").place.country == "do"


@pytest.mark.parametrize("name", ["San José", "Santa Cruz", "San Fernando"])
def test_ambiguous_names_come_back_as_a_short_choice(name):
    result = resolve(name)
    assert result.status == "ambiguous"
    assert 2 <= len(result.choices) <= gazetteer.MAX_CHOICES
    assert len({p.country for p in result.choices}) == len(result.choices)
    populations = [p.population for p in result.choices]
    assert populations == sorted(populations, reverse=True)


@pytest.mark.parametrize(
    ("name", "country", "expected"),
    [("San José", "cr", "San José"), ("Santa Cruz", "bo", "Santa Cruz de la Sierra"),
     ("San Fernando", "tt", "San Fernando"), ("Santiago", "do", "Santiago de los Caballeros")],
)
def test_the_persons_country_resolves_ambiguity(name, country, expected):
    result = resolve(name, country)
    assert result.status == "found"
    assert (result.place.name, result.place.country) == (expected, country)


def test_a_big_city_is_not_ambiguous_because_of_hamlets():
    assert resolve("Lima").status == "found" and resolve("Lima").place.country == "pe"
    assert resolve("Boa Vista").status == "found"


def test_unknown_place_is_not_found():
    result = resolve("Atlantis Submarina")
    assert result.status == "not_found" and result.place is None and result.choices == []


def test_directory_locations_extend_the_dataset():
    village = Place("Vereda Ejemplo", "co", 7.5, -72.6, kind="directory")
    assert resolve("Vereda Ejemplo").status == "not_found"
    assert resolve("vereda ejemplo", extra_places=[village]).place == village


def test_normalize_strips_accents_punctuation_and_case():
    assert normalize("Port-au-Prince") == "port au prince"
    assert normalize("São  Paulo!") == "sao paulo"


def test_coarse_area_is_a_city_name_not_coordinates():
    assert gazetteer.coarse_area(7.89, -72.50) == "Cúcuta"
