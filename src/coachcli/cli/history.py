"""`coach sessions`, `recap`, `prep`, `stats`: what past sessions said, and whether coaching is working."""

from __future__ import annotations

import enum

import typer

from coachcli.cli.common import (
    TextFormat,
    journal_for,
    listing_limit,
    note,
    open_query,
    parse_date_opt,
    print_json,
    print_json_rows,
    print_recap,
    today,
    warn_damaged,
    warn_if_overridden,
)


class PrepFormat(str, enum.Enum):
    text = "text"
    md = "md"


def sessions_command(
    ctx: typer.Context,
    rep: str | None = typer.Option(None, "--rep", help="Only sessions with this rep."),
    set_id: str | None = typer.Option(None, "--set", help="Only sessions of this set (its id)."),
    since: str | None = typer.Option(None, "--since", help="Begun on or after DATE (e.g. 2026-11-01, last week)."),
    until: str | None = typer.Option(None, "--until", help="Begun on or before DATE."),
    grep: str | None = typer.Option(None, "--grep", help="Only sessions where TEXT was said (any case)."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="At most N sessions."),
    all_rows: bool = typer.Option(False, "--all", help="All of them (a terminal shows the last 40)."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Past sessions, newest first, with how many options and commitments each produced."""
    import itertools
    import sys

    from coachcli.console import stdout_console
    from coachcli.render.actions import more_rows
    from coachcli.render.sessions import sessions_table

    first, last = parse_date_opt(since, "--since"), parse_date_opt(until, "--until")
    if json_output:
        if all_rows and limit is not None:
            listing_limit(all_rows, limit, LISTING_ROWS)  # refuses both
        with open_query(ctx) as query:
            # Written as read, newest first: the query's read transaction holds meanwhile.
            bodies = query.session_bodies(rep=rep, set_id=set_id, since=first, until=last, grep=grep)
            print_json_rows(itertools.islice(bodies, limit))
        return
    shown_rows = listing_limit(all_rows, limit, LISTING_ROWS)
    with open_query(ctx) as query:
        if grep:
            found = query.sessions(rep=rep, set_id=set_id, since=first, until=last, grep=grep, limit=shown_rows)
            total = len(found)
        else:
            # No more sessions loaded than Rich's table prints quickly: past that, the plain renderer streams them.
            probe = RICH_SESSIONS + 1 if shown_rows is None else min(shown_rows, RICH_SESSIONS + 1)
            page = query.session_page(rep=rep, set_id=set_id, since=first, until=last, limit=probe)
            found, total = page.sessions, page.total
            if len(found) > RICH_SESSIONS:
                # A long listing: each session's row printed as it is read, by the plain renderer (fixed widths).
                from coachcli.render.sessions import sessions_plain

                bodies = query.session_bodies(rep=rep, set_id=set_id, since=first, until=last)
                for line in sessions_plain(itertools.islice(bodies, shown_rows)):
                    sys.stdout.write(line + "\n")
                return
        shown = query.short_session_ids(s.id for s in found)
    if not found:
        note("no sessions match")
        return
    stdout_console().print(sessions_table(found, shown))
    more = more_rows(len(found), total)
    if more is not None:
        note(more)


LISTING_ROWS = 40  # sessions a listing shows at a terminal unless told --all or --limit
RICH_SESSIONS = 200  # past this many, the plain renderer (Rich measures every cell of every row)


def recap_command(
    ctx: typer.Context,
    session_id: str | None = typer.Argument(
        None, metavar="[SESSION]", help="An id or unique prefix (default: the last session)."
    ),
    last: bool = typer.Option(False, "--last", help="The last session (the default)."),
    recap_format: TextFormat = typer.Option(TextFormat.text, "--format", help="text, md or json."),
) -> None:
    """A session's recap; stdout carries the recap alone."""
    from coachcli.errors import UsageError
    from coachcli.selection import session_for_recap

    if last and session_id:
        raise UsageError("give a SESSION or --last, not both")
    with open_query(ctx) as query:
        session = session_for_recap(query, session_id)
    print_recap(session, recap_format)
    from coachcli.cli.journal_commands import note_two_machines

    note_two_machines(ctx, [action.id for action in session.actions])


def prep_command(
    ctx: typer.Context,
    set_name: str = typer.Argument(..., metavar="SET", help="A set id, or the path of a YAML file."),
    rep: str = typer.Option(..., "--rep", help="The rep you are about to coach."),
    prep_format: PrepFormat = typer.Option(PrepFormat.text, "--format", help="text or md."),
) -> None:
    """The sheet to read before the call: open commitments, the last session, the set's questions."""
    from coachcli.console import data, stdout_console
    from coachcli.errors import UsageError
    from coachcli.questions.library import resolve
    from coachcli.render.prep import prep_markdown, prep_text
    from coachcli.selection import prep_facts

    if not rep.strip():
        raise UsageError("name the rep with --rep NAME")
    loaded = resolve(set_name)
    warn_if_overridden(loaded)
    day = today()
    with open_query(ctx) as query:
        facts = prep_facts(query, rep.strip(), day)
        shown = query.short_action_ids(a.id for a in facts.open_actions)
    if prep_format is PrepFormat.md:
        data(prep_markdown(loaded.qset, facts, day))
    else:
        stdout_console().print(prep_text(loaded.qset, facts, day, shown))


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

A week's figures are those of the sessions held that week (Monday to
Sunday). A figure with nothing to divide by shows as - (null in JSON).
"""


def stats_command(
    ctx: typer.Context,
    rep: str | None = typer.Option(None, "--rep", help="Only this rep."),
    since: str | None = typer.Option(None, "--since", help="Only sessions from this date (2026-09-01, 4 weeks ago)."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    from coachcli.console import stdout_console
    from coachcli.render.stats import stats_text
    from coachcli.stats import report_from_groups

    day = today()
    since_date = parse_date_opt(since, "--since")
    with journal_for(ctx).stream(figures=True) as stream:
        warn_damaged(stream.damaged)
        groups = stream.figure_groups(day)
    report = report_from_groups(groups, day, rep=rep, since=since_date)
    if json_output:
        print_json(report.as_dict())
        return
    console = stdout_console()
    console.print(stats_text(report, console.width))
