"""Dates as people type them: ISO dates plus a few plain-English words, for "By when?" and date options.

Weekday words, all relative to `today` (weeks run Monday to Sunday):

- ``friday`` / ``fri``: the next Friday strictly after today (a week today if today is Friday).
- ``this friday``: the next Friday on or after today (today if today is Friday).
- ``next friday``: the Friday of next calendar week, so always 5 to 11 days after a Wednesday and
  the same as ``friday`` when said on a Saturday or Sunday.
- ``next week``: the Monday of next calendar week.
- ``end of week`` / ``eow``: the coming Friday, today if today is Friday.

Every parsing failure is a `DateParseError`, including dates past the calendar's end (year 9999):
the caller shows one line to the user and never a traceback.
"""

from __future__ import annotations

import calendar
import datetime
import re

from coachcli.errors import UsageError

EXAMPLE = "e.g. 2026-12-05, friday, next week, in 3 days, end of month"

_TRY = "try 2026-12-05, friday, next week or in 3 days"


class DateParseError(UsageError):
    """A typed date that cannot be read, is not a real day, or falls outside years 1 to 9999."""


_WEEKDAYS: dict[str, int] = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "wednesday": 2,
    "wed": 2,
    "thursday": 3,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}

# Spelled out rather than taken from `calendar.month_name`, which follows the process's locale.
_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS: dict[str, int] = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}
_MONTHS.update({name[:3]: number for number, name in enumerate(_MONTH_NAMES, start=1)})
_MONTHS["sept"] = 9


def _alternation(names: dict[str, int]) -> str:
    # Longest first, so "june" is tried before "jun" and nothing is cut short.
    return "|".join(sorted(names, key=len, reverse=True))


_WEEKDAY = _alternation(_WEEKDAYS)
_MONTH = _alternation(_MONTHS)
# ASCII digits only: `\d` would also accept other scripts' digits, which nobody types in a date.
_COUNT = r"(?:(?P<num>[0-9]+)\s*|(?P<word>an?|one)\s+)"
_UNIT = r"(?P<unit>d|days?|w|wks?|weeks?|mos?|months?)"
_ORDINAL = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>[0-9]{4}))?"

_ISO = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})")
_PREFIX = re.compile(r"(?:by|on)\s+")
_WEEKDAY_WORDS = re.compile(rf"(?:(?P<which>this|next)\s+)?(?P<weekday>{_WEEKDAY})")
_RELATIVE = re.compile(rf"(?:in\s+)?{_COUNT}{_UNIT}")
_DAY_MONTH = re.compile(rf"(?P<day>[0-9]{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<month>{_MONTH}){_YEAR}")
_MONTH_DAY = re.compile(rf"(?P<month>{_MONTH})\s+(?P<day>[0-9]{{1,2}}){_ORDINAL}{_YEAR}")
_LAST_WEEKDAY = re.compile(rf"last\s+(?P<weekday>{_WEEKDAY})")
_AGO = re.compile(rf"{_COUNT}{_UNIT}\s+ago")

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


def _not_a_day(text: str) -> DateParseError:
    return DateParseError(f"'{_shown(text)}' is not a real date; {_TRY}")


def _outside(text: str) -> DateParseError:
    return DateParseError(f"'{_shown(text)}' falls outside the calendar (years 1 to 9999)")


def _plus_days(day: datetime.date, count: int, text: str) -> datetime.date:
    try:
        return day + datetime.timedelta(days=count)
    except OverflowError:
        raise _outside(text) from None


def _plus_months(day: datetime.date, count: int, text: str) -> datetime.date:
    """`day` moved by whole months, clamped to the last day of a shorter month (Jan 31 + 1 = Feb 28/29)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + count, 12)
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise _outside(text)
    last = calendar.monthrange(year, month0 + 1)[1]
    return datetime.date(year, month0 + 1, min(day.day, last))


def _count(match: re.Match[str], text: str) -> int:
    number = match.group("num")
    if number is None:
        return 1  # "a", "an" or "one"
    digits = number.lstrip("0") or "0"
    # Anything longer cannot land inside the calendar, and int() on thousands of digits is refused anyway.
    if len(digits) > 9:
        raise _outside(text)
    return int(digits)


def _shift(today: datetime.date, count: int, unit: str, text: str) -> datetime.date:
    if unit.startswith("m"):
        return _plus_months(today, count, text)
    if unit.startswith("w"):
        count *= 7
    return _plus_days(today, count, text)


def _day_month(match: re.Match[str], today: datetime.date, text: str, *, forward: bool) -> datetime.date:
    """A day and month, with the year given, or else the next one on or after today (`forward`) or today's."""
    month = _MONTHS[match.group("month")]
    day = int(match.group("day"))
    if match.group("year") is not None:
        try:
            return datetime.date(int(match.group("year")), month, day)
        except ValueError:
            raise _not_a_day(text) from None
    # 2000 was a leap year, so this is the longest the month ever runs.
    if not 1 <= day <= calendar.monthrange(2000, month)[1]:
        raise _not_a_day(text)
    if not forward:
        try:
            return datetime.date(today.year, month, day)
        except ValueError:
            raise _not_a_day(text) from None
    # 29 February may be up to eight years away (1896 to 1904); any other day is at most a year away.
    for year in range(today.year, min(today.year + 9, datetime.MAXYEAR + 1)):
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    raise _outside(text)


