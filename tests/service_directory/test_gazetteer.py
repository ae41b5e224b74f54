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
    # Likeliest first: places called so by population (places only also called so,
    # such as San Fernando de Apure, weigh less and may come after smaller ones).
    called_so = [p.population for p in result.choices if normalize(p.name) == normalize(name)]
    assert called_so == sorted(called_so, reverse=True)


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


def test_coarse_area_is_the_admin1_area_not_a_city_nor_coordinates():
    assert gazetteer.coarse_area(7.89, -72.50) == "Norte de Santander Department"
    assert gazetteer.coarse_area(4.63, -74.15) == "Bogota D.C."
    assert gazetteer.coarse_area(0.0, -30.0) is None  # mid-Atlantic: nothing near


def test_admin1_areas_are_named_by_name_or_code_and_nothing_else():
    assert gazetteer.admin1_area_named("co", "co-21") == "Norte de Santander Department"
    assert gazetteer.admin1_area_named("co", "NORTE DE SANTANDER department") == \
        "Norte de Santander Department"
    assert gazetteer.admin1_area_named("co", "Cúcuta") is None  # a city is not an area
    assert gazetteer.admin1_area_named("pe", "co-21") is None
    assert "São Paulo" in gazetteer.admin1_areas("br")


# --- Alternate names must not send a person to the wrong place -------------------

BONFIM_RR = (3.36, -59.83)  # Bonfim, Roraima, across the Takutu river from Lethem (GY)


def _km(place: Place, point: tuple[float, float]) -> float:
    return gazetteer._distance_km(place, Place("", "", *point))


@pytest.mark.parametrize("written", ["Bonfim", "bonfim", "BONFIM"])
def test_an_alias_of_a_far_away_town_does_not_beat_the_town_of_that_name(written):
    # Silvânia (Goiás) was once called Bonfim; the border town is the one called so.
    result = resolve(written)
    assert result.place.country == "br"
    assert _km(result.place, BONFIM_RR) < 10


def test_the_persons_country_picks_roraimas_bonfim():
    result = resolve("Bonfim", "br")
    assert result.status == "found"
    assert _km(result.place, BONFIM_RR) < 10


def test_a_primary_name_beats_a_bigger_place_that_is_only_also_called_so():
    # La Villa del Rosario (Zulia, VE) is bigger, but the one called exactly so is by Cúcuta.
    result = resolve("Villa del Rosario")
    assert result.place.country == "co"
    assert _km(result.place, (7.83, -72.47)) < 10


def test_a_directory_location_beats_an_alias_of_a_place_elsewhere():
    # Fictional directory location named like Nueva Loja's other name (Lago Agrio, EC).
    sample = Place("Lago Agrio", "co", 0.5, -76.6, kind="directory")
    assert resolve("Lago Agrio", extra_places=[sample]).place == sample
    # ... unless the person is in the country where the alias belongs.
    assert resolve("Lago Agrio", "ec", extra_places=[sample]).place.name == "Nueva Loja"


def test_a_much_bigger_place_known_by_a_short_name_still_wins():
    assert resolve("Panama").place.name == "Panama City"
    assert resolve("Mexico").place.name == "Mexico City"


def test_a_curated_border_town_wins_over_a_bigger_namesake_in_the_same_country():
    # Ciudad Hidalgo (Chiapas), the crossing from Tecún Umán, not Ciudad Hidalgo (Michoacán).
    place = resolve("Ciudad Hidalgo").place
    assert place.country == "mx" and _km(place, (14.68, -92.15)) < 10
    assert _km(resolve("Ciudad Hidalgo", "mx").place, (14.68, -92.15)) < 10


# --- Punctuation, spacing and French names ----------------------------------------

@pytest.mark.parametrize(
    "written", ["Port of Spain", "Port-of-Spain", "port of spain", "Port d'Espagne",
                "Port d’Espagne", "Port d Espagne", "Portofspain"],
)
def test_port_of_spain_whatever_the_punctuation(written):
    place = resolve(written).place
    assert (place.name, place.country) == ("Port of Spain", "tt")


@pytest.mark.parametrize("written", ["Pòtoprens", "Potoprens", "Port-au-Prince", "Port au Prince", "port-au prince"])
def test_port_au_prince_whatever_the_punctuation(written):
    place = resolve(written).place
    assert (place.name, place.country) == ("Port-au-Prince", "ht")


