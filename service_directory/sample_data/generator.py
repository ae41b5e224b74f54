"""A FICTIONAL sample directory, the same on every run (seeded), for demos and tests.

Everything generated is marked as sample: names start with "[SAMPLE]" and say
"Ejemplo"/"Exemplo"/"Example", URLs are on example.org, e-mails on example.org and
phone numbers are in the North American 555-0100..0199 range reserved for fiction.
Only the city coordinates are real (city centres, with a small jitter), so searches
behave as they would on real data. No real clinic is described.

`sample_directory(today)` returns the ORM rows; `load_sample(session)` upserts them by
id, so loading twice changes nothing.
"""
from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import refresh_statistics
from ..models.directory import (
    SAFETY_FLAGS,
    SERVICE_TYPE_TAXONOMY,
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ensure_taxonomies,
    timezone_at,
)

SEED = 20261123
SAMPLE_PREFIX = "[SAMPLE]"
CITIES_FILE = Path(__file__).with_name("cities.yaml")
_NAMESPACE = uuid.UUID("6f1c3f0e-8a4e-4f43-9d5e-7c0a51e1a0b5")
_FICTIONAL_AREA_CODES = ("202", "212", "305", "415", "617", "713", "808", "907")

_LOCAL_LANGUAGE = {"co": "es", "pe": "es", "ec": "es", "ve": "es", "do": "es", "br": "pt", "tt": "en", "gy": "en"}
_NAMES = {
    "es": ["Clínica Ejemplo", "Centro de Salud Ejemplo", "Punto Seguro Ejemplo",
           "Unidad Móvil Ejemplo", "Consultorio Comunitario Ejemplo"],
    "pt": ["Clínica Exemplo", "Unidade Básica Exemplo", "Ponto Seguro Exemplo", "Centro Comunitário Exemplo"],
    "en": ["Example Health Centre", "Example Community Clinic", "Example Wellness Point", "Example Outreach Unit"],
}
_ORGS = {
    "es": ["Fundación Ejemplo Puente", "Red Ejemplo de Salud Migrante", "Asociación Ejemplo Camino"],
    "pt": ["Associação Exemplo Ponte", "Rede Exemplo de Saúde Migrante"],
    "en": ["Example Bridge Foundation", "Example Migrant Health Network"],
}
_STREETS = {
    "es": "Calle Ficticia {n} # {a}-{b}",
    "pt": "Rua Fictícia, {n}",
    "en": "{n} Sample Street",
}
_TYPE_WEIGHTS = {
    "hiv_testing": 0.6, "hiv_treatment": 0.3, "prep": 0.25, "pep": 0.2, "tb_testing": 0.3,
    "tb_treatment": 0.2, "sti_testing": 0.45, "contraception": 0.4, "prenatal_care": 0.3,
    "gbv_care": 0.25, "mental_health": 0.3,
}
_WEEKDAYS = "MO,TU,WE,TH,FR"