def _normalise(text: str) -> str:
    words = " ".join(text.split()).lower()
    return _PREFIX.sub("", words, count=1) if _PREFIX.match(words) else words


def _parse(words: str, today: datetime.date, text: str, *, forward: bool) -> datetime.date | None:
    """The date `words` names, None when they are not a date form at all."""
    if match := _ISO.fullmatch(words):
        try:
            return datetime.date(int(match.group("year")), int(match.group("month")), int(match.group("day")))
        except ValueError:
            raise _not_a_day(text) from None
    if words == "today":
        return today
    if words == "tomorrow":
        return _plus_days(today, 1, text)
    if words == "next week":
        return _plus_days(today, 7 - today.weekday(), text)
    if words in ("end of week", "end of the week", "eow"):
        return _plus_days(today, (4 - today.weekday()) % 7, text)
    if words in ("end of month", "end of the month", "eom"):
        return today.replace(day=calendar.monthrange(today.year, today.month)[1])
    if words == "next month":
        return _plus_months(today.replace(day=1), 1, text)
    if match := _WEEKDAY_WORDS.fullmatch(words):
        weekday = _WEEKDAYS[match.group("weekday")]
        which = match.group("which")
        if which == "this":
            return _plus_days(today, (weekday - today.weekday()) % 7, text)
        if which == "next":
            return _plus_days(today, 7 - today.weekday() + weekday, text)
        return _plus_days(today, (weekday - today.weekday() - 1) % 7 + 1, text)
    if match := _RELATIVE.fullmatch(words):
        return _shift(today, _count(match, text), match.group("unit"), text)
    if match := _DAY_MONTH.fullmatch(words) or _MONTH_DAY.fullmatch(words):
        return _day_month(match, today, text, forward=forward)
    return None


def parse_due(text: str, today: datetime.date) -> datetime.date:
    """The due date `text` names, counted from `today`; raises `DateParseError` when it names none.

    Accepts, case-insensitively and with an optional leading "by" or "on": YYYY-MM-DD; today; tomorrow;
    weekday names and abbreviations, "this <weekday>", "next <weekday>" (see the module docstring);
    next week; end of week / eow; end of month / eom; next month; "in N days|weeks|months", "N days",
    "3d", "2w", "in a week"; and "5 dec", "dec 5th", "december 5" (the next such day on or after
    today), optionally with a year. Months are added calendar-wise, clamping to the month's last day.
    """
    found = _parse(_normalise(text), today, text, forward=True)
    if found is None:
        raise _unreadable(text)
    return found


def parse_date_option(text: str, today: datetime.date) -> datetime.date:
    """A date for --since/--until: everything `parse_due` reads, plus words for the past.

    Adds: yesterday; "N days|weeks|months ago" (and "a week ago"); "last <weekday>" (the most recent
    one strictly before today); last week / this week (that week's Monday); last month / this month
    (that month's first day). A day and month without a year ("1 nov") means that day in today's year,
    because these options bound a range of history and "since 1 nov" must not leap to next year.
    Bare weekday names keep their forward meaning from `parse_due`; "last friday" names the past one.
    """
    words = _normalise(text)
    if words == "yesterday":
        return _plus_days(today, -1, text)
    if words == "this week":
        return _plus_days(today, -today.weekday(), text)
    if words == "last week":
        return _plus_days(today, -today.weekday() - 7, text)
    if words == "this month":
        return today.replace(day=1)
    if words == "last month":
        return _plus_months(today.replace(day=1), -1, text)
    if match := _LAST_WEEKDAY.fullmatch(words):
        weekday = _WEEKDAYS[match.group("weekday")]
        return _plus_days(today, -((today.weekday() - weekday - 1) % 7 + 1), text)
    if match := _AGO.fullmatch(words):
        return _shift(today, -_count(match, text), match.group("unit"), text)
    found = _parse(words, today, text, forward=False)
    if found is None:
        raise _unreadable(text)
    return found


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
