"""`coach sets find` on the held-out situations of tests/eval/situations.yaml: the goal is the floor."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import yaml

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
SITUATIONS = Path(__file__).resolve().parent / "eval" / "situations.yaml"


def quality_find() -> ModuleType:
    spec = importlib.util.spec_from_file_location("quality_find", SCRIPTS / "quality_find.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("quality_find", module)
    spec.loader.exec_module(module)
    return module


def test_the_evaluation_data_is_labelled_and_split() -> None:
    rows = yaml.safe_load(SITUATIONS.read_text(encoding="utf-8"))
    known = {path.stem for path in (SCRIPTS.parent / "questions").glob("*.yaml")}
    assert len(rows) >= 150
    assert all(set(row) == {"text", "set", "split"} and row["set"] in known for row in rows)
    held_out = [row for row in rows if row["split"] == "heldout"]
    assert 0.25 <= len(held_out) / len(rows) <= 0.4
    assert {row["set"] for row in held_out} == known  # every set is asked for
    texts = [row["text"].lower() for row in rows]
    assert len(set(texts)) == len(texts)
    examples = set()
    for path in (SCRIPTS.parent / "questions").glob("*.yaml"):
        examples |= {e.lower() for e in yaml.safe_load(path.read_text(encoding="utf-8"))["examples"]}
    assert not examples & {row["text"].lower() for row in held_out}  # held out means not in the sets either


def test_held_out_situations_find_their_set() -> None:
    figures = quality_find().measure("heldout")
    assert figures.top1 >= 0.90, figures.misses
    assert figures.top3 >= 0.98, figures.misses


def test_a_strong_match_is_right() -> None:
    """The label a person reads: on the held-out data a set called a strong match was the right one."""
    figures = quality_find().measure("heldout")
    assert figures.labels["strong"] >= figures.total / 2
    assert figures.labels_right["strong"] >= 0.97 * figures.labels["strong"]
