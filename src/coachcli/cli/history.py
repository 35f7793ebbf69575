"""`coach sessions`, `recap`, `prep`, `stats`: what past sessions said, and whether coaching is working."""

from __future__ import annotations

import datetime as dt

import typer

from coachcli.cli.common import (
    id_suggestion,
    journal_for,
    known_reps,
    listing_limit,
    note,
    open_query,
    parse_date_opt,
    print_json,
    print_json_rows,
    print_recap,
    rep_suggestion,
    today,
    warn_damaged,
    warn_if_overridden,
    write_bytes,
    write_text,
)
from coachcli.cli.completion import complete_rep, complete_session_id, complete_set_id
from coachcli.cli.options import at_least_one, chosen_format, format_option, json_option

SESSIONS_FORMATS = ("text", "json", "tsv")
RECAP_FORMATS = ("text", "md", "json")
PREP_FORMATS = ("text", "md", "json", "ics")
STATS_FORMATS = ("text", "json")


LISTING_ROWS = 40  # sessions a listing shows at a terminal unless told --all or --limit
RICH_SESSIONS = 200  # past this many, the plain renderer (Rich measures every cell of every row)


def sessions_command(
    ctx: typer.Context,
    rep: str | None = typer.Option(
        None, "--rep", metavar="NAME", autocompletion=complete_rep, help="Only sessions with this rep."
    ),
    set_id: str | None = typer.Option(
        None, "--set", metavar="SET", autocompletion=complete_set_id, help="Only sessions of this set (its id)."
    ),
    since: str | None = typer.Option(
        None, "--since", metavar="DATE", help="Begun on or after DATE (e.g. 2026-11-01, last week)."
    ),
    until: str | None = typer.Option(None, "--until", metavar="DATE", help="Begun on or before DATE."),
    grep: str | None = typer.Option(
        None, "--grep", metavar="TEXT", help="Only sessions where TEXT was said (any case)."
    ),
    limit: int | None = typer.Option(None, "--limit", metavar="N", callback=at_least_one, help="At most N sessions."),
    all_rows: bool = typer.Option(False, "--all", help=f"All of them (a terminal shows the last {LISTING_ROWS})."),
    output_format: str | None = format_option(SESSIONS_FORMATS, note=" (default: text at a terminal, tsv in a pipe)"),
    json_output: bool = json_option(),
) -> None:
    """Past sessions, newest first, with how many options and commitments each produced."""
    import itertools
    import sys

    from coachcli.console import show
    from coachcli.journal.query import SessionFilter
    from coachcli.render.actions import more_rows
    from coachcli.render.sessions import sessions_table

    shape = chosen_format(output_format, json_output, piped="tsv")
    first, last = parse_date_opt(since, "--since"), parse_date_opt(until, "--until")
    chosen = SessionFilter(rep=rep, set_id=set_id, since=first, until=last, grep=grep)
    if shape != "text":
        if all_rows and limit is not None:
            listing_limit(all_rows, limit, LISTING_ROWS)  # refuses both
        with open_query(ctx) as query:
            # Written as read, newest first: the query's read transaction holds meanwhile.
            bodies = itertools.islice(query.session_bodies(chosen), limit)
            if shape == "json":
                print_json_rows(bodies)
            else:
                from coachcli.render.tsv import sessions_tsv

                written = 0
                for line in sessions_tsv(bodies):
                    write_text(line)
                    written += 1
                if not written:
                    note("no sessions match" + (rep_suggestion(rep, known_reps(ctx)) if rep else ""))
        return
    shown_rows = listing_limit(all_rows, limit, LISTING_ROWS)
    with open_query(ctx) as query:
        if grep:
            found = query.sessions(chosen, limit=shown_rows)
            total = len(found)
        else:
            # No more sessions loaded than Rich's table prints quickly: past that, the plain renderer streams them.
            probe = RICH_SESSIONS + 1 if shown_rows is None else min(shown_rows, RICH_SESSIONS + 1)
            page = query.session_page(chosen, limit=probe)
            found, total = page.sessions, page.total
            if len(found) > RICH_SESSIONS:
                # A long listing: each session's row printed as it is read, by the plain renderer (fixed widths).
                from coachcli.render.sessions import sessions_plain

                every = query.session_bodies(chosen)
                for line in sessions_plain(itertools.islice(every, shown_rows)):
                    sys.stdout.write(line + "\n")
                return
        shown = query.short_session_ids(s.id for s in found)
    if not found:
        note("no sessions match" + (rep_suggestion(rep, known_reps(ctx)) if rep else ""))
        return
    show(sessions_table(found, shown))
    more = more_rows(len(found), total)
    if more is not None:
        note(more)


def recap_command(
    ctx: typer.Context,
    session_id: str | None = typer.Argument(
        None,
        metavar="SESSION",
        autocompletion=complete_session_id,
        help="An id or unique prefix (default: the last session).",
    ),
    last: bool = typer.Option(False, "--last", help="The last session (the default)."),
    recap_format: str | None = format_option(RECAP_FORMATS),
    json_output: bool = json_option(),
) -> None:
    """A session's recap; stdout carries the recap alone."""
    from coachcli.errors import NotFoundError, UsageError
    from coachcli.selection import session_for_recap

    if last and session_id:
        raise UsageError("give a SESSION or --last, not both")
    shape = chosen_format(recap_format, json_output)
    with open_query(ctx) as query:
        try:
            session = session_for_recap(query, session_id)
        except NotFoundError as exc:
            raise NotFoundError(exc.message + id_suggestion(ctx, session_id or "", "sessions")) from None
    print_recap(session, shape, page=True)
    from coachcli.cli.journal_commands import note_two_machines

    note_two_machines(ctx, [action.id for action in session.actions])


