"""Calendar spans for due dates: whole months, working days, weeks, fiscal quarters and years.

Plain arithmetic on `datetime.date`; a result outside years 1 to 9999 raises `OverflowError`, which
`coachcli.dates` turns into its one-line error.
"""

from __future__ import annotations

import calendar
import datetime


def plus_days(day: datetime.date, count: int) -> datetime.date:
    return day + datetime.timedelta(days=count)


def plus_months(day: datetime.date, count: int) -> datetime.date:
    """`day` moved by whole months, clamped to the last day of a shorter month (Jan 31 + 1 = Feb 28/29)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + count, 12)
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise OverflowError("outside the calendar")
    last = calendar.monthrange(year, month0 + 1)[1]
    return datetime.date(year, month0 + 1, min(day.day, last))


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def business_days(day: datetime.date, count: int) -> datetime.date:
    """`count` working days (Monday to Friday) after `day`."""
    weeks, rest = divmod(count, 5)
    day = plus_days(day, weeks * 7)
    if weeks and not rest and day.weekday() > 4:
        return plus_days(day, 4 - day.weekday())  # from a weekend, five working days end on a Friday
    while rest:
        day = plus_days(day, 1)
        rest -= day.weekday() < 5
    return day


def week_start(day: datetime.date, first_weekday: int) -> datetime.date:
    """The first day of `day`'s week, weeks starting on `first_weekday` (0 Monday ... 6 Sunday)."""
    return plus_days(day, -((day.weekday() - first_weekday) % 7))


def in_week(start: datetime.date, weekday: int) -> datetime.date:
    """The `weekday` of the week starting on `start`."""
    return plus_days(start, (weekday - start.weekday()) % 7)


def quarter_end(today: datetime.date, fiscal_start: int, ahead: int) -> datetime.date:
    """The last day of the fiscal quarter `ahead` quarters after today's (fiscal years start in `fiscal_start`)."""
    into_year = (today.month - fiscal_start) % 12
    first = plus_months(today.replace(day=1), -(into_year % 3) + 3 * ahead)
    return month_end(plus_months(first, 2))


def numbered_quarter_end(today: datetime.date, fiscal_start: int, number: int) -> datetime.date:
    """The end of the next fiscal quarter `number` (1-4) that has not ended yet."""
    current = (today.month - fiscal_start) % 12 // 3 + 1
    return quarter_end(today, fiscal_start, (number - current) % 4)


def fiscal_year_end(today: datetime.date, fiscal_start: int, ahead: int) -> datetime.date:
    """The last day of the fiscal year `ahead` years after today's."""
    into_year = (today.month - fiscal_start) % 12
    return month_end(plus_months(today.replace(day=1), -into_year + 12 * ahead + 11))


def year_end(today: datetime.date, ahead: int) -> datetime.date:
    if today.year + ahead > datetime.MAXYEAR:
        raise OverflowError("outside the calendar")
    return datetime.date(today.year + ahead, 12, 31)
