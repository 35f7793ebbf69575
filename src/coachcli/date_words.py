"""The words of typed dates: weekday and month names, numbers as words, the clean-up that turns what was
typed in a hurry ("Tmrw.", "EOD Friday", "Dec. 9", "a couple of weeks") into plain words, and the forms
(regular expressions over those words) that `dates` turns into days.

No calendar here: only text. Every table is spelled out rather than taken from `calendar`, whose names follow
the process's locale.
"""

from __future__ import annotations

import re

WEEKDAYS: dict[str, int] = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "wednesday": 2,
    "wed": 2,
    "weds": 2,
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

MONTH_NAMES = (
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
MONTHS: dict[str, int] = {name: number for number, name in enumerate(MONTH_NAMES, start=1)}
MONTHS.update({name[:3]: number for number, name in enumerate(MONTH_NAMES, start=1)})
MONTHS["sept"] = 9

SHORT_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SHORT_MONTHS = tuple(name[:3].title() for name in MONTH_NAMES)

# Words that say there is no due date: said back as such, never an error.
NO_DATE = frozenset(
    [
        "asap",
        "as soon as possible",
        "tbd",
        "tba",
        "tbc",
        "to be decided",
        "to be confirmed",
        "soon",
        "no date",
        "no due date",
        "no deadline",
        "none",
        "n/a",
        "na",
        "whenever",
        "someday",
        "some day",
        "sometime",
        "eventually",
        "later",
        "ongoing",
        "no rush",
        "-",
    ]
)

# Words that name a span, not a day: refused with the reason rather than guessed at.
VAGUE = re.compile(
    r"\b(?:early|late|later|sometime|some\s+time|around|about|approx\w*|roughly|before|after|within|"
    r"few|several|weekend|christmas|xmas|holidays?|bit|while|or|between)\b"
)

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
}
_ORDINAL_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "fifteenth": 15,
    "twentieth": 20,
    "thirtieth": 30,
}
_SUFFIX = {1: "st", 2: "nd", 3: "rd"}

_TOMORROW = re.compile(r"\b(?:tmrw|tmrow|tmr|tmw|tmoro|tomo|2moro|2morrow|tomorow|tommorow|tommorrow)\b")
_DOTTED_LETTERS = re.compile(r"\b(?:[a-z]\.){2,}")
_WORD_DOT = re.compile(r"\b([a-z]+)\.")
_TRIM = " \t'\"“”‘’()[].,!?;:"
_COUPLE = re.compile(r"\b(?:a\s+)?couple(?:\s+of)?\b")
_FORTNIGHT = re.compile(r"\b(?:a\s+)?fortnight\b")
_NUMBER = re.compile(r"\b(?:" + "|".join(_NUMBER_WORDS) + r")\b")
_ORDINAL = re.compile(r"\b(?:" + "|".join(_ORDINAL_WORDS) + r")\b")
# Times of day are dropped: a due date is a day. "EOD" alone is today.
_TIME_OF_DAY = re.compile(
    r"\b(?:at\s+|by\s+)?(?:[0-9]{1,2}(?::[0-9]{2})?\s*(?:am|pm)|noon|midday|lunch(?:time)?)\b"
    r"|\b(?:(?:at\s+|by\s+)?(?:the\s+)?(?:end|close)\s+of\s+(?:the\s+)?(?:business\s+)?(?:day|business|play))\b"
    r"|\b(?:eod|cob|eob|cop|morning|afternoon|evening|night|am|pm)\b"
)
_TODAY_WORDS = frozenset(["", "this", "tonight", "today", "later today", "by", "at", "the"])
_LEADING = re.compile(r"^(?:(?:by|on|due|for|until|till|til)\s+)+")
_DANGLING = re.compile(r"(?:^|\s+)(?:by|at|on|the|of|in)$")


def _number(match: re.Match[str]) -> str:
    return str(_NUMBER_WORDS[match.group()])


def _ordinal(match: re.Match[str]) -> str:
    day = _ORDINAL_WORDS[match.group()]
    return f"{day}{_SUFFIX.get(day, 'th')}"


