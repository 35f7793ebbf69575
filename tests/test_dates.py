from __future__ import annotations

import contextlib
import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coachcli.dates import EXAMPLE, DateParseError, parse_date_option, parse_due
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
