"""A folder journal synced through git: three clones of one bare repository converge, nothing lost."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from coachcli.journal import FolderJournal, Journal
from coachcli.journal.sync import git_sync
from coachcli.records import ReviewItem
from conftest import coach
from test_replicas import latest_changes, make_session, statuses

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")


def git(where: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout


def clone(remote: Path, where: Path) -> Path:
    git(remote.parent, "clone", "--quiet", str(remote), str(where))
    git(where, "config", "user.name", "Coach Test")
    git(where, "config", "user.email", "coach@example.invalid")
    git(where, "config", "commit.gpgsign", "false")
    return where


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """A bare repository holding one folder journal (its marker only), as the first machine pushed it."""
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", "-b", "main", str(bare))
    seed = clone(bare, tmp_path / "seed")
    home = tmp_path / "seed-home"
    result = coach(
        "--journal",
        str(tmp_path / "none.jsonl"),
        "journal",
        "convert",
        str(seed / "journal"),
        env={"COACHCLI_HOME": str(home)},
    )
    assert result.exit_code == 0, result.stderr
    (seed / "journal" / next(p.name for p in (seed / "journal").glob("*.jsonl"))).unlink()  # only the marker
    git(seed, "add", "journal")
    git(seed, "commit", "--quiet", "-m", "a coach journal")
    git(seed, "push", "--quiet", "-u", "origin", "main")
    return bare


def test_journal_sync_round_trips_between_two_clones(tmp_path: Path, remote: Path) -> None:
    tiny_answers = tmp_path / "answers.json"
    tiny_answers.write_text(
        json.dumps(
            {
                "answers": {"so-far": "x", "options": ["Call"], "useful": "y"},
                "commit": [{"text": "Call the CFO", "due": "2026-12-05"}],
            }
        ),
        encoding="utf-8",
    )
    from helpers import write_set

    tiny = write_set(tmp_path / "sets")
    a, b = clone(remote, tmp_path / "a"), clone(remote, tmp_path / "b")
    env_a, env_b = {"COACHCLI_HOME": str(tmp_path / "home-a")}, {"COACHCLI_HOME": str(tmp_path / "home-b")}
    ja, jb = str(a / "journal"), str(b / "journal")

    assert (
        coach("--journal", ja, "start", str(tiny), "--rep", "Ana", "--answers", str(tiny_answers), env=env_a).exit_code
        == 0
    )
    synced = coach("--journal", ja, "journal", "sync", env=env_a)
    assert synced.exit_code == 0, synced.stderr
    assert "committed, pulled and pushed" in synced.stderr
    assert coach("--journal", jb, "journal", "sync", env=env_b).exit_code == 0
    listed = json.loads(coach("--journal", jb, "actions", "--json", env=env_b).stdout)
    assert [x["text"] for x in listed] == ["Call the CFO"]
    assert coach("--journal", jb, "done", listed[0]["id"], env=env_b).exit_code == 0
    assert "committed" in coach("--journal", jb, "journal", "sync", env=env_b).stderr
    assert coach("--journal", ja, "journal", "sync", env=env_a).exit_code == 0
    assert json.loads(coach("--journal", ja, "actions", "--json", env=env_a).stdout) == []
    export_a = coach("--journal", ja, "export", "--format", "json", env=env_a).stdout
    assert export_a == coach("--journal", jb, "export", "--format", "json", env=env_b).stdout
    again = coach("--journal", ja, "journal", "sync", env=env_a)
    assert again.exit_code == 0 and "pulled and pushed" in again.stderr and "committed" not in again.stderr


def test_a_conflict_git_reports_stops_the_sync_and_says_so(
    tmp_path: Path, remote: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = clone(remote, tmp_path / "a"), clone(remote, tmp_path / "b")
    for where in (a, b):  # a file changed by hand on both sides: what one writer per file rules out
        (where / "journal" / "coach-journal.txt").write_text(f"edited in {where.name}\n", encoding="utf-8")
        git(where, "commit", "--quiet", "-am", "by hand")
    monkeypatch.setenv("COACHCLI_HOME", str(tmp_path / "home-a"))
    assert coach("--journal", str(a / "journal"), "journal", "sync").exit_code == 0
    result = coach("--journal", str(b / "journal"), "journal", "sync", env={"COACHCLI_HOME": str(tmp_path / "home-b")})
    assert result.exit_code != 0
    assert "git rebase stopped" in result.stderr and "nothing was pushed" in result.stderr
    assert "rebase" not in git(b, "status")  # the rebase was undone, not left half-way


@pytest.mark.slow
def test_three_clones_with_random_operations_and_syncs_converge(
    tmp_path: Path, remote: Path, monkeypatch: pytest.MonkeyPatch, rng: random.Random
) -> None:
    clones = [clone(remote, tmp_path / f"clone{n}") for n in range(3)]
    homes = [tmp_path / f"home{n}" for n in range(3)]
    journals: list[FolderJournal] = []
    for home, where in zip(homes, clones, strict=True):
        monkeypatch.setenv("COACHCLI_HOME", str(home))
        journal = Journal(where / "journal")
        assert isinstance(journal, FolderJournal)
        journals.append(journal)
    made: list[str] = []
    actions: list[str] = []
    for step in range(200):
        n = rng.randrange(3)
        journal = journals[n]
        roll = rng.random()
        known = [a.id for a in journal.read().actions()]
        if roll < 0.25 or not known:
            session_id, action_ids = f"5e55{step:08d}", [f"ac{step:08d}{k:02d}" for k in range(rng.randint(0, 2))]
            session = make_session(session_id, action_ids)
            if known and rng.random() < 0.3:
                item = ReviewItem(
                    action_id=rng.choice(known),
                    text="(reviewed)",
                    status=rng.choice(["done", "dropped"]),
                    at=dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc),
                )
                session.review = [item]
            if rng.random() < 0.2:
                assert journal.import_sessions([session]) == (1, 0)
            else:
                journal.append_session(session)
            made.append(session_id)
            actions += action_ids
        elif roll < 0.6:
            status = rng.choice(["done", "dropped", "open"])
            journal.change_status(rng.choice(known), status, note=f"step {step}" if rng.random() < 0.5 else None)
        elif roll < 0.7:
            journal.change_status(rng.choice(known), "open", due=dt.date(2026, 4, 1) + dt.timedelta(days=step))
        elif roll < 0.75:
            with journal.own_path.open("ab") as file:  # a sync partway through a write: half a record
                file.write(b'{"v":1,"type":"status","action_id":"' + known[0].encode() + b'","sta')
            git_sync(journal)
        else:
            git_sync(journal)
    for _ in range(2):
        for journal in journals:
            git_sync(journal)

    exports = []
    for home, where in zip(homes, clones, strict=True):
        result = coach(
            "--journal", str(where / "journal"), "export", "--format", "json", env={"COACHCLI_HOME": str(home)}
        )
        assert result.exit_code == 0, result.stderr
        exports.append(result.stdout)
    assert exports[0] == exports[1] == exports[2]
    sessions = json.loads(exports[0])
    assert sorted(s["id"] for s in sessions) == sorted(made)
    assert sorted(a["id"] for s in sessions for a in s["actions"]) == sorted(actions)
    assert statuses(exports[0]) == latest_changes(clones[0] / "journal")  # as its latest change by clock left it
    for where in clones:
        assert git(where, "status", "--porcelain") == ""  # every replica's file committed, nothing left over


def bare_clone(remote: Path, where: Path) -> Path:
    """A clone with nothing set up: no identity of its own."""
    git(remote.parent, "clone", "--quiet", str(remote), str(where))
    return where


@pytest.fixture
def no_git_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No global or system git configuration: the user set no identity anywhere."""
    home = tmp_path / "user-home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(name, raising=False)