def normalise(text: str) -> str:
    """`text` in the plain forms `dates` reads: lower case, single spaces, no trailing punctuation or
    quotes, abbreviations spelled out ("tmrw" → "tomorrow"), numbers as digits, times of day dropped.

    Returns "" for blank text. Only ASCII digits count as digits.
    """
    words = " ".join(text.split()).lower().strip(_TRIM)
    words = _DOTTED_LETTERS.sub(lambda m: m.group().replace(".", ""), words)  # "e.o.d." -> "eod"
    words = _WORD_DOT.sub(r"\1", words)  # "dec. 9" -> "dec 9"
    words = " ".join(words.replace(",", " ").split()).strip(_TRIM)
    if words in NO_DATE:
        return words
    words = _TOMORROW.sub("tomorrow", words)
    words = _COUPLE.sub("2", words)
    words = _FORTNIGHT.sub("2 weeks", words)
    words = _NUMBER.sub(_number, words)
    words = _ORDINAL.sub(_ordinal, words)
    words = _LEADING.sub("", words)
    timeless = " ".join(_TIME_OF_DAY.sub(" ", words).split())
    if timeless != words:
        timeless = _DANGLING.sub("", _LEADING.sub("", timeless)).strip()
        words = "today" if timeless in _TODAY_WORDS else timeless
    return words


# ---------------------------------------------------------------- the forms, over normalised words

WEEKDAY = "|".join(sorted(WEEKDAYS, key=len, reverse=True))  # longest first: "june" before "jun"
MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
COUNT = r"(?:(?P<num>[0-9]+)\s*|(?P<word>an?)\s+)"
UNIT = r"(?P<unit>d|days?|w|wks?|weeks?|mos?|months?|hours?|hrs?|h|(?:business|working|biz|work)\s+days?|bd)"
ORD = r"(?:st|nd|rd|th)?"
YEAR = r"(?:\s+(?P<year>[0-9]{4}))?"

ISO = re.compile(r"(?P<year>[0-9]{4})[-/](?P<month>[0-9]{1,2})[-/](?P<day>[0-9]{1,2})")
NUMERIC = re.compile(r"(?P<a>[0-9]{1,2})[/.-](?P<b>[0-9]{1,2})(?:[/.-](?P<year>[0-9]{4}|[0-9]{2}))?")
DAY_MONTH = re.compile(rf"(?:the\s+)?(?P<day>[0-9]{{1,2}}){ORD}\s+(?:of\s+)?(?P<month>{MONTH}){YEAR}")
MONTH_DAY = re.compile(rf"(?P<month>{MONTH})\s+(?:the\s+)?(?P<day>[0-9]{{1,2}}){ORD}{YEAR}")
MID = re.compile(rf"(?:mid|middle\s+of)[\s-]*(?:(?P<month>{MONTH})|(?P<next>next\s+)?(?:the\s+)?month)")
DAY_OF = re.compile(
    r"(?:the\s+)?(?P<day>[0-9]{1,2})(?:st|nd|rd|th)(?:\s+of\s+(?:(?:the|this)\s+)?(?P<next>next\s+)?month)?"
)
DAY_OF_NEXT = re.compile(r"(?:start|beginning)\s+of\s+next\s+month")
WEEKDAY_WORDS = re.compile(
    rf"(?P<which>this\s+coming|coming|this|next)?\s*(?P<weekday>{WEEKDAY})(?P<after>\s+(?:next|this)\s+week)?"
)
NEXT_WEEK_DAY = re.compile(rf"next\s+week\s+(?P<weekday>{WEEKDAY})")
RELATIVE = re.compile(rf"(?:in\s+)?{COUNT}{UNIT}(?:\s+from\s+(?P<base>.+))?")
END_OF = re.compile(
    r"(?:end\s+of\s+(?:the\s+|this\s+)?(?P<next>next\s+)?(?P<span>week|month|quarter|qtr|q|year|fiscal\s+year|fy)"
    r"|(?P<span2>quarter|qtr|year|fiscal\s+year|fy)[\s-]end)"
)
QUARTER_END = re.compile(r"(?:end\s+of\s+q(?P<q>[1-4])|q(?P<q2>[1-4])[\s-]end|eoq(?P<q3>[1-4]))")
QUARTER = re.compile(r"(?:next\s+quarter|q[1-4]|this\s+quarter)")
LAST_WEEKDAY = re.compile(rf"last\s+(?P<weekday>{WEEKDAY})")
AGO = re.compile(rf"{COUNT}{UNIT}\s+ago")
ABBREVIATIONS = {"eow": "end of week", "eom": "end of month", "eoq": "end of quarter", "eoy": "end of year"}
ABBREVIATIONS |= {"eofy": "end of fiscal year", "fye": "end of fiscal year", "ye": "end of year"}
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
