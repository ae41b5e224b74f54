"""Disclosure control, attacked: from everything the `/stats/` API returns for a random
event log (every view, many filter combinations and date ranges, JSON), no count
from 1 to STATS_MIN_CELL - 1 of any cell asked for can be recomputed.

The attacker is stronger than a real one: it knows every distinct combination of
facts present in the log (the "atoms"), and treats each published figure that is not
flagged partial as an exact linear equation over how many events each atom holds.
A small true count is recoverable when its atoms' indicator lies in the span of
those equations: that covers differences of totals and margins, of date ranges, of a
filtered and an unfiltered view, and every other linear combination. The same
attacker, run against naive cell-by-cell suppression, does recover small counts
(`test_the_attack_finds_what_naive_suppression_leaks`), so it has teeth.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from service_directory import migrate
from service_directory.db import make_engine, session_factory
from service_directory.stats import api as stats_api
from service_directory.stats import disclosure, events, queries
from service_directory.stats.events import StatsEvent, StatsState
from service_directory.stats.retention import StatsWeekly

MIN_CELL = 5
TODAY = (datetime.now(timezone.utc) - queries.ENDED_AFTER).date()  # as the views see it
MONDAY = TODAY - timedelta(days=TODAY.weekday())
FIRST = TODAY.replace(day=1)
#: Days the events fall on: ended weeks, ended months, and the current month's ended
#: weeks (shown by week, not yet by month).
DAYS = sorted({MONDAY - timedelta(days=d) for d in (1, 3, 9, 16)}
              | {FIRST - timedelta(days=d) for d in (1, 12, 35)})
RANGES = [(None, None), (DAYS[-2], None), (DAYS[2], DAYS[-3]), (DAYS[0], DAYS[1]),
          (DAYS[-1], DAYS[-1]), (DAYS[1], None), (None, DAYS[3])]
SEARCHES = [("0", None), ("1-2", "<5km"), ("1-2", ">100km")]

event_group = st.one_of(
    st.tuples(st.sampled_from(["conversation_started", "fallback", "reminder_sent"]),
              st.sampled_from(DAYS), st.sampled_from(["co", "pe"]), st.sampled_from(["es", "ht"]),
              st.sampled_from(["sms", "whatsapp"]), st.just({})),
    st.tuples(st.just("topic"), st.sampled_from(DAYS), st.sampled_from(["co", "pe"]),
              st.sampled_from(["es", "ht"]), st.sampled_from(["sms", "whatsapp"]),
              st.builds(lambda i: {"intent": i}, st.sampled_from(["ask_rights", "find_service"]))),
    st.tuples(st.just("checkin_answer"), st.sampled_from(DAYS), st.sampled_from(["co", "pe"]),
              st.just("es"), st.sampled_from(["sms", "whatsapp"]),
              st.builds(lambda o: {"outcome": o}, st.sampled_from(["taken", "ok"]))),
    st.tuples(st.just("sms_segments"), st.sampled_from(DAYS), st.sampled_from(["co", "pe"]),
              st.sampled_from(["es", "ht"]), st.just("sms"),
              st.builds(lambda v: {"value": v}, st.integers(1, 3))),
    st.tuples(st.just("search"), st.sampled_from(DAYS), st.sampled_from(["co", "pe"]),
              st.just(None), st.just(None),
              st.builds(lambda a, s, o: {"area": a, "service_type": s, "outcome": o[0],
                                         "distance_band": o[1]},
                        st.sampled_from(["Bogota D.C.", "Lima"]), st.sampled_from(["prep", "pep"]),
                        st.sampled_from(SEARCHES))),
    st.tuples(st.just("no_content"), st.sampled_from(DAYS), st.sampled_from(["co", "cr"]),
              st.just(None), st.just(None),
              st.builds(lambda s: {"service_type": s}, st.sampled_from(["prep", "pep"]))),
)
#: Many small groups (what must stay hidden) beside some big enough to be shown.
multiplicity = st.one_of(st.integers(1, MIN_CELL - 1), st.integers(MIN_CELL, 3 * MIN_CELL))
event_log = st.lists(st.tuples(event_group, multiplicity), min_size=3, max_size=30)
filter_sets = st.lists(st.tuples(st.sampled_from(RANGES), st.sampled_from([None, "co", "pe"]),
                                 st.sampled_from([None, "es", "ht"]),
                                 st.sampled_from([None, "sms", "whatsapp"])),
                       min_size=4, max_size=8)


@pytest.fixture(scope="module")
def stats_client(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('disclosure') / 'stats.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = session_factory(engine)
    app = stats_api_app(factory)
    with TestClient(app) as client:
        yield client, factory
    engine.dispose()


def stats_api_app(factory):
    from service_directory.deps import get_session
    from service_directory.main import create_app

    app = create_app()

    def _session():
        with factory() as session:
            yield session

    app.dependency_overrides[get_session] = _session
    app.dependency_overrides[stats_api.min_cell] = lambda: MIN_CELL
    app.dependency_overrides[stats_api.stats_reader] = lambda: None
    return app


# --- the log, as the attacker (and the test) see it ------------------------------------
def _facts(group) -> dict:
    """An event's facts as stored (after the recording's checks), with its day."""
    kind, day, country, language, channel, extra = group
    facts = events.clean(kind, country=country, language=language, channel=channel, **extra)
    facts = {k: v for k, v in facts.items() if k not in ("occurred_hour", "period", "synthetic")}
    facts["day"] = day
    if kind == "search":
        facts["reach"] = ("no_results" if facts["outcome"] == "0" else "beyond_reach"
                          if facts["distance_band"] in queries.BEYOND_REACH else "within_reach")
    return facts


def load(factory, log) -> Counter:
    """Write the log; return its atoms (distinct facts) → how many events."""
    atoms: Counter = Counter()
    with factory() as session:
        for table in (StatsEvent, StatsWeekly, StatsState):
            session.execute(delete(table))
        for group, n in log:
            facts = _facts(group)
            atoms[tuple(sorted(facts.items()))] += n
            event = {k: v for k, v in facts.items() if k not in ("day", "reach")}
            event["now"] = datetime(facts["day"].year, facts["day"].month, facts["day"].day, 10,
                                    tzinfo=timezone.utc)
            assert events.record_many(session, [event] * n) == n
        session.commit()
    return atoms


def ask(client, name: str, date_range, country, language, channel) -> dict | None:
    view = queries.VIEWS[name]
    params = {"from": date_range[0], "to": date_range[1], "country": country,
              "language": language, "channel": channel}
    params = {k: v for k, v in params.items() if v is not None
              and (k in ("from", "to") or k in view.filters)}
    response = client.get(f"/stats/{name}", params=params)
    assert response.status_code == 200, response.text
    return {**response.json(), "asked": params}


def _selection(view: queries.View, measure: queries.Measure, body: dict, row: dict | None):
    """Which events a published figure counts: a predicate on an atom's facts."""
    start = date.fromisoformat(body["period"]["from"])
    end = date.fromisoformat(body["period"]["to"])
    asked = body["asked"]

    def holds(facts: dict) -> bool:
        if facts["kind"] not in measure.kinds or not start <= facts["day"] <= end:
            return False
        if any(facts[dim] not in values for dim, values in measure.where):
            return False
        if any(facts[dim] != asked[dim] for dim in queries.FILTER_DIMS if dim in asked):
            return False
        for dim in (view.rows if row is not None else ()):
            wanted = row[dim]
            have = (facts["day"] - timedelta(days=facts["day"].weekday())).isoformat() \
                if dim == "week" else facts[dim]
            if have != wanted:
                return False
        return True
    return holds


