"""`coach sets new`: a valid, lint-clean starter set to edit."""

from __future__ import annotations

import os
from pathlib import Path

from coachcli.errors import CoachError, UsageError
from coachcli.questions.models import SLUG_RE

STARTER = """\
# Editors can check this file: `coach sets schema > question-set.schema.json`, then add the line
# `# yaml-language-server: $schema=question-set.schema.json` at the top.
# A starter set: edit the wordings, keep every question open (what, how, which ...), give no advice.
id: {id}
title: {title}
situation: Describe, in one sentence, the situation this set is for.
keywords: [{keyword}]
# Situations as a manager or rep would type them (slang, abbreviations, typos welcome): `coach sets find`
# and the picker at `coach start` rank sets by them. Aim for 15 to 30.
examples:
  - Describe the situation the way someone would type it in a hurry
stages:
  - name: Goal
    questions:
      - id: goal
        ask: What would you like to get out of this conversation?
        self: What would I like to get out of this conversation?
        hint: Let them set the goal in their own words.
  - name: Reality
    questions:
      - id: so-far
        ask: What have you done so far?
        self: What have I done so far?
        hint: Wait. Let them finish before you respond.
  - name: Options
    questions:
      - id: options
        ask: What could you do next?
        self: What could I do next?
        more: What else could you do?
        more_self: What else could I do?
        capture: options
        hint: Count the options; resist adding your own.
  - name: Will
    commit: true
  - name: Close
    questions:
      - id: useful
        ask: What was most useful for you today?
        self: What was most useful for me today?
"""


def starter_text(set_id: str) -> str:
    title = set_id.replace("-", " ").capitalize()
    return STARTER.format(id=set_id, title=title, keyword=set_id.split("-")[0])


def write_starter(set_id: str, directory: Path | None) -> Path:
    """Write `<directory>/<id>.yaml` (default: the user's sets folder); never overwrite a file."""
    if not SLUG_RE.match(set_id):
        raise UsageError(f"'{set_id}' is not a slug: use lowercase letters, digits and single hyphens")
    if directory is None:
        from coachcli.paths import user_questions_dir

        directory = user_questions_dir()
    path = directory / f"{set_id}.yaml"
    if directory.exists() and not directory.is_dir():
        raise CoachError(f"{directory} is not a folder")
    from coachcli.journal.files import make_folder

    make_folder(directory, "the sets folder")  # private, like every folder coach makes
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(starter_text(set_id))
    except FileExistsError:
        raise CoachError(f"{path} exists already; choose another id or remove it") from None
    except OSError as exc:
        raise CoachError(f"could not write {path}: {exc.strerror or exc}") from None
    os.chmod(path, 0o644)
    return path
