"""How to cite the published data: a sentence, BibTeX, and CITATION.cff, all from one version.

CITATION.cff is YAML; every value is written as a JSON string, which YAML reads as a
double-quoted scalar, so no text (a title, an author, a URL) can break the file's structure.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ccmtool.dataset import DatasetVersion

TITLE = "Cluster munitions: what states promised and did"
ABSTRACT = (
    "What states said and did about cluster munitions in the Oslo Process (2007-2008) and "
    "under the Convention on Cluster Munitions: attendance at meetings, endorsements of "
    "declarations, signatures, ratifications and national actions, each fact with its "
    "sources. The data is partial and says so: recorded participation is set against the "
    "counts the sources report, and disagreements between sources are listed, not resolved."
)
LICENCE = "CC-BY-4.0"
LICENCE_NAME = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
DEFAULT_AUTHOR = "ccm contributors"


@dataclass
class Citation:
    version: DatasetVersion
    released: str  # YYYY-MM-DD: the day these files were made
    authors: list[str]
    url: str | None = None

    @property
    def year(self) -> str:
        return self.released[:4]

    def text(self) -> str:
        """One sentence in the usual author (year). title (version) [Data set] form."""
        where = f" {self.url}" if self.url else ""
        return (
            f"{', '.join(self.authors)} ({self.year}). {TITLE} (version {self.version.version})"
            f" [Data set].{where} Licence: CC BY 4.0."
        )

    def bibtex(self) -> str:
        key = "ccm_" + re.sub(r"[^A-Za-z0-9]+", "_", self.version.version).strip("_")
        fields = [
            ("title", TITLE),
            ("author", " and ".join("{" + _bib(a) + "}" for a in self.authors)),
            ("year", self.year),
            ("version", self.version.version),
            ("note", "Data set. Licence: CC BY 4.0"),
        ]
        if self.url:
            fields.append(("url", self.url))
        body = ",\n".join(
            f"  {name} = {{{value if name == 'author' else _bib(value)}}}" for name, value in fields
        )
        return f"@misc{{{key},\n{body}\n}}\n"

    def cff(self) -> str:
        lines = [
            "cff-version: 1.2.0",
            f"message: {_q('If you use these data, please cite them as below.')}",
            "type: dataset",
            f"title: {_q(TITLE)}",
            f"version: {_q(self.version.version)}",
            f"date-released: {_q(self.released)}",
            f"license: {LICENCE}",
            "authors:",
            *(f"  - name: {_q(author)}" for author in self.authors),
            f"abstract: {_q(ABSTRACT)}",
            "keywords:",
            *(
                f"  - {_q(k)}"
                for k in ("cluster munitions", "Oslo Process", "arms control", "treaties")
            ),
        ]
        if self.url:
            lines.append(f"url: {_q(self.url)}")
        return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _bib(text: str) -> str:
    """BibTeX groups with braces and escapes with backslashes: neither may come from data."""
    return re.sub(r"[{}\\]", "", text)
