"""Dates as people type them, for "By when?", `reopen --due` and the date options of read commands.

A wrong date is worse than a refusal: a phrase that could mean two days, or names a span rather than a day,
is refused with the reason and both readings, never guessed. Words that mean no date ("asap", "tbd",
"soon") read as no date. The vocabulary is listed in `read_due`; the words themselves and the clean-up of
what was typed live in `coachcli.date_words`.

Weekday words, all relative to `today` (weeks start on `DateRules.week_start`, Monday by default):

- ``friday`` / ``fri`` / ``coming friday``: the next Friday strictly after today.
- ``this friday``: the next Friday on or after today (today if today is Friday).
- ``next friday`` / ``friday next week`` / ``next week friday``: the Friday of next calendar week.
- ``next week``: the first day of next calendar week.
- ``end of week`` / ``eow``: the coming Friday, today if today is Friday; ``end of next week``: next week's.

Every failure is a `DateParseError` (a `UsageError`): the caller shows one line and never a traceback.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from coachcli import date_spans as spans
from coachcli import date_words as forms
from coachcli.date_words import MONTHS, NO_DATE, SHORT_MONTHS, SHORT_WEEKDAYS, VAGUE, WEEKDAYS, normalise
from coachcli.errors import UsageError

EXAMPLE = "e.g. 2026-12-05, friday, next week, in 3 days, end of month"

_TRY = "try 2026-12-05, friday, next week or in 3 days"


class DateParseError(UsageError):
    """A typed date that cannot be read, could mean more than one day, or falls outside years 1 to 9999."""


@dataclass(frozen=True)
class DateRules:
    """How to read what the words leave open.

    `day_first`: 12/05 is 12 May (True), December 5 (False), or refused naming both (None).
    `fiscal_year_start`: the month (1-12) the fiscal year starts in; quarters ("eoq", "end of Q2") follow it.
    `week_start`: the first day of a week (0 Monday ... 6 Sunday), for "next week" and "next friday".
    """

    day_first: bool | None = None
    fiscal_year_start: int = 1
    week_start: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.fiscal_year_start <= 12:
            raise ValueError("fiscal_year_start is a month, 1 to 12")
        if not 0 <= self.week_start <= 6:
            raise ValueError("week_start is a weekday, 0 (Monday) to 6 (Sunday)")


DEFAULT_RULES = DateRules()


@dataclass(frozen=True)
class DueReading:
    """What a typed due date says: a day, or no date (`day` None, with `note` saying so).

    `unusual` says why a terminal should ask before keeping the day (it has passed, or is over a year away).
    """

    day: datetime.date | None
    note: str | None = None
    unusual: str | None = None


def long_date(day: datetime.date) -> str:
    """A day as a person reads it back, in any locale: "Fri 4 Dec 2026"."""
    return f"{SHORT_WEEKDAYS[day.weekday()]} {day.day} {SHORT_MONTHS[day.month - 1]} {day.year}"


_AHEAD = 183  # a month and day that passed more recently than this (in days) may mean last year: ask
_FAR = 366
_TOO_LONG = 80

_SHOWN_LIMIT = 40


def _shown(text: str) -> str:
    """The user's text, made safe to echo on one short line."""
    flat = " ".join(text.split())
    flat = "".join(c if c.isprintable() else "?" for c in flat[: _SHOWN_LIMIT + 1])
    return flat if len(flat) <= _SHOWN_LIMIT else flat[:_SHOWN_LIMIT] + "…"


def _unreadable(text: str) -> DateParseError:
    if not text.strip():
        return DateParseError(f"no date given; {_TRY}")
    return DateParseError(f"can't read '{_shown(text)}' as a date; {_TRY}")


def _refused(text: str, why: str) -> DateParseError:
    return DateParseError(f"'{_shown(text)}' {why}")


def _not_a_day(text: str) -> DateParseError:
    return DateParseError(f"'{_shown(text)}' is not a real date; {_TRY}")


def _outside(text: str) -> DateParseError:
    return DateParseError(f"'{_shown(text)}' falls outside the calendar (years 1 to 9999)")


def _plus_days(day: datetime.date, count: int, text: str) -> datetime.date:
    try:
        return spans.plus_days(day, count)
    except OverflowError:
        raise _outside(text) from None


def _plus_months(day: datetime.date, count: int, text: str) -> datetime.date:
    try:
        return spans.plus_months(day, count)
    except OverflowError:
        raise _outside(text) from None


def _count(match: re.Match[str], text: str) -> int:
    number = match.group("num")
    if number is None:
        return 1  # "a" or "an"
    digits = number.lstrip("0") or "0"
    # Anything longer cannot land inside the calendar, and int() on thousands of digits is refused anyway.
    if len(digits) > 9:
        raise _outside(text)
    return int(digits)


