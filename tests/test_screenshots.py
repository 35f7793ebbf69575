"""The README's screenshots come from a script; it must keep running and show real sessions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "screenshots.py"


def test_the_screenshot_script_makes_four_svgs_of_real_output(tmp_path: Path, isolated_home: Path) -> None:
    out = tmp_path / "shots"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out)], capture_output=True, text=True, timeout=900, check=False
    )
    assert result.returncode == 0, result.stderr
    svgs = {path.stem: path.read_text(encoding="utf-8") for path in out.glob("*.svg")}
    assert set(svgs) == {"session", "recap", "actions", "stats"}
    assert all(text.lstrip().startswith("<svg") for text in svgs.values())
    # Rich writes each run of text with non-breaking spaces; look for single words that must be there.
    assert "else" in svgs["session"]  # the "what else?" loop
    assert "advice" in svgs["session"]  # the ask-don't-tell nudge
    assert "Commitments" in svgs["recap"]
    assert "stalled-deal" in svgs["actions"]
    assert "follow" in svgs["stats"]
    # The script works in a temporary folder: the user's coach home is untouched.
    assert not isolated_home.exists()
