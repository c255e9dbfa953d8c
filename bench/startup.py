"""Cold start: `ccm attendance lima` against `python -c 'import typer'` and `sqlite-utils query`.

Goal: at most 1.2x importing Typer alone, and at most 0.6x `sqlite-utils query`.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from common import CCM, PYTHON, alternate, bench_env, report, verdict


def main() -> list[tuple[str, str, str, str]]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args([] if __name__ != "__main__" else None)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "ccm.db"
        env = bench_env(CCM_DB=str(db), HOME=tmp)
        subprocess.run([*CCM, "init"], env=env, check=True, capture_output=True)
        ccm = [*CCM, "attendance", "lima"]
        typer_only = [PYTHON, "-c", "import typer"]
        t_ccm, t_typer, _, _ = alternate(ccm, typer_only, args.runs, env)
        rows = [
            (
                "cold start: `ccm attendance lima` / `import typer`",
                f"{t_ccm / t_typer:.2f}x ({t_ccm * 1000:.0f} / {t_typer * 1000:.0f} ms)",
                "<= 1.2x",
                verdict(t_ccm / t_typer, 1.2, higher_is_better=False),
            )
        ]
        sqlite_utils = shutil.which("sqlite-utils", path=str(Path(PYTHON).parent))
        if sqlite_utils:
            su = [sqlite_utils, "query", str(db), "select 1"]
            t_ccm2, t_su, _, _ = alternate(ccm, su, args.runs, env)
            rows.append(
                (
                    "cold start: `ccm attendance lima` / `sqlite-utils query`",
                    f"{t_ccm2 / t_su:.2f}x ({t_ccm2 * 1000:.0f} / {t_su * 1000:.0f} ms)",
                    "<= 0.6x",
                    verdict(t_ccm2 / t_su, 0.6, higher_is_better=False),
                )
            )
    return rows


if __name__ == "__main__":
    report(main())