def test_sync_commits_without_an_identity_signing_or_despite_an_ignore_of_jsonl(
    tmp_path: Path, remote: Path, monkeypatch: pytest.MonkeyPatch, no_git_config: None
) -> None:
    a = bare_clone(remote, tmp_path / "a")
    assert subprocess.run(["git", "-C", str(a), "config", "user.name"], check=False).returncode != 0
    git(a, "config", "commit.gpgsign", "true")  # with no key to sign with
    ignore = tmp_path / "ignore"
    ignore.write_text("*.jsonl\n", encoding="utf-8")
    git(a, "config", "core.excludesFile", str(ignore))
    env = {"COACHCLI_HOME": str(tmp_path / "home-a")}
    monkeypatch.setenv("COACHCLI_HOME", str(tmp_path / "home-a"))
    journal = Journal(a / "journal")
    assert isinstance(journal, FolderJournal)
    journal.append_session(make_session("5e5510000001", []))

    synced = coach("--journal", str(a / "journal"), "journal", "sync", env=env)

    assert synced.exit_code == 0, synced.stderr
    assert "committed, pulled and pushed" in synced.stderr
    author = git(a, "log", "-1", "--format=%an <%ae>").strip()
    assert author == f"coach <{journal.replica}@coach.invalid>"
    assert f"journal/{journal.replica}.jsonl" in git(a, "ls-tree", "-r", "--name-only", "origin/main")
    assert git(a, "status", "--porcelain") == ""


