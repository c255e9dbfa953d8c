"""Where the built-in dataset lives: inside the installed package, or `data/` of a checkout.

Its own module so that both the importer (which loads it) and the dataset version (which
names its release) can find it without importing each other.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

# In load order; a file that is absent is skipped (states.csv holds aliases, if any).
FILES = ["states.csv", "meetings.csv", "instruments.csv", "counts.csv", "seed.csv"]


def data_dir() -> Path:
    packaged = resources.files("ccmtool") / "data"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "data"


def release() -> str:
    """The built-in dataset's release, from `data/VERSION` ('' if there is none)."""
    path = data_dir() / "VERSION"
    return path.read_text(encoding="utf-8").strip() if path.exists() else ""
