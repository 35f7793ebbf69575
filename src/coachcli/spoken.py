"""The one check on text a person says (answers, notes, a rep's name) before coach keeps it.

Every way in (the terminal, piped lines, answers files, command-line options) uses it, so a text is refused the
same way everywhere, with a message that says why, before anything is written:
- bytes that were not UTF-8 reach Python as lone surrogates (U+DC80..U+DCFF); they are not text, and stored
  they could not be printed or exported as UTF-8 again;
- control characters other than tab and line ends (safe_text.py's rule, the one every printer escapes by): printed
  back in a recap they would drive the terminal (ESC starts escape sequences, a lone carriage return overwrites
  the line), and no one means to say them. A CR is refused unless it ends a line (CRLF), so answers, options,
  notes and --note keep line ends as they were typed and never hold one that overwrites;
- more than MAX_CHARS characters (the answers file has always had this limit).
"""

from __future__ import annotations

import re

from coachcli.safe_text import control_in

MAX_CHARS = 100_000

_SURROGATE = re.compile("[\ud800-\udfff]")


def problem(text: str, limit: int = MAX_CHARS) -> str | None:
    """Why `text` cannot be kept, as words that follow "the answer" or "--rep"; None when it can."""
    if _SURROGATE.search(text):
        return "is not valid UTF-8 text; check the encoding of the terminal or file"
    control = control_in(text)
    if control is not None:
        return _control_words(control)
    if len(text) > limit:
        return f"is too long ({len(text):,} characters; at most {limit:,})"
    return None


def _control_words(char: str) -> str:
    return f"holds a control character (U+{ord(char):04X}); leave it out"


def stored_problem(value: object, where: str = "") -> str | None:
    """Why data read back from a file (an import) cannot be kept, as "PLACE holds ...": a control character in any
    text or key, wherever it is nested; None when there is none."""
    if isinstance(value, str):
        control = control_in(value)
        return None if control is None else f"{where or 'the text'} {_control_words(control)}"
    if isinstance(value, dict):
        for key, item in value.items():
            place = f"{where}.{key}" if where else str(key)
            found = stored_problem(str(key), f"a key in {where or 'the session'}") or stored_problem(item, place)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = stored_problem(item, f"{where}[{index}]")
            if found:
                return found
    return None
