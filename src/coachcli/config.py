"""The user's settings: `$COACHCLI_HOME/config.toml`, then the environment, over the defaults.

```toml
name = "Maria"               # the coach, and the "I" of --self sessions (else $COACHCLI_NAME, else the login)
default_set = "grow"         # what `coach start` runs when no SET is given
date_order = "dmy"           # how 03/04 reads: "dmy" (3 April) or "mdy" (March 4); unset: refused as ambiguous
fiscal_year_start = 4        # the month a fiscal year begins (1-12)
week_start = "monday"        # the first day of a week, for "next week" and "next friday"
color = "auto"               # auto, always or never (NO_COLOR still means never)
journal = "~/coaching/journal.jsonl"
```

Read once per process, and cheap when there is no file (one stat). Every value keeps where it came from
(default, file or environment) for `coach config`. A file coach cannot use stops the command with
`FILE:LINE:COL: message` and exit 2: coach never guesses what a setting meant.
"""

from __future__ import annotations

import errno
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from coachcli.errors import InputFileError, Problem
from coachcli.paths import expanded
from coachcli.wording import did_you_mean

if TYPE_CHECKING:
    from coachcli.dates import DateRules

CONFIG_NAME = "config.toml"
Origin = Literal["default", "file", "environment", "option"]
DateOrder = Literal["dmy", "mdy"]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
COLORS = ("auto", "always", "never")
KEYS = ("name", "default_set", "date_order", "fiscal_year_start", "week_start", "color", "journal")
# The environment beats the file, as a variable set for one command should.
ENVIRONMENT = {"name": "COACHCLI_NAME", "journal": "COACHCLI_JOURNAL", "color": "NO_COLOR"}


@dataclass(frozen=True)
class Setting:
    value: Any
    origin: Origin = "default"
    source: str = ""  # the file, or the variable, it came from


@dataclass(frozen=True)
class Settings:
    """Every setting with its origin. `path` is the config file, whether or not it exists."""

    path: Path
    values: dict[str, Setting] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        return self.values[key].value

    @property
    def name(self) -> str | None:
        return self.get("name")  # type: ignore[no-any-return]

    @property
    def default_set(self) -> str | None:
        return self.get("default_set")  # type: ignore[no-any-return]

    @property
    def date_order(self) -> DateOrder | None:
        return self.get("date_order")  # type: ignore[no-any-return]

    @property
    def day_first(self) -> bool | None:
        """For dates.DateRules: True for dmy, False for mdy, None when numeric dates are refused as ambiguous."""
        order = self.date_order
        return None if order is None else order == "dmy"

    @property
    def fiscal_year_start(self) -> int:
        return self.get("fiscal_year_start")  # type: ignore[no-any-return]

    @property
    def week_start(self) -> str:
        return self.get("week_start")  # type: ignore[no-any-return]

    @property
    def color(self) -> str:
        return self.get("color")  # type: ignore[no-any-return]

    @property
    def journal(self) -> Path | None:
        return self.get("journal")  # type: ignore[no-any-return]


DEFAULTS: dict[str, Any] = {
    "name": None,
    "default_set": None,
    "date_order": None,
    "fiscal_year_start": 1,
    "week_start": "monday",
    "color": "auto",
    "journal": None,
}

_cached: dict[tuple[object, ...], Settings] = {}


def settings() -> Settings:
    """The settings of this process: read once, and again only when the file or the environment changed
    (a test moves $COACHCLI_HOME; the file is only stat'ed to see that)."""
    from coachcli.paths import config_path

    path = config_path()
    try:
        stat = path.stat()
        signature: tuple[int, ...] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    except OSError:
        signature = ()
    key = (path, signature, *(os.environ.get(name) for name in ENVIRONMENT.values()))
    if key not in _cached:
        _cached.clear()
        _cached[key] = load(path, os.environ)
    return _cached[key]


def load(path: Path, environ: Any, *, read_file: bool = True) -> Settings:
    """The settings from the file at `path` (when there is one, and `read_file`) and `environ`, over the
    defaults."""
    values = dict(defaults(path).values)
    raw = _read(path) if read_file else None
    if raw is not None:
        text, table = raw
        for key, value in table.items():
            values[key] = Setting(_checked(path, text, key, value), "file", str(path))
    for key, variable in ENVIRONMENT.items():
        given = environ.get(variable, "")
        if key == "color":
            if given:  # NO_COLOR: set and not empty, whatever its value, means no colour (no-color.org)
                values[key] = Setting("never", "environment", variable)
        elif given.strip():
            value = expanded(given) if key == "journal" else given.strip()
            values[key] = Setting(value, "environment", variable)
    return Settings(path, values)


