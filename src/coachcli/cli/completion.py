"""What a shell completes after Tab: set ids, commitment ids with their text, session ids, rep names.

Typer calls these when the shell asks (`_COACH_COMPLETE=complete_bash coach ...`; `coach --install-completion`
sets that up). They read the sets' summary and the journal's index, never every YAML file or the whole journal,
and the heavy modules are imported only here, inside the functions, so that `coach --version` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from coachcli.journal.names import Names


def _names(ctx: typer.Context, *, actions: bool = True, closed: bool = False) -> Names:
    """What the index of the command's journal (or journals) knows: completion reads nothing else. Nothing when
    the journal cannot be named (a config file or a --journal coach cannot use): the command says why, not every
    Tab."""
    from coachcli.config import journal_file
    from coachcli.errors import CoachError, InputFileError
    from coachcli.journal.names import Names, names
    from coachcli.journal.team import indexed_file
    from coachcli.paths import journal_path

    root = ctx.find_root()
    explicit = (root.params or {}).get("journal") or (root.obj or {}).get("journal") or [None]
    if isinstance(explicit, str):
        explicit = [explicit]
    try:
        try:
            given = [journal_file(path) for path in explicit]
        except InputFileError:  # a config file coach cannot use: the --journal given still counts
            given = [journal_path(path) for path in explicit]
        indexed = indexed_file(given)
    except CoachError:
        return Names()
    return names(indexed, actions=actions, closed=closed)


HELP_WIDTH = 60


def _help(text: str) -> str:
    """A stored text as completion help: one line, short enough that Typer never wraps it (fish would take each
    wrapped line for a candidate), and escaped, since Typer reads help as Rich markup."""
    from coachcli.safe_text import markup

    line = " ".join(text.split())
    if len(line) > HELP_WIDTH:
        line = line[: HELP_WIDTH - 1].rstrip() + "…"
    return markup(line)


def _matching(pairs: list[tuple[str, str]], incomplete: str) -> list[tuple[str, str]]:
    wanted = incomplete.lower()
    return [(value, _help(text)) for value, text in pairs if value.lower().startswith(wanted)]


def complete_set_id(incomplete: str) -> list[tuple[str, str]]:
    from coachcli.questions.names import set_names

    return _matching(set_names(), incomplete)


def complete_action_id(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    return _matching(_names(ctx).actions, incomplete)


def complete_closed_action_id(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """For `reopen`: the done and dropped commitments."""
    return _matching(_names(ctx, closed=True).actions, incomplete)


def complete_session_id(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    return _matching(_names(ctx, actions=False).sessions, incomplete)


def complete_rep(ctx: typer.Context, incomplete: str) -> list[str]:
    wanted = incomplete.lower()
    return [rep for rep in _names(ctx, actions=False).reps if rep.lower().startswith(wanted)]
