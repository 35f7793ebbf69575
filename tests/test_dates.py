from __future__ import annotations

import calendar
import contextlib
import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coachcli.dates import EXAMPLE, DateParseError, DateRules, long_date, parse_date_option, parse_due, read_due
from coachcli.errors import UsageError

D = datetime.date
WEDNESDAY = D(2026, 11, 25)
JAN_31 = D(2026, 1, 31)  # a Saturday, and the last day of a 31-day month
FRIDAY = D(2026, 11, 27)
SUNDAY = D(2026, 11, 29)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("2026-12-05", WEDNESDAY, D(2026, 12, 5)),
        ("  2026-12-05\n", WEDNESDAY, D(2026, 12, 5)),
        ("2026-1-5", WEDNESDAY, D(2026, 1, 5)),
        ("2024-02-29", WEDNESDAY, D(2024, 2, 29)),
        ("today", WEDNESDAY, WEDNESDAY),
        ("TODAY", WEDNESDAY, WEDNESDAY),
        ("tomorrow", WEDNESDAY, D(2026, 11, 26)),
        ("tomorrow", JAN_31, D(2026, 2, 1)),
        ("by Friday", WEDNESDAY, D(2026, 11, 27)),
        ("on 2026-12-05", WEDNESDAY, D(2026, 12, 5)),
        # Bare weekday: strictly after today.
        ("friday", WEDNESDAY, D(2026, 11, 27)),
        ("Fri", WEDNESDAY, D(2026, 11, 27)),
        ("thursday", WEDNESDAY, D(2026, 11, 26)),
        ("wednesday", WEDNESDAY, D(2026, 12, 2)),
        ("wed", WEDNESDAY, D(2026, 12, 2)),
        ("monday", WEDNESDAY, D(2026, 11, 30)),
        ("tuesday", WEDNESDAY, D(2026, 12, 1)),
        ("friday", FRIDAY, D(2026, 12, 4)),
        ("sun", JAN_31, D(2026, 2, 1)),
        # "this": on or after today.
        ("this friday", WEDNESDAY, D(2026, 11, 27)),
        ("this wednesday", WEDNESDAY, WEDNESDAY),
        ("this tuesday", WEDNESDAY, D(2026, 12, 1)),
        ("this friday", FRIDAY, FRIDAY),
        # "next": that day in next calendar week (Monday to Sunday).
        ("next friday", WEDNESDAY, D(2026, 12, 4)),
        ("next monday", WEDNESDAY, D(2026, 11, 30)),
        ("next wednesday", WEDNESDAY, D(2026, 12, 2)),
        ("next sunday", WEDNESDAY, D(2026, 12, 6)),
        ("next friday", FRIDAY, D(2026, 12, 4)),
        ("next friday", SUNDAY, D(2026, 12, 4)),
        ("next monday", SUNDAY, D(2026, 11, 30)),
        ("next  Thu", WEDNESDAY, D(2026, 12, 3)),
        ("next week", WEDNESDAY, D(2026, 11, 30)),
        ("next week", SUNDAY, D(2026, 11, 30)),
        ("next week", D(2026, 11, 30), D(2026, 12, 7)),
        ("end of week", WEDNESDAY, D(2026, 11, 27)),
        ("EOW", WEDNESDAY, D(2026, 11, 27)),
        ("eow", FRIDAY, FRIDAY),
        ("end of the week", SUNDAY, D(2026, 12, 4)),
        ("end of month", WEDNESDAY, D(2026, 11, 30)),
        ("eom", JAN_31, JAN_31),
        ("eom", D(2028, 2, 3), D(2028, 2, 29)),
        ("next month", WEDNESDAY, D(2026, 12, 1)),
        ("next month", D(2026, 12, 31), D(2027, 1, 1)),
        ("in 3 days", WEDNESDAY, D(2026, 11, 28)),
        ("in 1 day", WEDNESDAY, D(2026, 11, 26)),
        ("in 0 days", WEDNESDAY, WEDNESDAY),
        ("3 days", WEDNESDAY, D(2026, 11, 28)),
        ("3d", WEDNESDAY, D(2026, 11, 28)),
        ("in 10 days", WEDNESDAY, D(2026, 12, 5)),
        ("2w", WEDNESDAY, D(2026, 12, 9)),
        ("in 2 weeks", WEDNESDAY, D(2026, 12, 9)),
        ("in a week", WEDNESDAY, D(2026, 12, 2)),
        ("in 1 month", WEDNESDAY, D(2026, 12, 25)),
        ("in a month", JAN_31, D(2026, 2, 28)),
        ("in 1 month", D(2028, 1, 31), D(2028, 2, 29)),
        ("in 2 months", D(2026, 12, 31), D(2027, 2, 28)),
        ("in 13 months", JAN_31, D(2027, 2, 28)),
        ("5 dec", WEDNESDAY, D(2026, 12, 5)),
        ("dec 5", WEDNESDAY, D(2026, 12, 5)),
        ("December 5", WEDNESDAY, D(2026, 12, 5)),
        ("5th december", WEDNESDAY, D(2026, 12, 5)),
        ("dec 5th", WEDNESDAY, D(2026, 12, 5)),
        ("25 nov", WEDNESDAY, WEDNESDAY),
        # A day and month that passed long ago this year is next year's; see test_recently_passed_day_is_refused.
        ("3 jan", WEDNESDAY, D(2027, 1, 3)),
        ("may 1", WEDNESDAY, D(2027, 5, 1)),
        ("dec 5, 2027", WEDNESDAY, D(2027, 12, 5)),
        ("5 dec 2025", WEDNESDAY, D(2025, 12, 5)),
        ("29 feb 2028", WEDNESDAY, D(2028, 2, 29)),
        ("2026/12/05", WEDNESDAY, D(2026, 12, 5)),
    ],
)
def test_parse_due(text: str, today: datetime.date, expected: datetime.date) -> None:
    assert parse_due(text, today) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "xyz",
        "soon",
        "next",
        "in days",
        "3 m",
        "2026-02-30",
        "2026-13-01",
        "0000-01-01",
        "30 feb",
        "29 feb",
        "nov 31",
        "32 dec",
        "0 dec",
        "29 feb 2027",
        "friday friday",
        "last friday",
        "in -3 days",
        "in 99999999 days",
        "in 99999999999999999999 weeks",
        "in 1" + "0" * 5000 + " days",
        "in 120000 months",
        "in ٣ days",
        "fri\x00day",
    ],
)
def test_parse_due_rejects(text: str) -> None:
    with pytest.raises(DateParseError):
        parse_due(text, WEDNESDAY)