def _read(path: Path) -> tuple[str, dict[str, Any]] | None:
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            return None  # no such file can exist; the command says what is wrong with the home folder

        raise InputFileError.single(path, f"cannot read it: {exc.strerror or exc}") from None
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - 3.10
        import tomli as tomllib
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputFileError.single(path, "is not UTF-8 text", line) from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_problem(path, exc) from None


def _toml_problem(path: Path, exc: Exception) -> InputFileError:
    message = str(exc)
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    line = getattr(exc, "lineno", None) or (int(found.group(1)) if found else None)
    column = getattr(exc, "colno", None) or (int(found.group(2)) if found else None)
    reason = getattr(exc, "msg", None) or re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
    return InputFileError([Problem(str(path), f"not valid TOML: {reason}", line, column)])


def _line_of(text: str, key: str) -> int | None:
    """The line where the top-level `key` is set: `key = ...` before the first table, or a `[key]` (`[key.x]`,
    `[[key]]`) table; never a line inside a multi-line string or a table."""
    name = rf"[\"']?{re.escape(key)}[\"']?"
    assignment = re.compile(rf"[ \t]*{name}[ \t]*=")
    table = re.compile(rf"[ \t]*\[\[?[ \t]*{name}[ \t]*[\].]")
    in_table = in_string = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not in_string:
            if table.match(line):
                return number
            in_table = in_table or line.lstrip().startswith("[")
            if not in_table and assignment.match(line):
                return number
        if (line.count('"""') + line.count("'''")) % 2:
            in_string = not in_string
    return None


def _checked(path: Path, text: str, key: str, value: Any) -> Any:
    """`value` as the setting `key` takes it; anything else is a located problem."""

    def problem(message: str) -> InputFileError:
        return InputFileError([Problem(str(path), message, _line_of(text, key))])

    if key not in DEFAULTS:
        raise problem(f"unknown setting '{key}'" + (did_you_mean(key, KEYS) or f"; known: {', '.join(KEYS)}"))
    if key in ("name", "default_set", "journal"):
        if not isinstance(value, str) or not value.strip():
            raise problem(f"{key} must be a non-empty string in quotes")
        if key != "journal":
            return value.strip()
        journal = expanded(value)
        return journal if journal.is_absolute() else path.parent / journal  # beside the config, wherever coach runs
    if key == "fiscal_year_start":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
            raise problem(f"fiscal_year_start must be a month number, 1 to 12, not {value!r}")
        return value
    choices = {"date_order": ("dmy", "mdy"), "week_start": WEEKDAYS, "color": COLORS}[key]
    if not isinstance(value, str) or value.strip().lower() not in choices:
        raise problem(f"{key} must be one of {', '.join(choices)}, not {value!r}{did_you_mean(str(value), choices)}")
    return value.strip().lower()


def defaults(path: Path) -> Settings:
    return Settings(path, {name: Setting(value) for name, value in DEFAULTS.items()})


def settings_or_defaults() -> Settings:
    """The settings, or the defaults when the file cannot be used: for printing the error about that file."""
    try:
        return settings()
    except InputFileError as exc:
        return defaults(Path(exc.problems[0].path) if exc.problems else Path(CONFIG_NAME))


def without_the_file() -> Settings:
    """The defaults and the environment, leaving out a config file coach cannot use: what `coach config` shows
    beside the problem."""
    from coachcli.paths import config_path

    return load(config_path(), os.environ, read_file=False)


def journal_file(explicit: Path | str | None = None) -> Path:
    """The journal: --journal, else $COACHCLI_JOURNAL, else `journal` here, else the default in the home folder."""
    from coachcli.paths import journal_path

    return journal_path(explicit, settings().journal)


def date_rules() -> DateRules:
    """How dates are read here: the numeric order, the fiscal year's first month and the week's first day."""
    from coachcli.dates import DateRules

    current = settings()
    return DateRules(
        day_first=current.day_first,
        fiscal_year_start=current.fiscal_year_start,
        week_start=WEEKDAYS.index(current.week_start),
    )
