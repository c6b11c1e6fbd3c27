"""Size classes of enterprises by rule: EU Recommendation 2003/361 and Russian 209-FZ.

The thresholds depend on the jurisdiction and on the year, so they are not OWL
class definitions (classes defined over data values make reasoning about ten
times slower): a rule reads an organisation's key figures for a reference year
and returns the size class that follows, which the build stores.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

log = logging.getLogger(__name__)

EU_SCHEME = "size-eu-2003"
RU_SCHEME = "size-ru-209fz"


@dataclass(frozen=True)
class KeyFigures:
    """An organisation's figures for one reference year, as the rules need them."""

    year: int
    employees: int | None
    turnover: dict[str, Decimal]
    balance_sheet: dict[str, Decimal]
    in_russia: bool


@dataclass(frozen=True)
class Band:
    """One size class: the key of its concept and its upper limits."""

    key: str
    max_employees: int
    max_turnover: Decimal | None
    max_balance_sheet: Decimal | None


MILLION = Decimal(1_000_000)

# Commission Recommendation 2003/361/EC, in force since 1 January 2005: staff below
# the limit and turnover or balance-sheet total within the limit (EUR).
EU_FROM_YEAR = 2005
EU_BANDS = (
    Band("eu-micro", 9, 2 * MILLION, 2 * MILLION),
    Band("eu-small", 49, 10 * MILLION, 10 * MILLION),
    Band("eu-medium", 249, 50 * MILLION, 43 * MILLION),
)
EU_LARGE = "eu-large"

# Federal Law 209-FZ, in force since 1 January 2008: average headcount up to 15, 100
# or 250 and revenue up to the limits of Government decrees (RUB): Decree 556 of
# 2008 (60 m, 400 m, 1 bn), Decrees 702 of 2015 and 265 of 2016 (120 m, 800 m, 2 bn).
RU_FROM_YEAR = 2008
RU_BANDS_BY_YEAR = (
    (
        2008,
        (
            Band("ru-micro", 15, 60 * MILLION, None),
            Band("ru-small", 100, 400 * MILLION, None),
            Band("ru-medium", 250, 1000 * MILLION, None),
        ),
    ),
    (
        2015,
        (
            Band("ru-micro", 15, 120 * MILLION, None),
            Band("ru-small", 100, 800 * MILLION, None),
            Band("ru-medium", 250, 2000 * MILLION, None),
        ),
    ),
)
RU_NOT_SME = "ru-not-sme"


def size_classes(figures: KeyFigures) -> list[str]:
    """Return the keys of the size classes that follow from ``figures``."""
    found = [eu_size_class(figures), ru_size_class(figures)]

    return [key for key in found if key is not None]


def eu_size_class(figures: KeyFigures) -> str | None:
    """Return the EU 2003/361 size class, or None when it does not apply or is open.

    An enterprise belongs to the smallest class whose staff limit it meets and
    whose turnover or balance-sheet limit it meets.
    """
    if figures.year < EU_FROM_YEAR or figures.employees is None:
        return None
    turnover = figures.turnover.get("EUR")
    balance = figures.balance_sheet.get("EUR")
    for band in EU_BANDS:
        if figures.employees > band.max_employees:
            continue
        if _within(turnover, band.max_turnover) or _within(
            balance, band.max_balance_sheet
        ):
            return band.key
        if turnover is None or balance is None:
            log.debug("EU size class open: a EUR figure is missing")
            return None

    return EU_LARGE


def _within(value: Decimal | None, limit: Decimal | None) -> bool:
    return value is not None and limit is not None and value <= limit


def ru_size_class(figures: KeyFigures) -> str | None:
    """Return the 209-FZ size class of a Russian firm, or None when it does not apply.

    The class is the larger of the classes given by headcount and by revenue.
    """
    if not figures.in_russia or figures.year < RU_FROM_YEAR:
        return None
    if figures.employees is None:
        return None
    bands = ru_bands(figures.year)
    revenue = figures.turnover.get("RUB")
    by_staff = _band_index(figures.employees, [b.max_employees for b in bands])
    if revenue is None:
        return RU_NOT_SME if by_staff == len(bands) else None
    by_revenue = _band_index(revenue, [b.max_turnover for b in bands])
    index = max(by_staff, by_revenue)

    return bands[index].key if index < len(bands) else RU_NOT_SME


def ru_bands(year: int) -> tuple[Band, ...]:
    """Return the 209-FZ bands in force in ``year``."""
    chosen = RU_BANDS_BY_YEAR[0][1]
    for from_year, bands in RU_BANDS_BY_YEAR:
        if year >= from_year:
            chosen = bands

    return chosen


def _band_index(value: Decimal | int, limits: list) -> int:
    for index, limit in enumerate(limits):
        if value <= limit:
            return index

    return len(limits)