def _shift(today: datetime.date, count: int, unit: str, text: str) -> datetime.date:
    if unit.startswith(("bus", "wor", "biz", "bd")):
        return spans.business_days(today, count)
    if unit.startswith("h"):
        if count % 24:
            raise _refused(text, "is a time, not a day; name the day")
        return _plus_days(today, count // 24, text)
    if unit.startswith("m"):
        return _plus_months(today, count, text)
    if unit.startswith("w"):
        count *= 7
    return _plus_days(today, count, text)


def _month_day(
    month: int, day: int, year: str | None, today: datetime.date, text: str, *, forward: bool
) -> datetime.date:
    """A day and month: in the year given; else this year's, or next year's when this year's has passed long ago.

    One that passed less than half a year ago may mean either year: refused, naming both.
    """
    if year is not None:
        try:
            return datetime.date(int(year), month, day)
        except ValueError:
            raise _not_a_day(text) from None
    if not 1 <= day <= calendar.monthrange(2000, month)[1]:  # 2000 was a leap year: the longest each month runs
        raise _not_a_day(text)
    readings = []
    for candidate_year in (today.year, today.year + 1):
        try:
            readings.append(datetime.date(candidate_year, month, day))
        except ValueError:
            continue  # 29 February in a common year, or past 9999
    if not forward:
        if not readings or readings[0].year != today.year:
            raise _refused(text, f"is not a day in {today.year}")
        return readings[0]
    this_year = readings[0] if readings and readings[0].year == today.year else None
    if this_year is not None and this_year >= today:
        return this_year
    later = [r for r in readings if r > today]
    if later and (later[0] - today).days <= _AHEAD:
        return later[0]
    if not readings:
        raise _refused(text, f"is not a day in {today.year} or {today.year + 1}: name the year")
    shown = " or ".join(r.isoformat() for r in readings)
    raise _refused(text, f"could be last year or next: type the one you mean ({shown})")


def _numeric(match: re.Match[str], today: datetime.date, rules: DateRules, text: str) -> datetime.date:
    """12/05, 5/12/2026: day and month in the configured order; refused naming both when none is set."""
    a, b = int(match.group("a")), int(match.group("b"))
    year = match.group("year")
    if year is not None and len(year) == 2:
        year = f"20{year}"
    orders = {"day first": (b, a), "month first": (a, b)}  # (month, day)
    if rules.day_first is not None:
        month, day = orders["day first" if rules.day_first else "month first"]
        if not 1 <= month <= 12:
            raise _not_a_day(text)
        return _month_day(month, day, year, today, text, forward=True)
    readings: dict[datetime.date, str] = {}
    for order, (month, day) in orders.items():
        if 1 <= month <= 12:
            try:
                readings.setdefault(_month_day(month, day, year, today, text, forward=True), order)
            except DateParseError:
                if 1 <= day <= calendar.monthrange(2000, month)[1]:
                    raise  # a real day in either order, just not a clear one: say so rather than pick the other
    if len(readings) == 1:
        return next(iter(readings))
    if not readings:
        raise _not_a_day(text)
    both = " or ".join(f"{long_date(d)} ({d.isoformat()})" for d in sorted(readings))
    raise _refused(text, f"could be {both}: type it as YYYY-MM-DD, or set the date order")


def _with_weekday(words: str, today: datetime.date, rules: DateRules, text: str) -> datetime.date | None:
    """ "fri 4 dec": the date, checked against the weekday named; None when the words are not that form."""
    first, _, rest = words.partition(" ")
    if first not in WEEKDAYS or not rest:
        return None
    head = rest.split()[0]
    if not (head[0].isdigit() or head in MONTHS or head == "the"):
        return None
    day = _absolute(rest, today, rules, text)
    if day is None:
        return None
    if day.weekday() != WEEKDAYS[first]:
        named = forms.DAY_NAMES[WEEKDAYS[first]]
        raise _refused(text, f"names two days: {long_date(day)} is a {forms.DAY_NAMES[day.weekday()]}, not a {named}")
    return day


def _absolute(words: str, today: datetime.date, rules: DateRules, text: str) -> datetime.date | None:
    """A calendar day named by its number: ISO, numeric, day and month, "the 15th", "mid december"."""
    if match := forms.ISO.fullmatch(words):
        try:
            return datetime.date(int(match.group("year")), int(match.group("month")), int(match.group("day")))
        except ValueError:
            raise _not_a_day(text) from None
    if match := forms.NUMERIC.fullmatch(words):
        return _numeric(match, today, rules, text)
    if match := forms.DAY_MONTH.fullmatch(words) or forms.MONTH_DAY.fullmatch(words):
        month = MONTHS[match.group("month")]
        return _month_day(month, int(match.group("day")), match.group("year"), today, text, forward=True)
    if match := forms.MID.fullmatch(words):
        if match.group("month"):
            return _month_day(MONTHS[match.group("month")], 15, None, today, text, forward=True)
        start = _plus_months(today.replace(day=1), 1 if match.group("next") else 0, text)
        if start.replace(day=15) < today:
            raise _refused(text, "has passed this month: name the month")
        return start.replace(day=15)
    if match := forms.DAY_OF.fullmatch(words):
        day = int(match.group("day"))
        months = [1] if match.group("next") else [0, 1]
        for ahead in months:
            start = _plus_months(today.replace(day=1), ahead, text)
            if day <= calendar.monthrange(start.year, start.month)[1] and start.replace(day=day) >= today:
                return start.replace(day=day)
        raise _refused(text, "is not a day in the coming month: name the month")
    if forms.DAY_OF_NEXT.fullmatch(words):
        return _plus_months(today.replace(day=1), 1, text)
    return None


def _relative(words: str, today: datetime.date, rules: DateRules, text: str) -> datetime.date | None:
    """Days, weeks, months, quarters and years counted from today."""
    words = forms.ABBREVIATIONS.get(words, words)
    if words in ("today", "tonight", "tonite"):
        return today
    if words == "tomorrow":
        return _plus_days(today, 1, text)
    if words == "day after tomorrow":
        return _plus_days(today, 2, text)
    if words == "yesterday":
        return _plus_days(today, -1, text)
    if words == "next week":
        return _plus_days(spans.week_start(today, rules.week_start), 7, text)
    if words == "next month":
        return _plus_months(today.replace(day=1), 1, text)
    if match := forms.END_OF.fullmatch(words):
        span = (match.group("span") or match.group("span2")).split()[0]
        ahead = 1 if match.group("next") else 0
        if span == "week":
            if ahead:
                return spans.in_week(_plus_days(spans.week_start(today, rules.week_start), 7, text), 4)
            return _plus_days(today, (4 - today.weekday()) % 7, text)
        if span == "month":
            return spans.month_end(_plus_months(today.replace(day=1), ahead, text))
        if span in ("quarter", "qtr", "q"):
            return spans.quarter_end(today, rules.fiscal_year_start, ahead)
        if span in ("fiscal", "fy"):
            return spans.fiscal_year_end(today, rules.fiscal_year_start, ahead)
        return spans.year_end(today, ahead)
    if match := forms.QUARTER_END.fullmatch(words):
        number = int(match.group("q") or match.group("q2") or match.group("q3"))
        return spans.numbered_quarter_end(today, rules.fiscal_year_start, number)
    if forms.QUARTER.fullmatch(words):
        raise _refused(text, "could mean its first day or its last: say 'end of quarter' or name the day")
    if match := forms.RELATIVE.fullmatch(words):
        base = today
        if match.group("base") is not None:
            base_words = match.group("base")
            found = today if base_words in ("now", "today") else _parse(base_words, today, rules, text)
            if found is None:
                return None
            base = found
        return _shift(base, _count(match, text), match.group("unit"), text)
    return None


def _weekday(words: str, today: datetime.date, rules: DateRules, text: str) -> datetime.date | None:
    match = forms.WEEKDAY_WORDS.fullmatch(words) or forms.NEXT_WEEK_DAY.fullmatch(words)
    if match is None:
        return None
    weekday = WEEKDAYS[match.group("weekday")]
    which = match.groupdict().get("which")
    after = (match.groupdict().get("after") or "").split()
    if match.re is forms.NEXT_WEEK_DAY or which == "next" or after[:1] == ["next"]:
        if which is not None and after:
            return None  # "next friday next week"
        return spans.in_week(_plus_days(spans.week_start(today, rules.week_start), 7, text), weekday)
    if after[:1] == ["this"]:
        day = spans.in_week(spans.week_start(today, rules.week_start), weekday)
        if day < today:
            raise _refused(text, "has passed this week")
        return day
    if which == "this":
        return _plus_days(today, (weekday - today.weekday()) % 7, text)
    return _plus_days(today, (weekday - today.weekday() - 1) % 7 + 1, text)


def _parse(words: str, today: datetime.date, rules: DateRules, text: str) -> datetime.date | None:
    """The date `words` (normalised) name, None when they are no date form at all."""
    try:
        for form in (_absolute, _with_weekday, _relative, _weekday):
            found = form(words, today, rules, text)
            if found is not None:
                return found
    except OverflowError:
        raise _outside(text) from None
    return None


def read_due(text: str, today: datetime.date, rules: DateRules = DEFAULT_RULES) -> DueReading:
    """What a typed due date says, counted from `today`; raises `DateParseError` when it is not sure.

    Reads, case-insensitively, with an optional leading "by", "on" or "due" and trailing punctuation, and
    ignoring a time of day ("friday 5pm", "EOD thursday"): YYYY-MM-DD (or YYYY/MM/DD); 12/05 and 12/05/2027
    in the order `rules.day_first` sets (refused, naming both readings, without one); today, tonight, eod,
    cob; tomorrow (tmrw, tmr ...); weekday names (see the module docstring), "thursday next week",
    "fri 4 dec" (checked); "in N days|weeks|months|business days", numbers as words, "a couple of days",
    "a fortnight", "N days from friday"; end of week/month/quarter/year and next week's/month's/quarter's
    (eow, eom, eoq, eoy), "end of Q3", "end of fiscal year" (quarters follow `rules.fiscal_year_start`);
    "5 dec", "Dec. 5th", "december 5, 2027"; "the 15th", "first of the month", "15th of next month";
    "mid december", "mid-month". A month and day without a year is this year's, or next year's once this
    year's is more than half a year gone; one that passed more recently is refused naming both years.
    "asap", "tbd", "soon" and the like give no date, with a note saying so.
    """
    words = normalise(text)
    if len(words) > _TOO_LONG:
        raise _unreadable(text)
    if words in NO_DATE:
        return DueReading(None, note=f"'{_shown(text)}' means no date")
    day = _parse(words, today, rules, text)
    if day is None:
        if VAGUE.search(words):
            raise _refused(text, "names a span, not a day: name the day (e.g. friday, 2026-12-05)")
        raise _unreadable(text)
    unusual = None
    if day < today:
        unusual = "that day has passed"
    elif (day - today).days > _FAR:
        unusual = "that is more than a year ahead"
    return DueReading(day, unusual=unusual)


def parse_due(text: str, today: datetime.date, rules: DateRules = DEFAULT_RULES) -> datetime.date:
    """The due date `text` names (see `read_due`); raises `DateParseError` when it names no single day,
    including words that mean no date."""
    reading = read_due(text, today, rules)
    if reading.day is None:
        raise DateParseError(f"{reading.note}; leave it out for no date")
    return reading.day


def parse_date_option(text: str, today: datetime.date, rules: DateRules = DEFAULT_RULES) -> datetime.date:
    """A date for --since/--until: everything `parse_due` reads, plus words for the past.

    Adds: yesterday; "N days|weeks|months ago" (and "a week ago"); "last <weekday>" (the most recent
    one strictly before today); last week / this week (that week's first day); last month / this month
    (that month's first day). A day and month without a year ("1 nov") means that day in today's year,
    because these options bound a range of history and "since 1 nov" must not leap to next year.
    Bare weekday names keep their forward meaning from `parse_due`; "last friday" names the past one.
    """
    try:
        return _past_option(normalise(text), today, rules, text)
    except OverflowError:
        raise _outside(text) from None


def _past_option(words: str, today: datetime.date, rules: DateRules, text: str) -> datetime.date:
    if words == "this week":
        return spans.week_start(today, rules.week_start)
    if words == "last week":
        return _plus_days(spans.week_start(today, rules.week_start), -7, text)
    if words == "this month":
        return today.replace(day=1)
    if words == "last month":
        return _plus_months(today.replace(day=1), -1, text)
    if match := forms.LAST_WEEKDAY.fullmatch(words):
        weekday = WEEKDAYS[match.group("weekday")]
        return _plus_days(today, -((today.weekday() - weekday - 1) % 7 + 1), text)
    if match := forms.AGO.fullmatch(words):
        return _shift(today, -_count(match, text), match.group("unit"), text)
    if match := forms.DAY_MONTH.fullmatch(words) or forms.MONTH_DAY.fullmatch(words):
        month = MONTHS[match.group("month")]
        return _month_day(month, int(match.group("day")), match.group("year"), today, text, forward=False)
    return parse_due(text, today, rules)


def age(since: datetime.datetime, today: datetime.date) -> str:
    """How long ago, briefly: "0d", "3d", "2w", "5mo", "2y"."""
    days = max((today - since.date()).days, 0)
    if days < 14:
        return f"{days}d"
    if days < 60:
        return f"{days // 7}w"
    if days < 730:
        return f"{days // 30}mo"
    return f"{days // 365}y"