def test_error_is_a_one_line_usage_error_naming_the_text() -> None:
    with pytest.raises(UsageError) as caught:
        parse_due("xyz", WEDNESDAY)
    expected = "can't read 'xyz' as a date; try 2026-12-05, friday, next week or in 3 days"
    assert caught.value.message == expected


def test_error_message_is_short_and_single_line_for_hostile_text() -> None:
    with pytest.raises(DateParseError) as caught:
        parse_due("line one\nline two\x1b[31m" + "x" * 10_000, WEDNESDAY)
    assert "\n" not in caught.value.message
    assert "\x1b" not in caught.value.message
    assert len(caught.value.message) < 150


def test_impossible_and_far_dates_say_why() -> None:
    with pytest.raises(DateParseError, match="not a real date"):
        parse_due("2026-02-30", WEDNESDAY)
    with pytest.raises(DateParseError, match="outside the calendar"):
        parse_due("in 99999999 days", WEDNESDAY)


@pytest.mark.parametrize("text", ["tomorrow", "next week", "next month", "next friday", "friday", "5 dec", "in 1 day"])
def test_end_of_calendar_is_a_parse_error(text: str) -> None:
    # 9999-12-31, a Friday, is the last day a date can be.
    with pytest.raises(DateParseError):
        parse_due(text, D(9999, 12, 31))