def published(bodies: list[dict], atoms: Counter):
    """(equations: list of (coefficients over atoms, value), small true counts: list of
    indicator vectors), checking on the way that shown figures are true."""
    keys = list(atoms)
    facts = [dict(key) for key in keys]
    equations, targets = [], []
    for body in bodies:
        view = queries.VIEWS[body["view"]]
        cells = [(row, row) for row in body["rows"]] + [(None, body["total"])]
        for row, figures in cells:
            for measure in view.measures:
                holds = _selection(view, measure, body, row)
                members = np.array([1.0 if holds(f) else 0.0 for f in facts])
                weights = np.array([float(f["value"] or 0) if measure.of == "value" else 1.0
                                    for f in facts])
                true_count = int(sum(m * atoms[k] for m, k in zip(members, keys)))
                true_value = int(sum(m * w * atoms[k] for m, w, k in zip(members, weights, keys)))
                cell = figures[measure.name]
                if cell.get("suppressed"):
                    assert cell["value"] is None and 0 < true_count
                elif cell.get("partial"):
                    assert cell["value"] <= (true_value if measure.of == "value" else true_count)
                else:
                    assert cell["value"] == (true_value if measure.of == "value" else true_count), \
                        (body["view"], body["asked"], row, measure.name)
                    equations.append((members * weights, float(cell["value"])))
                if 0 < true_count < MIN_CELL:
                    targets.append(members)
    return equations, targets


