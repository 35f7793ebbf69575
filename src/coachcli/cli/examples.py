"""The examples at the end of each command's help (its epilog): one or two lines a person can copy."""

from __future__ import annotations


def _examples(*lines: str) -> str:
    return "Examples:\n\n" + "\n\n".join(f"  {line}" for line in lines)


EXAMPLES = {
    "start": _examples("coach start stalled-deal --rep Ana", "coach start --self grow"),
    "resume": _examples("coach resume", "coach resume 3fa9c2 --recap md"),
    "actions": _examples("coach actions --rep Ana --overdue", "coach actions --format ics > commitments.ics"),
    "done": _examples('coach done 3fa9 --note "CFO agreed to a pilot"'),
    "drop": _examples('coach drop 3fa9 --note "The deal closed without it"'),
    "reopen": _examples("coach reopen 3fa9 --due friday"),
    "due": _examples("coach due 3fa9 friday", 'coach due 3fa9 2026-12-24 --note "They are away until then."'),
    "sessions": _examples('coach sessions --rep Ana --since "last week"', "coach sessions --grep pilot --format json"),
    "recap": _examples("coach recap --format md | pbcopy", "coach recap 5e55"),
    "prep": _examples(
        "coach prep stalled-deal --rep Ana",
        'coach prep stalled-deal --rep Ana --at "thu 10:00" --format ics > call.ics',
    ),
    "export": _examples("coach export --format csv -o journal.csv", "coach export > backup.json"),
    "import": _examples("coach import backup.json"),
    "stats": _examples('coach stats --rep Ana --since "4 weeks ago"', "coach stats --json"),
    "completion": _examples(
        'eval "$(coach completion bash)"     # in ~/.bashrc',
        "coach completion fish > ~/.config/fish/completions/coach.fish",
    ),
    "config": _examples("coach config", "coach config --format json"),
    "sets list": _examples("coach sets list", "coach sets list --format tsv | cut -f1"),
    "sets show": _examples("coach sets show call-debrief --format md", "coach sets show grow --self"),
    "sets find": _examples('coach sets find "my colleague keeps missing deadlines"'),
    "sets validate": _examples("coach sets validate questions/"),
    "sets lint": _examples("coach sets lint questions/missed-quota.yaml"),
    "sets new": _examples("coach sets new missed-quota", "coach sets new missed-quota --dir questions"),
    "sets schema": _examples("coach sets schema > question-set.schema.json"),
    "journal path": _examples("coach journal path"),
    "journal check": _examples("coach journal check", "coach journal check --json"),
    "journal compact": _examples("coach journal compact"),
}