def test_example_is_readable() -> None:
    for example in EXAMPLE.removeprefix("e.g. ").split(", "):
        parse_due(example, WEDNESDAY)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("yesterday", WEDNESDAY, D(2026, 11, 24)),
        ("3 days ago", WEDNESDAY, D(2026, 11, 22)),
        ("a week ago", WEDNESDAY, D(2026, 11, 18)),
        ("2w ago", WEDNESDAY, D(2026, 11, 11)),
        ("1 month ago", D(2026, 3, 31), D(2026, 2, 28)),
        ("last week", WEDNESDAY, D(2026, 11, 16)),
        ("this week", WEDNESDAY, D(2026, 11, 23)),
        ("last month", WEDNESDAY, D(2026, 10, 1)),
        ("last month", D(2026, 1, 15), D(2025, 12, 1)),
        ("this month", WEDNESDAY, D(2026, 11, 1)),
        ("last friday", WEDNESDAY, D(2026, 11, 20)),
        ("last wednesday", WEDNESDAY, D(2026, 11, 18)),
        ("last tue", WEDNESDAY, D(2026, 11, 24)),
        # Without a year, a day and month is in today's year, whether past or not.
        ("1 nov", WEDNESDAY, D(2026, 11, 1)),
        ("jan 5", WEDNESDAY, D(2026, 1, 5)),
        ("dec 5", WEDNESDAY, D(2026, 12, 5)),
        ("5 dec 2025", WEDNESDAY, D(2025, 12, 5)),
        # Everything else reads as parse_due does.
        ("2026-01-01", WEDNESDAY, D(2026, 1, 1)),
        ("today", WEDNESDAY, WEDNESDAY),
        ("friday", WEDNESDAY, D(2026, 11, 27)),
        ("in 3 days", WEDNESDAY, D(2026, 11, 28)),
    ],
)
def test_parse_date_option(text: str, today: datetime.date, expected: datetime.date) -> None:
    assert parse_date_option(text, today) == expected


@pytest.mark.parametrize("text", ["", "xyz", "29 feb", "ago", "3 days later", "in 99999999 days ago"])
def test_parse_date_option_rejects(text: str) -> None:
    with pytest.raises(DateParseError):
        parse_date_option(text, WEDNESDAY)


@pytest.mark.parametrize("text", ["yesterday", "last week", "last month", "last monday", "a day ago"])
def test_start_of_calendar_is_a_parse_error(text: str) -> None:
    with pytest.raises(DateParseError):
        parse_date_option(text, D(1, 1, 1))


@given(st.text(), st.dates())
def test_parse_due_returns_a_date_or_a_parse_error(text: str, today: datetime.date) -> None:
    with contextlib.suppress(DateParseError):
        assert isinstance(parse_due(text, today), datetime.date)


_WORDY = st.lists(
    st.sampled_from(
        [
            "in",
            "next",
            "this",
            "last",
            "end",
            "of",
            "the",
            "week",
            "month",
            "friday",
            "dec",
            "ago",
            "a",
            "3",
            "31",
            "99999999999",
            "2026",
            "d",
            "w",
            "mo",
            "days",
            "-",
            ",",
            "by",
            "on",
            "th",
        ]
    ),
    max_size=5,
).map(" ".join)


@given(st.one_of(st.text(), _WORDY), st.dates())
def test_parse_date_option_returns_a_date_or_a_parse_error(text: str, today: datetime.date) -> None:
    with contextlib.suppress(DateParseError):
        assert isinstance(parse_date_option(text, today), datetime.date)


@given(_WORDY, st.dates())
def test_parse_due_on_date_words_returns_a_date_or_a_parse_error(text: str, today: datetime.date) -> None:
    with contextlib.suppress(DateParseError):
        assert isinstance(parse_due(text, today), datetime.date)


@given(st.dates(), st.dates())
def test_iso_round_trip(day: datetime.date, today: datetime.date) -> None:
    assert parse_due(day.isoformat(), today) == day


