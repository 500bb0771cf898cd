"""What every area's generator shares: the scale table, random streams, names and the calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Scale:
    regions: int
    tutors: int
    students: int
    schools_per_region: int
    rooms_per_region: int
    customers: int
    applications: int


# fmt: off
SCALES: dict[str, Scale] = {
    #                regions tutors students schools rooms customers applications
    "small":  Scale(4,     60,   1_200,   1,      3,     2_000,    2_500),
    "medium": Scale(6,    800,   9_000,   2,      5,    16_000,   20_000),
    "large":  Scale(8,  5_000,  40_000,   3,      8,    80_000,  100_000),
    "xlarge": Scale(8, 15_000, 120_000,   9,     24,   240_000,  300_000),  # ~3.15M sessions
}
# fmt: on

HISTORY_WEEKS = 104
REGIONS = [
    ("N", "North"),
    ("S", "South"),
    ("E", "East"),
    ("W", "West"),
    ("C", "Central"),
    ("CO", "Coast"),
    ("HL", "Highlands"),
    ("V", "Valley"),
]
FIRST_NAMES = np.array(
    "Amara Ben Chloe Daniel Elif Farah Gabriel Hana Ivan Jun Kofi Lena Mateo Nadia Omar Priya "
    "Quinn Rosa Sami Tara Uma Viktor Wen Xavier Yara Zane Aisha Bruno Carmen Dev Emma Felix "
    "Grace Hugo Isla Jonas Kira Liam Maya Noah Olga Pablo Rhea Sofia Theo Vera Will Zoe".split()
)
LAST_NAMES = np.array(
    "Adeyemi Becker Costa Dubois Eriksen Fischer Garcia Haddad Ito Jensen Kowalski Larsen "
    "Moreau Nakamura Okafor Petrov Quinto Rossi Silva Tanaka Urban Varga Weber Xu Yilmaz "
    "Zielinski Alvarez Brennan Chen Diallo Evans Fontaine Gupta Horvat Ibrahim Jovanovic".split()
)


def per_region(regions: int, each: int) -> pd.DataFrame:
    """`each` numbered places (schools, rooms) in every region. Columns: id, region_id, k."""
    grid = pd.DataFrame(
        [(r, k) for r in range(1, regions + 1) for k in range(each)], columns=["region_id", "k"]
    )
    grid.insert(0, "id", np.arange(1, len(grid) + 1))
    return grid


def rng_for(seed: int, stream: str) -> np.random.Generator:
    """An independent, reproducible random stream per area, so areas don't shift each other."""
    return np.random.default_rng([seed, sum(ord(c) * 31**i for i, c in enumerate(stream)) % 2**32])


def person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    first = rng.choice(FIRST_NAMES, n)
    last = rng.choice(LAST_NAMES, n)
    return np.char.add(np.char.add(first, " "), last)


def week_starts(as_of: date, weeks_back: int, weeks_ahead: int = 0) -> pd.DatetimeIndex:
    """Mondays (UTC midnight) from `weeks_back` weeks before as_of's week to `weeks_ahead` after."""
    monday = as_of - timedelta(days=as_of.weekday())
    start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC) - timedelta(
        weeks=weeks_back
    )
    return pd.date_range(start, periods=weeks_back + weeks_ahead + 1, freq="7D")


def school_term_mask(days: pd.DatetimeIndex) -> np.ndarray:
    """True on school days: weekdays outside the summer, winter and spring breaks."""
    week = days.isocalendar().week.to_numpy()
    weekday = days.day_of_week.to_numpy()
    on_break = ((week >= 27) & (week <= 35)) | (week >= 52) | (week == 1) | (week == 15)
    return (weekday < 5) & ~on_break


def as_utc_timestamp(day: date) -> pd.Timestamp:
    return pd.Timestamp(day.year, day.month, day.day, tz="UTC")


def happened_by(as_of: date) -> pd.Timestamp:
    """Until when the demo's events have happened: the end of `as_of`, but never later than
    the moment of generating, so that a demo seeded this morning shows no sessions completed
    this evening (its "Data as of" is never in the future)."""
    end_of_day = pd.Timestamp(as_of, tz="UTC") + pd.Timedelta(days=1)
    return min(end_of_day, pd.Timestamp.now(tz="UTC").floor("min"))