@pytest.mark.parametrize(
    ("written", "country", "point"),
    [("Saint-Domingue", "do", (18.49, -69.93)), ("Saint Domingue", "do", (18.49, -69.93)),
     ("Cayenne", "gf", (4.94, -52.33)), ("Saint-Laurent-du-Maroni", "gf", (5.50, -54.03)),
     ("Saint Laurent du Maroni", "gf", (5.50, -54.03)), ("Fort-de-France", "mq", (14.60, -61.07)),
     ("Pointe-à-Pitre", "gp", (16.24, -61.53)), ("Pétion-Ville", "ht", (18.51, -72.29)),
     ("Cap-Haïtien", "ht", (19.76, -72.20))],
)
def test_french_names(written, country, point):
    place = resolve(written).place
    assert place.country == country and _km(place, point) < 15


def test_chorrillos_is_the_lima_district():
    result = resolve("Chorrillos")
    assert result.place.country == "pe" and _km(result.place, (-12.17, -77.02)) < 5
    assert result.place.parent == "Lima"


# --- Every hand-added place of the bot's location lookup resolves near where it is --

#: Reference points (≈0.01°) for the hand-added part of bot/data/lookups/location.yml
#: (GeoNames, public maps, the WFP Logistics Cluster's crossing pages).
LOOKUP_REFERENCE: dict[str, tuple[float, float]] = {
    "La Parada": (7.82, -72.47), "Villa del Rosario": (7.83, -72.47), "Bosa": (4.62, -74.19),
    "Suba": (4.74, -74.08), "Usme": (4.48, -74.13), "Patio Bonito": (4.63, -74.16),
    "Paraguachón": (11.36, -72.13), "Arauca": (7.08, -70.76), "Ipiales": (0.83, -77.64),
    "Rumichaca": (0.81, -77.66), "San Juan de Lurigancho": (-11.98, -77.00),
    "San Martín de Porres": (-12.00, -77.08), "Comas": (-11.93, -77.05), "Ate": (-12.03, -76.92),
    "Los Olivos": (-11.97, -77.07), "Villa El Salvador": (-12.21, -76.94),
    "Aguas Verdes": (-3.48, -80.24), "Huaquillas": (-3.48, -80.23), "Lago Agrio": (0.09, -76.89),
    "Pacaraima": (4.43, -61.15), "Boa Vista": (2.82, -60.67), "Bonfim": BONFIM_RR,
    "Lethem": (3.38, -59.80), "Santa Elena de Uairén": (4.60, -61.11),
    "Estación Central": (-33.46, -70.69), "Independencia": (-33.42, -70.66),
    "Recoleta": (-33.41, -70.64), "Colchane": (-19.28, -68.64), "Dajabón": (19.55, -71.71),
    "Elías Piña": (18.88, -71.70), "Jimaní": (18.49, -71.85), "Pedernales": (18.04, -71.74),
    "Anse-à-Pitres": (18.05, -71.75), "Malpasse": (18.49, -71.87), "Higüey": (18.62, -68.71),
    "Bávaro": (18.68, -68.45), "Los Alcarrizos": (18.52, -70.02), "Villa Mella": (18.56, -69.90),
    "Ouanaminthe": (19.55, -71.73), "Belladère": (18.86, -71.78), "Okap": (19.76, -72.20),
    "Pòtoprens": (18.54, -72.34), "Gonayiv": (19.45, -72.69), "Tabarre": (18.58, -72.27),
    "Cité Soleil": (18.58, -72.33), "Couva": (10.42, -61.46), "Penal": (10.17, -61.47),
    "Siparia": (10.14, -61.51), "Sangre Grande": (10.59, -61.13), "Curepe": (10.64, -61.41),
    "Arouca": (10.63, -61.33), "Cedros": (10.09, -61.84), "Anna Regina": (7.26, -58.49),
    "Mabaruma": (8.20, -59.78), "Bartica": (6.40, -58.62), "Tapachula": (14.90, -92.26),
    "Ciudad Hidalgo": (14.68, -92.15), "Darién": (8.41, -78.14),  # La Palma, Darién's capital
    "Ureña": (7.92, -72.44), "San Antonio del Táchira": (7.81, -72.44),
    "Santiago de Chile": (-33.45, -70.65), "Fontibón": (4.68, -74.14), "Engativá": (4.71, -74.11),
    "Chapinero": (4.65, -74.06), "Rio Branco": (-9.97, -67.81), "Assis Brasil": (-10.94, -69.57),
    "Epitaciolândia": (-11.03, -68.74), "Brasiléia": (-11.02, -68.75),
    "Chapecó": (-27.10, -52.62), "Florianópolis": (-27.60, -48.55), "Brás": (-23.55, -46.62),
    "Bom Retiro": (-23.53, -46.64), "Guaianases": (-23.54, -46.41), "Oiapoque": (3.84, -51.83),
    "Santarém": (-2.44, -54.71), "Cayenne": (4.94, -52.33), "Kourou": (5.16, -52.65),
    "Saint-Laurent-du-Maroni": (5.50, -54.03), "Matoury": (4.85, -52.33),
    "Rémire-Montjoly": (4.92, -52.27), "Saint-Georges": (3.89, -51.80), "Macouria": (4.91, -52.37),
    "Mana": (5.66, -53.78), "Sinnamary": (5.38, -52.96), "Fort-de-France": (14.60, -61.07),
    "Pointe-à-Pitre": (16.24, -61.53), "Pintolândia": (2.80, -60.71), "Caracaraí": (1.82, -61.13),
    "Wanament": (19.55, -71.73), "Morvant": (10.65, -61.49), "Cucuta": (7.89, -72.50),
    "Bogota": (4.61, -74.08), "Medellin": (6.24, -75.57), "Dajabon": (19.55, -71.71),
    "Estacion Central": (-33.46, -70.69), "Sao Paulo": (-23.55, -46.63), "Chapeco": (-27.10, -52.62),
    "Higuey": (18.62, -68.71), "Jimani": (18.49, -71.85), "Pétion-Ville": (18.51, -72.29),
}
#: Hand-added lookup entries without a verified position here: "Bajo Chiquito" (an
#: Emberá village on the Tuquesa river, Darién; no coordinates we are sure of).
LOOKUP_UNVERIFIED = {"Bajo Chiquito"}