@given(st.integers(0, 3650), st.dates(max_value=D(9000, 1, 1)))
def test_in_n_days(n: int, today: datetime.date) -> None:
    assert parse_due(f"in {n} days", today) == today + datetime.timedelta(days=n)
    assert parse_due(f"{n}d", today) == today + datetime.timedelta(days=n)


_DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@given(st.integers(0, 6), st.dates(max_value=D(9000, 1, 1)))
def test_weekday_words_land_on_that_weekday(weekday: int, today: datetime.date) -> None:
    plain, this, following = (parse_due(p + _DAY_NAMES[weekday], today) for p in ("", "this ", "next "))
    assert plain.weekday() == this.weekday() == following.weekday() == weekday
    assert 1 <= (plain - today).days <= 7
    assert 0 <= (this - today).days <= 6
    # "next" is in the calendar week after today's.
    monday = today - datetime.timedelta(days=today.weekday())
    assert 7 <= (following - monday).days <= 13


# ---------------------------------------------------------------- the wider vocabulary, and what it refuses

WED = D(2026, 12, 2)


@pytest.mark.parametrize(
    ("text", "rules", "expected"),
    [
        ("tmrw", DateRules(), D(2026, 12, 3)),
        ("EOD", DateRules(), WED),
        ("cob thursday", DateRules(), D(2026, 12, 3)),
        ("end of next week", DateRules(), D(2026, 12, 11)),
        ("end of next month", DateRules(), D(2027, 1, 31)),
        ("eoq", DateRules(), D(2026, 12, 31)),
        ("eoq", DateRules(fiscal_year_start=2), D(2027, 1, 31)),
        ("end of Q2", DateRules(fiscal_year_start=7), D(2026, 12, 31)),
        ("end of fiscal year", DateRules(fiscal_year_start=4), D(2027, 3, 31)),
        ("eoy", DateRules(), D(2026, 12, 31)),
        ("five days", DateRules(), D(2026, 12, 7)),
        ("a couple of weeks", DateRules(), D(2026, 12, 16)),
        ("a fortnight", DateRules(), D(2026, 12, 16)),
        ("3 business days", DateRules(), D(2026, 12, 7)),
        ("tuesday next week", DateRules(), D(2026, 12, 8)),
        ("next week", DateRules(week_start=6), D(2026, 12, 6)),
        ("next monday", DateRules(week_start=6), D(2026, 12, 7)),
        ("the 20th", DateRules(), D(2026, 12, 20)),
        ("first of the month", DateRules(), D(2027, 1, 1)),
        ("mid january", DateRules(), D(2027, 1, 15)),
        ("Jan. 5th,", DateRules(), D(2027, 1, 5)),
        ("thursday.", DateRules(), D(2026, 12, 3)),
        ("fri 11 dec", DateRules(), D(2026, 12, 11)),
        ("03/04", DateRules(day_first=True), D(2027, 4, 3)),
        ("03/04", DateRules(day_first=False), D(2027, 3, 4)),
        ("25/12", DateRules(), D(2026, 12, 25)),
        ("2 weeks from friday", DateRules(), D(2026, 12, 18)),
    ],
)
def test_read_due_vocabulary(text: str, rules: DateRules, expected: datetime.date) -> None:
    assert parse_due(text, WED, rules) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("03/04", "(2027-03-04) or"),
        ("nov 20", "2026-11-20 or 2027-11-20"),
        ("thu 11 dec", "Fri 11 Dec 2026 is a Friday, not a Thursday"),
        ("next quarter", "its first day or its last"),
        ("late january", "names a span"),
        ("in a few days", "names a span"),
        ("30 hours", "a time, not a day"),
    ],
)
def test_unsure_readings_are_refused_saying_why(text: str, why: str) -> None:
    with pytest.raises(DateParseError) as caught:
        read_due(text, WED)
    assert why in caught.value.message
    if text == "03/04":
        assert "(2027-04-03)" in caught.value.message