def prep_command(
    ctx: typer.Context,
    set_name: str = typer.Argument(
        ..., metavar="SET", autocompletion=complete_set_id, help="A set id, or the path of a YAML file."
    ),
    rep: str = typer.Option(
        ..., "--rep", metavar="NAME", autocompletion=complete_rep, help="The rep you are about to coach."
    ),
    at: str | None = typer.Option(
        None, "--at", metavar="WHEN", help='When the call is, e.g. "thu 10:00": the sheet names it, ics adds it.'
    ),
    prep_format: str | None = format_option(PREP_FORMATS, note=" (ics: the call, with this sheet as its notes)"),
    json_output: bool = json_option(),
) -> None:
    """The sheet to read before the call: open commitments, the last session, the set's questions."""
    from coachcli.console import data, show
    from coachcli.errors import UsageError
    from coachcli.questions.library import resolve
    from coachcli.render.prep import prep_json, prep_markdown, prep_text
    from coachcli.selection import prep_facts

    shape = chosen_format(prep_format, json_output)
    if not rep.strip():
        raise UsageError("name the rep with --rep NAME")
    day = today()
    call = parse_call_time(at) if at is not None else None
    if shape == "ics" and call is None:
        raise UsageError('--format ics needs the time of the call: --at "thu 10:00"')
    loaded = resolve(set_name)
    warn_if_overridden(loaded)
    with open_query(ctx) as query:
        facts = prep_facts(query, rep.strip(), day)
        shown = query.short_action_ids(a.id for a in facts.open_actions)
    if facts.last_session is None and not facts.open_actions:
        hint = rep_suggestion(rep, known_reps(ctx))
        if hint:
            note(f"no earlier session with {rep.strip()}{hint}")
    if shape == "json":
        print_json(prep_json(loaded.qset, facts, day, call))
    elif shape == "md":
        data(prep_markdown(loaded.qset, facts, day, call))
    elif shape == "ics" and call is not None:
        from coachcli.clock import now
        from coachcli.render.calendar import call_calendar
        from coachcli.render.prep import call_title

        sheet = prep_markdown(loaded.qset, facts, day, call)
        write_bytes(call_calendar(call_title(loaded.qset, facts), call, facts.rep, sheet, facts.open_actions, now()))
    else:
        show(prep_text(loaded.qset, facts, day, shown, call))


def parse_call_time(text: str) -> dt.datetime:
    """ "thu 10:00", "2026-12-03 14:30", "tomorrow 9:15": a day as due dates read, then HH:MM (local time)."""
    from coachcli.config import date_rules
    from coachcli.dates import parse_due
    from coachcli.errors import UsageError

    day_words, _, clock = text.strip().rpartition(" ")
    hours, colon, minutes = clock.partition(":")
    if not (colon and hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise UsageError(f"--at: give a day and a time, like \"thu 10:00\", not '{text}'")
    try:
        day = parse_due(day_words or "today", today(), date_rules())
    except UsageError as exc:
        raise UsageError(f"--at: {exc.message}") from None
    return dt.datetime.combine(day, dt.time(int(hours), int(minutes)))


STATS_HELP = """Is coaching working? Figures per rep and overall, and week by week
for the last 12 weeks.

\b
sessions        sessions held (complete or interrupted)
commitments     actions committed to in those sessions
follow-through  done / (done + dropped), over closed commitments
on time         share of done commitments done by their due date
overdue         open commitments whose due date has passed
ownership       share of commitments proposed by the rep
breadth         options per session (the "what else?" loop)
reviews         earlier commitments reviewed at a session's start

A week's figures are those of the sessions held that week; weeks start
on week_start in config.toml (Monday unless set). A figure with nothing
to divide by shows as - (null in JSON).
"""


def stats_command(
    ctx: typer.Context,
    rep: str | None = typer.Option(None, "--rep", metavar="NAME", autocompletion=complete_rep, help="Only this rep."),
    since: str | None = typer.Option(
        None, "--since", metavar="DATE", help="Only sessions from this date (2026-09-01, 4 weeks ago)."
    ),
    output_format: str | None = format_option(STATS_FORMATS),
    json_output: bool = json_option(),
) -> None:
    from coachcli.console import UNWRAPPED, show, stdout_console, stdout_is_terminal
    from coachcli.render.stats import stats_text
    from coachcli.stats import report_from_groups

    day = today()
    since_date = parse_date_opt(since, "--since")
    with journal_for(ctx).stream(figures=True) as stream:
        warn_damaged(stream.damaged)
        groups = stream.figure_groups(day)
    from coachcli.config import date_rules

    first_weekday = date_rules().week_start
    report = report_from_groups(groups, day, rep=rep, since=since_date, first_weekday=first_weekday)
    if rep and not report.overall.sessions:
        hint = rep_suggestion(rep, known_reps(ctx))
        if hint:
            note(f"no sessions with {rep.strip()}{hint}")
    if chosen_format(output_format, json_output) == "json":
        print_json(report.as_dict())
        return
    show(stats_text(report, stdout_console().width if stdout_is_terminal() else UNWRAPPED))
