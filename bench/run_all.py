"""`make bench`: every performance goal, each as a ratio measured in this run."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bulk
import scale
import startup
from common import report


def main() -> None:
    print(
        f"ccm benchmarks, {dt.date.today().isoformat()}, {platform.machine()},"
        f" {os.cpu_count()} cores, Python {platform.python_version()}\n"
    )
    rows = startup.main() + bulk.main() + scale.main()
    report(rows)


if __name__ == "__main__":
    main()