@pytest.mark.parametrize("text", ["asap", "TBD", "soon", "whenever", "no date", "n/a", "ASAP!"])
def test_words_that_mean_no_date_read_as_no_date(text: str) -> None:
    reading = read_due(text, WED)
    assert reading.day is None
    assert reading.note == f"'{text}' means no date"
    with pytest.raises(DateParseError, match="means no date"):
        parse_due(text, WED)


def test_unusual_dates_are_marked() -> None:
    assert read_due("yesterday", WED).unusual == "that day has passed"
    assert read_due("2028-01-05", WED).unusual == "that is more than a year ahead"
    assert read_due("friday", WED).unusual is None


def test_long_date_reads_the_same_in_any_locale() -> None:
    assert long_date(D(2026, 12, 4)) == "Fri 4 Dec 2026"
    assert long_date(D(1, 1, 1)) == "Mon 1 Jan 1"


def test_date_rules_are_checked() -> None:
    with pytest.raises(ValueError):
        DateRules(fiscal_year_start=13)
    with pytest.raises(ValueError):
        DateRules(week_start=7)


def test_parse_date_option_this_week_follows_the_week_start() -> None:
    assert parse_date_option("this week", WED, DateRules(week_start=6)) == D(2026, 11, 29)


_RULES = st.builds(
    DateRules,
    day_first=st.sampled_from([None, True, False]),
    fiscal_year_start=st.integers(1, 12),
    week_start=st.integers(0, 6),
)


@given(st.one_of(st.text(), _WORDY), st.dates(), _RULES)
def test_read_due_gives_a_reading_or_its_own_error(text: str, today: datetime.date, rules: DateRules) -> None:
    try:
        reading = read_due(text, today, rules)
    except DateParseError:
        return
    assert reading.day is not None or reading.note is not None
    if reading.day is not None:
        ahead = (reading.day - today).days
        assert (reading.unusual is not None) == (ahead < 0 or ahead > 366)


# Everyday words with no date in them: whatever their order and punctuation, never read as a date.
_NOT_DATES = st.lists(
    st.sampled_from(
        [
            "call",
            "the",
            "cfo",
            "send",
            "proposal",
            "pilot",
            "deal",
            "price",
            "legal",
            "review",
            "team",
            "quick",
            "and",
            "with",
            "a",
            "an",
            "of",
            "to",
            "ask",
            "maria",
            "demo",
            "renewal",
            "contract",
            "!",
            "?",
            ",",
            ".",
        ]
    ),
    min_size=1,
    max_size=8,
).map(" ".join)


@given(_NOT_DATES, st.dates())
def test_text_without_a_date_is_refused(text: str, today: datetime.date) -> None:
    with pytest.raises(DateParseError):
        read_due(text, today)


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2099, 12, 31)), st.dates(max_value=D(9000, 1, 1)))
def test_a_numeric_date_is_one_of_its_readings_and_both_real_readings_are_refused(
    day: datetime.date, today: datetime.date
) -> None:
    text = f"{day.month}/{day.day}/{day.year}"
    readings = {day}
    if day.day <= 12:
        readings.add(D(day.year, day.day, day.month) if day.month <= calendar.monthrange(day.year, day.day)[1] else day)
    try:
        found = parse_due(text, today)
    except DateParseError:
        assert len(readings) == 2
        return
    assert len(readings) == 1 and found == day
    assert parse_due(text, today, DateRules(day_first=False)) == day
    assert parse_due(f"{day.day}/{day.month}/{day.year}", today, DateRules(day_first=True)) == day


_MONTH_ABBREVIATIONS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


@given(st.dates(min_value=D(1000, 1, 1), max_value=D(9998, 12, 31)), st.integers(0, 6))
def test_a_weekday_that_does_not_match_the_date_is_refused(day: datetime.date, weekday: int) -> None:
    text = f"{_DAY_NAMES[weekday]} {day.day} {_MONTH_ABBREVIATIONS[day.month - 1]} {day.year}"
    if weekday == day.weekday():
        assert parse_due(text, day) == day
    else:
        with pytest.raises(DateParseError, match="names two days"):
            parse_due(text, day)
