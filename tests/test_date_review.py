"""Dates the review found read wrong or crashing: day numbers outside a month, the date options' past
readings, times that look like dates, a day that has only one reading, and the end of a week that starts
elsewhere than Monday."""

from __future__ import annotations

import datetime

import pytest

from coachcli.dates import DateParseError, DateRules, parse_date_option, parse_due, read_due

D = datetime.date
WED = D(2026, 12, 2)
MON_30_NOV = D(2026, 11, 30)


@pytest.mark.parametrize(
    "text", ["the 0th", "0th", "the 0th of next month", "the 32nd", "32nd of the month", "feb 30", "0 dec", "dec 0"]
)
def test_day_numbers_outside_a_month_are_not_a_day(text: str) -> None:
    with pytest.raises(DateParseError, match="not a real date"):
        read_due(text, WED)
    with pytest.raises(DateParseError):
        parse_date_option(text, WED)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("first of the month", D(2026, 11, 1)),
        ("the 1st", D(2026, 11, 1)),
        ("the 30th", D(2026, 11, 30)),
        ("the 31st", D(2026, 10, 31)),
        ("mid november", D(2026, 11, 15)),
        ("mid-month", D(2026, 11, 15)),
        ("1 nov", D(2026, 11, 1)),
    ],
)
def test_date_options_read_the_most_recent_past(text: str, expected: datetime.date) -> None:
    assert parse_date_option(text, MON_30_NOV) == expected


def test_a_day_of_the_month_still_to_come_reads_back_into_last_month() -> None:
    assert parse_date_option("the 20th", D(2026, 3, 1)) == D(2026, 2, 20)
    assert parse_date_option("the 30th", D(2026, 3, 1)) == D(2026, 1, 30)
    assert parse_date_option("mid-month", D(2026, 3, 1)) == D(2026, 2, 15)


@pytest.mark.parametrize("text", ["by 1.30", "3.15", "12.45", "9.05", "due 4.30", "1.30.26"])
def test_times_are_not_read_as_dates(text: str) -> None:
    for rules in (DateRules(), DateRules(day_first=True), DateRules(day_first=False)):
        with pytest.raises(DateParseError, match="looks like a time"):
            read_due(text, WED, rules)


def test_a_dotted_date_with_a_full_year_is_read() -> None:
    assert parse_due("25.12.2026", WED) == D(2026, 12, 25)
    assert parse_due("03.04.2027", WED, DateRules(day_first=True)) == D(2027, 4, 3)


def test_a_day_with_only_one_reading_over_half_a_year_away_asks_for_the_full_date() -> None:
    with pytest.raises(DateParseError) as caught:
        read_due("feb 29", D(2027, 3, 1))
    assert "over half a year away" in caught.value.message
    assert "2028-02-29" in caught.value.message
    assert "last year or next" not in caught.value.message


@pytest.mark.parametrize(
    ("week_start", "text", "expected"),
    [
        (0, "eow", D(2026, 12, 4)),
        (0, "end of next week", D(2026, 12, 11)),
        (6, "eow", D(2026, 12, 4)),  # Sunday to Saturday: Friday is still the last working day
        (6, "end of next week", D(2026, 12, 11)),
        (5, "eow", D(2026, 12, 4)),  # Saturday to Friday
        (2, "eow", D(2026, 12, 8)),  # Wednesday to Tuesday: the week's last working day is Tuesday
        (2, "end of next week", D(2026, 12, 15)),
        (3, "eow", D(2026, 12, 2)),  # Thursday to Wednesday: today is the last working day
    ],
)
def test_the_end_of_a_week_follows_the_week_start(week_start: int, text: str, expected: datetime.date) -> None:
    assert parse_due(text, WED, DateRules(week_start=week_start)) == expected
