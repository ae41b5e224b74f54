"""The statistics views: base tables per event kind, and views summed from them.

A kind's *base table* (`CUBES`) is its time grain and the dimensions it is counted
by; one GROUP BY per kind reads it from raw events and rolled weekly rows alike
(`retention`), so a roll never changes a figure. A *view* (`VIEWS`) is a few
measures (a kind, optionally some values of its dimensions) summed into rows; every
figure is built from base cells by `disclosure` (read its docstring for why that
keeps small counts from being shown or recomputed). Filters: a date range (whole
weeks or months, ended ones only), country, language, channel, and real or demo
events. Everything here is plain Python over SQL that runs on SQLite and PostgreSQL.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from .disclosure import Cell, Tally, rate
from .events import StatsEvent, generation
from .retention import StatsWeekly

FILTER_DIMS = ("country", "language", "channel")
#: A search whose nearest result is this far or farther found nothing within reach.
BEYOND_REACH = ("25-100km", ">100km")
REACH = ("no_results", "beyond_reach", "within_reach")
DEFAULT_DAYS = 90
ENDED_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Cube:
    """How a kind is counted: per `grain` ("week" or "month") and `dims`."""

    grain: str
    dims: tuple[str, ...]


_PEOPLE = ("country", "language", "channel")
#: Sparse kinds are counted by month and without language or channel, so that the
#: cells analysts need (an area and a service type) are big enough to be shown.
CUBES: dict[str, Cube] = {
    **{kind: Cube("week", _PEOPLE) for kind in (
        "conversation_started", "fallback", "urgent_answer", "handoff",
        "discrimination_report", "sms_segments", "reminder_opt_in", "reminder_opt_out",
        "reminder_sent", "reminder_delivered", "reminder_failed")},
    "topic": Cube("week", (*_PEOPLE, "intent")),
    "checkin_answer": Cube("week", (*_PEOPLE, "outcome")),
    "search": Cube("month", ("country", "area", "service_type", "reach")),
    "no_content": Cube("month", ("country", "service_type")),
}


@dataclass(frozen=True)
class Measure:
    """A column of a view: events of `kinds` (with `where`: only these values of their
    dimensions), counted, or their values summed (`of="value"`)."""

    name: str
    kinds: tuple[str, ...]
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()
    of: str = "count"


@dataclass(frozen=True)
class Ratio:
    name: str
    numerator: str
    denominator: str


@dataclass(frozen=True)
class View:
    """Rows keyed by `rows` (a kind's grain, "week", or its dimensions), one column per
    measure and ratio; `rank_by`: within the first key, largest first."""

    name: str
    summary: str
    rows: tuple[str, ...]
    measures: tuple[Measure, ...]
    ratios: tuple[Ratio, ...] = ()
    rank_by: str | None = None

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(kind for m in self.measures for kind in m.kinds))

    @property
    def grain(self) -> str:
        return CUBES[self.kinds[0]].grain

    @property
    def filters(self) -> tuple[str, ...]:
        """The filters every kind of this view is counted by (the others are refused:
        they would cut base cells, see `disclosure`)."""
        return tuple(d for d in FILTER_DIMS if all(d in CUBES[k].dims for k in self.kinds))

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.rows, *(m.name for m in self.measures), *(r.name for r in self.ratios))

    def check(self) -> None:
        """Every measure of one grain, keyed by its own dimensions (a view cannot cut a
        base cell): called for each view at import."""
        for measure in self.measures:
            for kind in measure.kinds:
                cube = CUBES[kind]
                assert cube.grain == self.grain, (self.name, measure.name)
                assert all(r == cube.grain or r in cube.dims for r in self.rows), (self.name, kind)
                assert all(dim in cube.dims for dim, _ in measure.where), (self.name, kind)


def _kind(name: str, *kinds: str, **where: tuple[str, ...]) -> Measure:
    return Measure(name, kinds, tuple(where.items()))


VIEWS: dict[str, View] = {view.name: view for view in (
    View("conversations", "Conversations started per week, by language",
         ("week", "language"), (_kind("conversations", "conversation_started"),)),
    View("topics", "What people ask (intents), by country, most asked first",
         ("country", "intent"), (_kind("questions", "topic"),), rank_by="questions"),
    View("unmet-demand", "Searches by month, area and service type; unmet: no result, "
         "or the nearest beyond reach (25 km or more)",
         ("country", "area", "service_type"),
         (_kind("searches", "search"),
          _kind("unmet", "search", reach=("no_results", "beyond_reach")),
          _kind("no_results", "search", reach=("no_results",)),
          _kind("beyond_reach", "search", reach=("beyond_reach",))), rank_by="unmet"),
    View("no-content", "Questions answered with no content for the country, by month",
         ("country", "service_type"), (_kind("questions", "no_content"),), rank_by="questions"),
    View("reminders", "Reminders per week and country: sent, answered, taken",
         ("week", "country"),
         (_kind("opt_ins", "reminder_opt_in"), _kind("opt_outs", "reminder_opt_out"),
          _kind("sent", "reminder_sent"), _kind("delivered", "reminder_delivered"),
          _kind("failed", "reminder_failed"), _kind("answers", "checkin_answer"),
          _kind("taken", "checkin_answer", outcome=("taken",))),
         (Ratio("response_rate", "answers", "sent"), Ratio("share_taken", "taken", "answers"))),
    View("understanding", "Messages not understood (NLU fallback) per message, by language",
         ("language",), (_kind("messages", "topic", "fallback"), _kind("fallbacks", "fallback")),
         (Ratio("fallback_rate", "fallbacks", "messages"),)),
    View("cost", "SMS segments sent per SMS conversation, by country",
         ("country",),
         (Measure("segments", ("sms_segments",), of="value"), _kind("sms_messages", "sms_segments"),
          _kind("sms_conversations", "conversation_started", channel=("sms",))),
         (Ratio("segments_per_conversation", "segments", "sms_conversations"),)),
    View("activity", "Urgent-care answers, hand-offs to a person and discrimination "
         "reports, by country", ("country",),
         (_kind("urgent_answers", "urgent_answer"), _kind("handoffs", "handoff"),
          _kind("discrimination_reports", "discrimination_report"))),
)}
for _view in VIEWS.values():
    _view.check()


@dataclass(frozen=True)
class Filters:
    """What an analyst asked for: dates are inclusive and widened to whole periods."""

    date_from: date | None = None
    date_to: date | None = None
    country: str | None = None
    language: str | None = None
    channel: str | None = None
    synthetic: bool = False


@dataclass
class ViewResult:
    view: View
    start: date
    end: date  # inclusive
    rows: list[dict[str, Any]] = field(default_factory=list)
    total: dict[str, Cell] = field(default_factory=dict)


class FilterError(ValueError):
    """A filter this view cannot apply (it would cut its base cells)."""


def bucket_start(day: date, grain: str) -> date:
    return day - timedelta(days=day.weekday()) if grain == "week" else day.replace(day=1)


def _next_bucket(day: date, grain: str) -> date:
    if grain == "week":
        return day + timedelta(days=7)
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def span(grain: str, filters: Filters, today: date) -> tuple[date, date]:
    """[start, end) of whole periods covering the asked dates, ended ones only."""
    closed = bucket_start(today, grain)
    last = filters.date_to or today - timedelta(days=1)
    first = filters.date_from or last - timedelta(days=DEFAULT_DAYS)
    end = min(_next_bucket(bucket_start(last, grain), grain), closed)
    return bucket_start(first, grain), end


def _dimension(table, name: str):
    if name == "reach":
        return case((table.outcome == "0", "no_results"),
                    (table.distance_band.in_(BEYOND_REACH), "beyond_reach"),
                    else_="within_reach")
    return getattr(table, name)


def _buckets(grain: str, start: date, end: date) -> list[date]:
    """The weeks (Mondays) or months (1sts) in [start, end), both bucket starts."""
    found, day = [], start
    while day < end:
        found.append(day)
        day = _next_bucket(day, grain)
    return found


class _EndedPeriods:
    """Base cells of ended weeks or months, by database, kind and real-or-demo, kept
    while `events.generation` is unchanged: live events land in the current period
    only, so an ended one changes only through what bumps it (past-dated events, a
    roll, demo data). A view then reads SQL once per new period, not per question."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._store: dict[tuple, tuple[str | None, dict[date, dict[tuple, list[int]]]]] = {}

    def cells(self, session: Session, kind: str, synthetic: bool, start: date,
              end: date) -> dict[date, dict[tuple, list[int]]]:
        """bucket start → {dims: [events, sum of values]} for the buckets in [start, end)."""
        grain = CUBES[kind].grain
        key = (str(session.get_bind().url), kind, synthetic)
        token = generation(session)
        with self._lock:
            known_token, buckets = self._store.get(key, (None, {}))
            buckets = dict(buckets) if known_token == token else {}
        wanted = _buckets(grain, start, end)
        missing = [bucket for bucket in wanted if bucket not in buckets]
        if missing:
            read = _read(session, kind, synthetic, missing[0], _next_bucket(missing[-1], grain))
            buckets.update({bucket: read.get(bucket, {}) for bucket in missing})
            with self._lock:
                self._store[key] = (token, buckets)
        return {bucket: buckets[bucket] for bucket in wanted}

    def clear(self) -> None:
        with self._lock:
            self._store.clear()


ended_periods = _EndedPeriods()


def _read(session: Session, kind: str, synthetic: bool, start: date,
          end: date) -> dict[date, dict[tuple, list[int]]]:
    """bucket → {dims: [events, sum of values]} for one kind, raw and rolled rows."""
    cube = CUBES[kind]
    buckets: dict[date, dict[tuple, list[int]]] = defaultdict(dict)
    for table, count, value in ((StatsEvent, func.count(), func.sum(StatsEvent.value)),
                                (StatsWeekly, func.sum(StatsWeekly.events),
                                 func.sum(StatsWeekly.value_sum))):
        dims = [_dimension(table, name) for name in cube.dims]
        query = (select(table.period, *dims, count, value)
                 .where(table.synthetic == synthetic, table.kind == kind,
                        table.period >= start, table.period < end)
                 .group_by(table.period, *dims))
        for period, *rest in session.execute(query):
            bucket = bucket_start(_as_date(period), cube.grain)
            cell = buckets[bucket].setdefault(tuple(rest[:-2]), [0, 0])
            cell[0] += int(rest[-2] or 0)
            cell[1] += int(rest[-1] or 0)
    return buckets


def base_cells(session: Session, kind: str, start: date, end: date,
               filters: Filters) -> Iterator[tuple[date, tuple, int, int]]:
    """(week or month start, dims, events, sum of values) of one kind, for the ended
    periods in [start, end), the filters applied (they are dimensions of its cube)."""
    cube = CUBES[kind]
    wanted = [(cube.dims.index(d), getattr(filters, d)) for d in FILTER_DIMS
              if getattr(filters, d) is not None]
    for bucket, by_dims in ended_periods.cells(session, kind, filters.synthetic, start, end).items():
        for dims, (count, value_sum) in by_dims.items():
            if all(dims[slot] == value for slot, value in wanted):
                yield bucket, dims, count, value_sum


def _as_date(value: date | datetime | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def compute(session: Session, name: str, filters: Filters, *, min_cell: int,
            today: date | None = None) -> ViewResult:
    """One view, every figure built from publishable base cells (`disclosure`).
    `today` (tests, benchmarks) moves the present: periods before its week or month
    count as ended."""
    view = VIEWS[name]
    refused = [d for d in FILTER_DIMS if getattr(filters, d) is not None and d not in view.filters]
    if refused:
        raise FilterError(
            f"the view {name} cannot be filtered by {', '.join(refused)}: its events are "
            f"not counted by {' or '.join(refused)} (so that its small areas stay visible); "
            f"it takes {', '.join(('from', 'to', *view.filters))}")
    # A period shows an hour after it ends: an event stamped in its last hour and
    # committed a moment later is in it before anyone sees it.
    today = today or (datetime.now(timezone.utc) - ENDED_AFTER).date()
    start, end = span(view.grain, filters, today)
    result = ViewResult(view, start, end - timedelta(days=1))
    result.total = _figures(view, defaultdict(Tally), min_cell)
    if start >= end:  # nothing of it has ended yet
        return result
    tallies: dict[tuple, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    for kind in view.kinds:
        cube = CUBES[kind]
        slots = [None if r == cube.grain else cube.dims.index(r) for r in view.rows]
        measures = [(m.name, [(cube.dims.index(d), values) for d, values in m.where])
                    for m in view.measures if kind in m.kinds]
        for bucket, dims, count, value_sum in base_cells(session, kind, start, end, filters):
            row = tuple(bucket if slot is None else dims[slot] for slot in slots)
            for name, where in measures:
                if all(dims[slot] in values for slot, values in where):
                    tallies[row][name].add(count, value_sum, min_cell)
    totals: dict[str, Tally] = defaultdict(Tally)
    for row, by_measure in tallies.items():
        for measure_name, tally in by_measure.items():
            totals[measure_name].merge(tally)
        result.rows.append(_row(view, row, by_measure, min_cell))
    result.total = _figures(view, totals, min_cell)
    result.rows.sort(key=_order(view))
    return result


def _figures(view: View, tallies: dict[str, Tally], min_cell: int) -> dict[str, Cell]:
    figures = {m.name: tallies[m.name].cell(m.of) for m in view.measures}
    for ratio in view.ratios:
        numerator = next(m for m in view.measures if m.name == ratio.numerator)
        figures[ratio.name] = rate(tallies[ratio.numerator], tallies[ratio.denominator],
                                   min_cell, of=numerator.of)
    return figures


def _row(view: View, key: tuple, tallies: dict[str, Tally], min_cell: int) -> dict[str, Any]:
    row: dict[str, Any] = {name: (value.isoformat() if isinstance(value, date) else value)
                           for name, value in zip(view.rows, key)}
    row.update(_figures(view, defaultdict(Tally, tallies), min_cell))
    return row


def _order(view: View):
    def key(row: dict[str, Any]) -> tuple:
        dims = tuple(str(row[r] or "") for r in view.rows)
        if view.rank_by is None:
            return dims
        value = row[view.rank_by].value
        return (dims[0], -(value if value is not None else -1), dims[1:])
    return key
