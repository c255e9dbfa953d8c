"""CSV as ccm writes it everywhere: `csv.writer`'s minimal quoting, lines ending in "\\n",
and a cell holding a lone carriage return quoted too. Python 3.11's writer leaves that bare
when lines end in "\\n", and a reader then splits the row there: a meeting named "a\\rb"
exported and read back was two broken rows. The facts and claims exports build the same
quoting in SQL (exporter._csv_cell); listings stream it (formats.write_csv).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any, TextIO

# A cell holding one of these is quoted (and its quotes doubled).
QUOTED = ',"\n\r'
# Finds one in a cell: a C-level call, to map over a column (formats.write_csv).
needs_quotes = re.compile(f"[{re.escape(QUOTED)}]").search


class Writer:
    """`writerow` and `writerows` as csv.writer has them. The writer underneath ends its
    lines in "\\r\\n", which makes it quote a cell holding either character; each line's
    own ending is then written as "\\n"."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.line = io.StringIO()
        self.writer = csv.writer(self.line, lineterminator="\r\n")

    def writerow(self, row: Iterable[Any]) -> None:
        self.writer.writerow(row)
        text = self.line.getvalue()
        self.line.seek(0)
        self.line.truncate()
        self.out.write(text[:-2] + "\n")

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