def sample_id(kind: str, number: int | str) -> str:
    """Stable UUID of a sample row, so reloading updates rather than duplicates."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{number}"))


@dataclass
class SampleDirectory:
    organizations: list[Organization] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    rows: list[object] = field(default_factory=list)  # everything else, in FK order

    def all_rows(self) -> list[object]:
        return [*self.organizations, *self.locations, *self.services, *self.rows]


def load_cities() -> list[dict]:
    return yaml.safe_load(CITIES_FILE.read_text(encoding="utf-8"))


def _jitter(rng: random.Random, lat: float, lon: float, spread_km: float) -> tuple[float, float]:
    distance = spread_km * math.sqrt(rng.random())
    bearing = rng.random() * 2 * math.pi
    dlat = distance * math.cos(bearing) / 111.195
    dlon = distance * math.sin(bearing) / (111.195 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def _flag(rng: random.Random, p_true: float, p_false: float) -> bool | None:
    roll = rng.random()
    if roll < p_true:
        return True
    if roll < p_true + p_false:
        return False
    return None


def _languages(rng: random.Random, city: dict) -> list[str]:
    country = city["country"]
    langs = [_LOCAL_LANGUAGE[country]]
    extra: list[tuple[str, float]] = [("en", 0.15)] if country not in ("tt", "gy") else []
    if country == "do":
        extra += [("ht", 0.55), ("fr", 0.2)]
    elif country == "br":
        extra += [("es", 0.6), ("ht", 0.35 if city["city"] in ("São Paulo", "Manaus") else 0.1), ("en", 0.1)]
    elif country in ("tt", "gy"):
        extra += [("es", 0.5)]
        if city["city"] == "Lethem":
            extra.append(("pt", 0.6))
    for code, p in extra:
        if code not in langs and rng.random() < p:
            langs.append(code)
    return langs


def _schedules(rng: random.Random, service_id: str, n: int) -> list[Schedule]:
    roll = rng.random()
    rows: list[tuple[str, time, time]]
    if roll < 0.08:
        return []  # hours unknown: search says open_now = null
    if roll < 0.45:
        rows = [(_WEEKDAYS, time(8), time(17))]
    elif roll < 0.65:
        rows = [(_WEEKDAYS, time(7), time(12)), (_WEEKDAYS, time(14), time(18))]
    elif roll < 0.82:
        rows = [(_WEEKDAYS + ",SA", time(8), time(14))]
    elif roll < 0.92:
        rows = [("MO,WE,FR", time(9), time(16)), ("SA", time(9), time(13))]
    else:  # night outreach, past midnight
        rows = [("TH,FR,SA", time(20), time(2))]
    return [
        Schedule(
            id=sample_id("schedule", f"{n}-{i}"), service_id=service_id, freq="WEEKLY",
            byday=byday, opens_at=opens, closes_at=closes,
            description=f"{SAMPLE_PREFIX} sample hours",
        )
        for i, (byday, opens, closes) in enumerate(rows)
    ]


def _service_types(rng: random.Random) -> list[str]:
    types = [code for code, p in _TYPE_WEIGHTS.items() if rng.random() < p]
    return types or ["hiv_testing"]


def sample_directory(
    today: date | None = None, seed: int = SEED, term_ids: dict[str, str] | None = None
) -> SampleDirectory:
    """The sample rows (deterministic for a given `seed`; verification dates relative to `today`).

    `term_ids` maps service-type codes to the ids of their taxonomy terms in the
    database (terms imported from HSDS may carry other ids than ours).
    """
    today = today or date.today()
    term_ids = term_ids or {}
    rng = random.Random(seed)
    out = SampleDirectory()
    orgs_by_country: dict[str, list[Organization]] = {}
    n = 0
    for city in load_cities():
        country, lang = city["country"], _LOCAL_LANGUAGE[city["country"]]
        if country not in orgs_by_country:
            orgs_by_country[country] = []
            for i, org_name in enumerate(_ORGS[lang]):
                org = Organization(
                    id=sample_id("organization", f"{country}-{i}"),
                    name=f"{SAMPLE_PREFIX} {org_name} ({country.upper()})",
                    description="Fictional organization of Puente's sample data.",
                    email=f"contact-{country}-{i}@example.org",
                    website=f"https://{country}-{i}.example.org",
                )
                orgs_by_country[country].append(org)
                out.organizations.append(org)
        for k in range(city["services"]):
            n += 1
            org = orgs_by_country[country][rng.randrange(len(orgs_by_country[country]))]
            service_id = sample_id("service", n)
            location_id = sample_id("location", n)
            lat, lon = _jitter(rng, city["lat"], city["lon"], city["spread_km"])
            area = city["areas"][k % len(city["areas"])]
            base_name = _NAMES[lang][rng.randrange(len(_NAMES[lang]))]
            types = _service_types(rng)
            flags = {
                "serves_undocumented": _flag(rng, 0.7, 0.15),
                "free_of_charge": _flag(rng, 0.75, 0.15),
                "confidential_no_immigration_reporting": _flag(rng, 0.6, 0.1),
                "lgbtqi_friendly": _flag(rng, 0.5, 0.1),
                "sex_worker_friendly": _flag(rng, 0.35, 0.1),
                "youth_friendly": _flag(rng, 0.45, 0.1),
            }
            roll = rng.random()
            if roll < 0.05:
                verified_days_ago = None  # never verified: always stale
            elif roll < 0.17:
                verified_days_ago = rng.randint(200, 600)  # stale beyond the 180-day default
            else:
                verified_days_ago = rng.randint(0, 150)
            staleness = 90 if rng.random() < 0.1 else 180
            # Cúcuta is the demo city: its first services surely answer the
            # Spanish "HIV test, undocumented, free" search.
            if city["city"] == "Cúcuta" and k < 7:
                types = sorted(set(types) | {"hiv_testing"})
                flags["serves_undocumented"] = flags["free_of_charge"] = True
                verified_days_ago = k * 9
                staleness = 180
            service = Service(
                id=service_id, organization_id=org.id,
                name=f"{SAMPLE_PREFIX} {base_name} {city['city']} {k + 1}",
                description="Fictional service of Puente's sample data; not a real clinic.",
                url=f"https://service-{n}.example.org",
                email=f"service-{n}@example.org",
                status="active",
                assured_date=None if verified_days_ago is None else today - timedelta(days=verified_days_ago),
                assurer_email=None if verified_days_ago is None else "curator@example.org",
                staleness_limit_days=staleness,
                **flags,
            )
            out.services.append(service)
            location = Location(
                id=location_id, organization_id=org.id, name=f"{SAMPLE_PREFIX} {base_name} {city['city']} {k + 1}",
                latitude=lat, longitude=lon, country=country,
                timezone=timezone_at(lat, lon),
            )
            out.locations.append(location)
            street = _STREETS[lang].format(n=10 + n, a=rng.randint(1, 99), b=rng.randint(1, 99))
            out.rows.extend([
                ServiceAtLocation(id=sample_id("sal", n), service_id=service_id, location_id=location_id),
                Address(
                    id=sample_id("address", n), location_id=location_id, address_1=street,
                    address_2=area, city=city["city"], state_province=city["state_province"],
                    country=country.upper(), address_type="physical",
                ),
                Phone(
                    id=sample_id("phone", n), service_id=service_id,
                    number=f"+1{_FICTIONAL_AREA_CODES[n // 100]}55501{n % 100:02d}",
                    type="voice", description="fictional number (555-01XX)",
                ),
            ])
            for code in _languages(rng, city):
                out.rows.append(Language(id=sample_id("language", f"{n}-{code}"), service_id=service_id, code=code))
            for code in types:
                out.rows.append(Attribute(
                    id=sample_id("attribute", f"{n}-{code}"), link_id=service_id, link_entity="service",
                    link_type="service_type", taxonomy_term_id=term_ids.get(code, f"{SERVICE_TYPE_TAXONOMY}:{code}"),
                    value=code,
                ))
            out.rows.extend(_schedules(rng, service_id, n))
    return out


def load_sample(session: Session, today: date | None = None) -> int:
    """Upsert the sample directory by id (idempotent); returns the number of services."""
    terms = ensure_taxonomies(session)
    directory = sample_directory(today, term_ids={code: term.id for code, term in terms.items()})
    existing = set(session.scalars(select(Service.id).where(Service.id.in_([s.id for s in directory.services]))))
    if not existing:  # first load: plain inserts are much faster than merges
        session.add_all(directory.all_rows())
    else:
        for row in directory.all_rows():
            session.merge(row)
    session.flush()
    if not existing:
        refresh_statistics(session.connection())  # new rows: tell the planner (db.py)
    return len(directory.services)


__all__ = ["SAFETY_FLAGS", "SAMPLE_PREFIX", "load_sample", "sample_directory", "sample_id"]
