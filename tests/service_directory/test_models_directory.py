"""The HSDS-aligned models, the migration and the fictional sample directory."""
from datetime import date

from alembic import command
from sqlalchemy import func, select

from service_directory.migrate import alembic_config
from service_directory.models import directory as d
from service_directory.sample_data import load_sample, sample_directory
from service_directory.search import SearchQuery, nearest_services


def test_migration_matches_the_models(database_url):
    command.check(alembic_config(database_url))  # raises when models and migrations differ


def test_location_timezone_is_filled_from_coordinates(db_session):
    location = d.Location(latitude=4.711, longitude=-74.0721, country="CO")
    db_session.add(location)
    db_session.flush()
    assert location.timezone == "America/Bogota" and location.country == "co"


def test_taxonomies_are_created_once(db_session):
    first = d.ensure_taxonomies(db_session)
    second = d.ensure_taxonomies(db_session)
    assert set(first) == set(d.SERVICE_TYPES)
    assert {t.id for t in first.values()} == {t.id for t in second.values()}
    assert db_session.scalar(select(func.count()).select_from(d.TaxonomyTerm)) == len(d.SERVICE_TYPES) + len(d.SAFETY_FLAGS)


def test_sample_is_deterministic_fictional_and_large_enough():
    today = date(2026, 1, 15)
    one, two = sample_directory(today), sample_directory(today)
    assert [s.name for s in one.services] == [s.name for s in two.services]
    assert [(loc.latitude, loc.longitude) for loc in one.locations] == [
        (loc.latitude, loc.longitude) for loc in two.locations]
    assert len(one.services) >= 150
    assert all(s.name.startswith("[SAMPLE]") and s.url.endswith(".example.org") for s in one.services)
    phones = [r.number for r in one.rows if isinstance(r, d.Phone)]
    assert all(p[5:9] == "5550" and p[9] == "1" for p in phones)  # NANP 555-01XX, fictional
    countries = {loc.country for loc in one.locations}
    assert {"co", "pe", "ec", "br", "tt", "gy", "do"} <= countries
    assert any(s.assured_date is None or (today - s.assured_date).days > 180 for s in one.services)


def test_loading_the_sample_twice_changes_nothing(db_session):
    assert load_sample(db_session) >= 150
    db_session.commit()
    counts = [db_session.scalar(select(func.count()).select_from(t)) for t in (d.Service, d.Location, d.Attribute)]
    load_sample(db_session)
    db_session.commit()
    assert [db_session.scalar(select(func.count()).select_from(t)) for t in (d.Service, d.Location, d.Attribute)] == counts
    near_cucuta = nearest_services(db_session, SearchQuery(
        7.8939, -72.5078, service_type="hiv_testing", limit=5,
        require=frozenset({"serves_undocumented", "free_of_charge"})))
    assert len(near_cucuta.results) == 5 and near_cucuta.widened is False
