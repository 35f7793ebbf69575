"""The one check on text a person says (answers, notes, a rep's name) before coach keeps it.

Every way in (the terminal, piped lines, answers files, command-line options) uses it, so a text is refused the
same way everywhere, with a message that says why, before anything is written:
- bytes that were not UTF-8 reach Python as lone surrogates (U+DC80..U+DCFF); they are not text, and stored
  they could not be printed or exported as UTF-8 again;
- control characters other than tab and line breaks: printed back in a recap they would drive the terminal
  (ESC starts escape sequences), and no one means to say them;
- more than MAX_CHARS characters (the answers file has always had this limit).
"""

from __future__ import annotations

import re

MAX_CHARS = 100_000

_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 controls but tab, newline and carriage return; DEL; the C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def problem(text: str, limit: int = MAX_CHARS) -> str | None:
    """Why `text` cannot be kept, as words that follow "the answer" or "--rep"; None when it can."""
    if _SURROGATE.search(text):
        return "is not valid UTF-8 text; check the encoding of the terminal or file"
    control = _CONTROL.search(text)
    if control:
        return f"holds a control character (U+{ord(control.group()):04X}); leave it out"
    if len(text) > limit:
        return f"is too long ({len(text):,} characters; at most {limit:,})"
    return None
