"""Disclosure control: no count from 1 to STATS_MIN_CELL - 1 is shown, nor recomputable.

Why cell-by-cell suppression is not enough here
-----------------------------------------------
The API answers any week range and any filter on country, language and channel, so
an analyst can ask for the same figure many ways. Suppressing each small cell of
each answer, even with complementary cells, leaks across answers: "Haitian Creole,
week 47" = 145 without a filter and 140 with `channel=sms` tells that 5 came by
WhatsApp, though the `channel=whatsapp` answer suppresses that 5. Ranges do the
same: weeks 44-47 minus weeks 44-46 is week 47. Protecting every combination of
filters by complementary suppression is a hard problem (linked tables), and the
pattern would have to hold for answers not yet asked.

The rule: publish sums of publishable base cells, nothing else
---------------------------------------------------------------
Each event kind has one fixed *base table* (`queries.CUBES`): its time grain (ISO
week, or month for sparse kinds) and the dimensions it is counted by. A *base cell*
is one combination of those (e.g. week 47, co, ht, whatsapp). It is *publishable*
when its count is 0 or at least STATS_MIN_CELL, and that depends on the cell alone,
never on the question asked. Every number the API returns, in any view, for any
filter, row, total or rate, is computed from base cells only:

1. a range selects whole weeks (or months), a filter selects whole base cells (a
   view refuses a filter on a dimension its kinds are not counted by), a row or a
   total is a set of whole base cells;
2. its value is the sum of its *publishable* base cells; when it holds small ones it
   is flagged `partial` (a lower bound), and when it holds only small ones it is
   suppressed (`null`), never shown as 0;
3. a rate is a ratio of two such sums, shown only when its denominator is at least
   STATS_MIN_CELL and its numerator is 0 or at least STATS_MIN_CELL;
4. a period is shown only once it has ended (events are stamped by the app with the
   hour they happen, never later), so asking again later cannot difference a week;
5. demo (synthetic) and real events are separate base tables, never summed together.

Why nothing small can be recomputed: every published number is a sum of
publishable base cells, so all answers together, whatever their filters, ranges,
totals and differences, carry no more than the list of publishable base cells'
values and which base cells are small (a suppressed base cell shows as `null` when
asked for alone, as any suppression shows). A true count T from 1 to STATS_MIN_CELL
- 1, of any set of base cells, contains at least one small non-zero base cell (its
cells add up to less than STATS_MIN_CELL); that cell's value enters no published
number, and may be anything from 1 to STATS_MIN_CELL - 1 as far as the answers
tell, so T is not determined: not by differences of totals and margins, nor of date
ranges, nor of a filtered and an unfiltered view. No complementary suppression is
needed because no published number holds a suppressed one. The price: a figure made
of many small cells is shown lower than it is (`partial`), and a kind's base table is
kept coarse (e.g. searches by month, area and service type, without language or
channel) so that the cells analysts need are big enough.
tests/service_directory/test_stats_disclosure.py tries to recover every small count
from everything the API returns for random event logs (Hypothesis).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    """One published figure: `value`, or `None` with `suppressed`; `partial` when small
    groups inside it were left out (the value is then a lower bound)."""

    value: int | float | None
    suppressed: bool = False
    partial: bool = False


SUPPRESSED = Cell(None, suppressed=True)


def publishable(count: int, min_cell: int) -> bool:
    """A base cell may be shown: nobody (0) or at least `min_cell` events."""
    return count == 0 or count >= min_cell


@dataclass
class Tally:
    """The publishable part of a set of base cells: their count, their values' sum, and
    whether small cells were left out."""

    count: int = 0
    value_sum: int = 0
    left_out: bool = False

    def add(self, count: int, value_sum: int | None, min_cell: int) -> None:
        if publishable(count, min_cell):
            self.count += count
            self.value_sum += value_sum or 0
        else:
            self.left_out = True

    def merge(self, other: "Tally") -> None:
        """Add another tally's publishable part (both were built from base cells)."""
        self.count += other.count
        self.value_sum += other.value_sum
        self.left_out = self.left_out or other.left_out

    def cell(self, of: str = "count") -> Cell:
        """The count (or the values' sum) as published."""
        if self.left_out and self.count == 0:
            return SUPPRESSED
        value = self.count if of == "count" else self.value_sum
        return Cell(value, partial=self.left_out)


def rate(numerator: Tally, denominator: Tally, min_cell: int, *, of: str = "count",
         digits: int = 3) -> Cell:
    """numerator / denominator, shown only when the denominator counts at least
    `min_cell` events and the numerator is 0 or at least `min_cell` events."""
    top = numerator.cell(of)
    bottom = denominator.cell()
    if top.suppressed or bottom.suppressed or denominator.count < min_cell \
            or not publishable(numerator.count, min_cell):
        return SUPPRESSED
    return Cell(round((top.value or 0) / bottom.value, digits),
                partial=top.partial or bottom.partial)