_LOOKUP_FILE = gazetteer.Path(__file__).parents[2] / "bot" / "data" / "lookups" / "location.yml"


def _hand_added_lookup_entries() -> list[str]:
    """The entries after the GeoNames cities: the file's header says they come last,
    starting with La Parada."""
    import yaml

    examples = yaml.safe_load(_LOOKUP_FILE.read_text(encoding="utf-8"))["nlu"][0]["examples"]
    names = [line.strip()[2:].strip() for line in examples.splitlines() if line.strip().startswith("- ")]
    assert "La Parada" in names, "location.yml changed: find where its hand-added part starts"
    return names[names.index("La Parada"):]


def test_every_hand_added_lookup_place_has_a_reference_point():
    missing = set(_hand_added_lookup_entries()) - set(LOOKUP_REFERENCE) - LOOKUP_UNVERIFIED
    assert not missing, f"add a reference point (and a gazetteer entry if needed) for {sorted(missing)}"


@pytest.mark.parametrize(("written", "point"), sorted(LOOKUP_REFERENCE.items()))
def test_hand_added_lookup_place_resolves_near_where_it_is(written, point):
    result = resolve(written)
    assert result.status in ("found", "ambiguous"), f"{written!r} not found"
    assert _km(result.place, point) < 30, f"{written!r} → {result.place}"


@pytest.mark.parametrize("message, name, country", [
    ("nou nan necocli ap tann bato, pitit mwen gen gwo lafyev", "Necoclí", "co"),
    ("cobran la urgencia en el hospital general de juarez si eres migrante?", "Ciudad Juárez", "mx"),
    ("m ansent 4 mwa, m nan higuey, kote m ka fe kontwol?", "Salvaleón de Higüey", "do"),
    ("nan kito yo mande m paspo pou m we dokte", "Quito", "ec"),
    ("estou em boa vista sem papeis", "Boa Vista", "br"),
])
def test_a_place_written_anywhere_in_a_message_is_found(message, name, country):
    found = gazetteer.places_in_text(message)
    assert (found[0].name, found[0].country) == (name, country)


@pytest.mark.parametrize("message", [
    "me atendieron de mala gana y me dijeron q me regresara",  # not Malagana (MX)
    "m ale, m pral lage telefon nan",                           # not Mallet, not Laje (BR)
    "m vle ekri yon plent sou sa yo te fe m",                  # not Sousa, not Tefé (BR)
    "el control prenatal cuesta? la calle esta peligrosa",     # article + common word
    "quiero saber mis derechos para el tratamiento",
])
def test_running_text_is_not_mistaken_for_places(message):
    assert gazetteer.places_in_text(message) == []



def test_the_darien_of_the_crossing_is_not_made_ambiguous_by_a_smaller_town():
    resolution = resolve("Darien")
    assert resolution.status == "found" and resolution.place.country == "pa"