def test_sync_leaves_a_tracked_marker_alone_and_names_an_unrelated_uncommitted_change(
    tmp_path: Path, remote: Path
) -> None:
    a, b = clone(remote, tmp_path / "a"), clone(remote, tmp_path / "b")
    env_a, env_b = {"COACHCLI_HOME": str(tmp_path / "home-a")}, {"COACHCLI_HOME": str(tmp_path / "home-b")}
    (b / "notes.txt").write_text("mine\n", encoding="utf-8")
    git(b, "add", "notes.txt")
    git(b, "commit", "--quiet", "-m", "notes")
    (b / "notes.txt").write_text("mine, edited\n", encoding="utf-8")  # not coach's, not committed
    (b / "journal" / "coach-journal.txt").write_text("edited by hand\n", encoding="utf-8")
    assert coach("--journal", str(a / "journal"), "journal", "replicas", "--name", "A", env=env_a).exit_code == 0
    assert coach("--journal", str(a / "journal"), "journal", "sync", env=env_a).exit_code == 0

    result = coach("--journal", str(b / "journal"), "journal", "sync", env=env_b)

    assert result.exit_code == 1
    assert "unrelated uncommitted change" in result.stderr and "nothing was pushed" in result.stderr
    assert "notes.txt" in result.stderr
    assert "coach-journal.txt" not in git(b, "show", "--name-only", "--format=", "HEAD")  # the marker: tracked
    assert "Traceback" not in result.stderr


def test_a_git_message_that_is_not_utf8_is_shown_not_a_traceback(tmp_path: Path, remote: Path) -> None:
    a = clone(remote, tmp_path / "a")
    hook = a / ".git" / "hooks" / "pre-push"
    hook.write_bytes(b"#!/bin/sh\nprintf 'refused: \\377\\376 caf\\351\\n' >&2\nexit 1\n")
    hook.chmod(0o755)
    env = {"COACHCLI_HOME": str(tmp_path / "home-a")}
    assert coach("--journal", str(a / "journal"), "journal", "replicas", "--name", "A", env=env).exit_code == 0

    result = coach("--journal", str(a / "journal"), "journal", "sync", env=env)

    assert result.exit_code == 1, result.stderr
    assert "git push failed" in result.stderr and "refused:" in result.stderr and " caf" in result.stderr
    assert "Traceback" not in result.stderr


LOCK_PROBE = """
import fcntl, os, sys
lock, log, command = sys.argv[1:4]
state = "free"
if os.path.exists(lock):
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
    except OSError:
        state = "held"
with open(log, "a") as file:
    file.write(f"{command} {state}\\n")
os.execvp("git", ["git", command, *sys.argv[4:]])
"""


def test_sync_holds_the_journal_lock_neither_while_fetching_nor_while_pushing(
    tmp_path: Path, remote: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git runs the remote's side of a fetch and a push as commands we name: each looks at the journal's lock."""
    import sys

    a, b = clone(remote, tmp_path / "a"), clone(remote, tmp_path / "b")
    env_a, env_b = {"COACHCLI_HOME": str(tmp_path / "home-a")}, {"COACHCLI_HOME": str(tmp_path / "home-b")}
    monkeypatch.setenv("COACHCLI_HOME", str(tmp_path / "home-b"))
    Journal(b / "journal").append_session(make_session("5e5510000002", []))
    assert coach("--journal", str(b / "journal"), "journal", "sync", env=env_b).exit_code == 0
    monkeypatch.setenv("COACHCLI_HOME", str(tmp_path / "home-a"))
    journal = Journal(a / "journal")
    assert isinstance(journal, FolderJournal)
    journal.append_session(make_session("5e5510000001", []))
    probe, log = tmp_path / "probe.py", tmp_path / "probe.log"
    probe.write_text(LOCK_PROBE, encoding="utf-8")
    for command in ("upload-pack", "receive-pack"):
        script = tmp_path / command
        line = f'exec "{sys.executable}" "{probe}" "{journal.lock_path}" "{log}" {command} "$@"'
        script.write_text(f"#!/bin/sh\n{line}\n", encoding="utf-8")
        script.chmod(0o755)
        git(a, "config", f"remote.origin.{command.replace('-', '')}", str(script))

    result = coach("--journal", str(a / "journal"), "journal", "sync", env=env_a)

    assert result.exit_code == 0, result.stderr
    assert log.read_text(encoding="utf-8").splitlines() == ["upload-pack free", "receive-pack free"]
    assert sorted(s.id for s in journal.read().sessions) == ["5e5510000001", "5e5510000002"]
