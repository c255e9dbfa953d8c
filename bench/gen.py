"""Generate large, valid facts files for benchmarks (and the streaming test)."""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

# Real states from the built-in dataset's regions, spelled as sources spell them.
STATES = [
    "Afghanistan", "Albania", "Austria", "Belgium", "Bolivia (Plurinational State of)",
    "Bosnia and Herzegovina", "Burundi", "Cabo Verde", "Chile", "Colombia", "Costa Rica",
    "Côte d'Ivoire", "Croatia", "Denmark", "Ecuador", "France", "Germany", "Ghana",
    "Holy See", "Hungary", "Ireland", "Japan", "Lao PDR", "Lebanon", "Mexico", "Mozambique",
    "Netherlands", "New Zealand", "Norway", "Peru", "Republic of Korea", "Senegal",
    "South Africa", "Spain", "Sweden", "Switzerland", "United Kingdom", "Zambia",
]  # fmt: skip
ACTIONS = ["moratorium", "stockpile-destruction", "legislation", "other"]
HEADER = ["state", "record", "subject", "date", "meeting", "detail", "source"]


def fact_rows(n: int):
    """n distinct facts: (state, action, day) never repeats."""
    start = dt.date(1950, 1, 1)
    per_day = len(STATES) * len(ACTIONS)
    for i in range(n):
        day = start + dt.timedelta(days=i // per_day)
        state = STATES[i % len(STATES)]
        action = ACTIONS[(i // len(STATES)) % len(ACTIONS)]
        yield [
            state,
            "announced",
            action,
            day.isoformat(),
            "",
            f"generated fact {i}, with a comma",
            f"https://example.org/source/{i % 997}",
        ]


def write_facts(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(fact_rows(n))
    return path


if __name__ == "__main__":
    write_facts(Path(sys.argv[1]), int(sys.argv[2]))