def base_targets(atoms: Counter) -> list[np.ndarray]:
    """Every small base cell of an ended period, asked for or not: one kind, one week (or
    month), one value of each dimension it is counted by."""
    keys = list(atoms)
    cells: dict[tuple, list[int]] = {}
    for index, key in enumerate(keys):
        facts = dict(key)
        cube = queries.CUBES[facts["kind"]]
        bucket = queries.bucket_start(facts["day"], cube.grain)
        if bucket >= queries.bucket_start(TODAY, cube.grain):
            continue  # not ended: never shown
        cells.setdefault((facts["kind"], bucket, *(facts[d] for d in cube.dims)), []).append(index)
    targets = []
    for members in cells.values():
        if 0 < sum(atoms[keys[i]] for i in members) < MIN_CELL:
            target = np.zeros(len(keys))
            target[members] = 1.0
            targets.append(target)
    return targets


def recoverable(equations, targets) -> list[np.ndarray]:
    """The targets in the span of the equations (exactly recomputable counts)."""
    if not equations or not targets:
        return []
    matrix = np.array([coefficients for coefficients, _ in equations])
    _, singular, rows = np.linalg.svd(matrix, full_matrices=False)
    basis = rows[singular > 1e-9 * max(1.0, singular.max())]
    found = []
    for target in targets:
        residual = target - basis.T @ (basis @ target)
        if np.linalg.norm(residual) < 1e-6:
            found.append(target)
    return found


def attack(client, factory, log, filters) -> list[np.ndarray]:
    atoms = load(factory, log)
    bodies = [ask(client, name, *combo) for name in queries.VIEWS
              for combo in [(RANGES[0], None, None, None), *filters]]
    equations, targets = published(bodies, atoms)
    return recoverable(equations, targets + base_targets(atoms))


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(log=event_log, filters=filter_sets)
def test_no_small_count_can_be_recomputed_from_everything_the_api_returns(stats_client, log, filters):
    client, factory = stats_client
    leaks = attack(client, factory, log, filters)
    assert not leaks, f"{len(leaks)} small counts recomputable"


class _NaiveTally(disclosure.Tally):
    """Cell-by-cell suppression: every event counted, only small figures hidden."""

    def add(self, count, value_sum, min_cell):
        self.count += count
        self.value_sum += value_sum or 0

    def cell(self, of="count"):
        if 0 < self.count < MIN_CELL:
            return disclosure.SUPPRESSED
        return disclosure.Cell(self.count if of == "count" else self.value_sum)


def test_the_attack_finds_what_naive_suppression_leaks(stats_client, monkeypatch):
    client, factory = stats_client
    monkeypatch.setattr(queries, "Tally", _NaiveTally)
    ended = MONDAY - timedelta(days=3)
    whatsapp = (("conversation_started", ended, "co", "ht", "whatsapp", {}), 3)
    sms = (("conversation_started", ended, "co", "ht", "sms", {}), 20)
    leaks = attack(client, factory, [whatsapp, sms], [(RANGES[0], None, None, "sms")])
    assert leaks  # 23 unfiltered - 20 by SMS = 3 by WhatsApp (a small base cell)
