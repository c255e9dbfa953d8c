"""State names in, ISO 3166-1 alpha-3 codes out, through the countryguess library.

countryguess (stdlib-only) carries ISO codes, short and official names, the UN geoscheme and a
curated pattern per country that matches its usual spellings ("Ivory Coast", "Lao PDR",
"Bolivia (Plurinational State of)"). We use those and never its fuzzy fallback: a spelling that
matches nothing is refused with suggestions, because a wrong code silently corrupts a dataset.
The module is imported only when a name has to be resolved (start-up cost).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache
from typing import Any, NamedTuple

# The UN geoscheme calls the continent "Americas"; countryguess says "America".
_REGION_NAMES = {"America": "Americas"}


class Country(NamedTuple):
    code: str
    name: str
    region: str
    subregion: str


def normalize(name: str) -> str:
    """A comparison key: case, accents, curly quotes and spacing do not make a different name."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return " ".join(text.casefold().split())


@lru_cache(maxsize=1)
def _countries() -> list[dict[str, Any]]:
    from countryguess import _countrydata  # the library's loaded, compiled data

    data = _countrydata.CountryData()
    return [c for c in data.countries if c.get("iso3")]


def _to_country(info: dict[str, Any]) -> Country:
    region = info.get("continent") or ""
    return Country(
        code=info["iso3"].upper(),
        name=info["name_short"],
        region=_REGION_NAMES.get(region, region),
        subregion=info.get("unregion") or "",
    )


@lru_cache(maxsize=1)
def _exact_index() -> dict[str, dict[str, Any]]:
    index: dict[str, dict[str, Any]] = {}
    for info in _countries():
        for key in (info["iso3"], info["iso2"], info["name_short"], info["name_official"]):
            if key:
                index.setdefault(normalize(key), info)
    return index


def by_code(code: str) -> Country | None:
    """The country with this alpha-2 or alpha-3 code (Kosovo is XKX), or None."""
    code = code.strip().upper()
    if len(code) not in (2, 3) or not code.isalpha():
        return None
    for info in _countries():
        if code in (info["iso3"].upper(), info["iso2"].upper()):
            return _to_country(info)
    return None


def find(name: str) -> Country | None:
    """The country this spelling names exactly, or None.

    Exact means: an ISO code, a short or official name (ignoring case and accents), or the
    library's pattern for one country and no other. Fuzzy similarity never counts.
    """
    key = normalize(name)
    if not key:
        return None
    name_like = _NAME_LIKE.fullmatch(key) is not None
    for candidate in _spellings(key):
        info = _exact_index().get(candidate)
        if info is None and name_like:
            matches = {c["iso3"]: c for c in _countries() if _pattern(c).search(candidate)}
            info = next(iter(matches.values())) if len(matches) == 1 else None
        if info is not None:
            return _to_country(info)
    return None


# Patterns match a country's name anywhere in the text, so they are only tried on text that
# could be a name: letters, spaces and . , ' ( ) - & / ("Hungary'; DROP TABLE" is not).
_NAME_LIKE = re.compile(r"[^\W\d_]+(?:[ .,'()&/-]+[^\W\d_]*)*[.)]?")

_INVERTED = re.compile(r"(.+?)\s*\((.+)\)")


def _spellings(key: str) -> list[str]:
    """The key, and the UN's inverted form turned round: 'congo (republic of)' ->
    'republic of congo'. A fixed rewrite of a naming convention, not a guess."""
    m = _INVERTED.fullmatch(key)
    return [key, f"{m.group(2)} {m.group(1)}"] if m else [key]


def _pattern(info: dict[str, Any]) -> re.Pattern[str]:
    regex = info["regex"]
    return regex if isinstance(regex, re.Pattern) else re.compile(regex, re.IGNORECASE)


def suggest(name: str, extra: dict[str, tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """Up to three (name, code) pairs that look like `name`, closest first.

    `extra` maps further spellings (the database's aliases) to (name, code).
    """
    choices: dict[str, tuple[str, str]] = {}
    for info in _countries():
        country = (info["name_short"], info["iso3"].upper())
        for label in (info["name_short"], info["name_official"]):
            choices.setdefault(normalize(label), country)
    for label, country in (extra or {}).items():
        choices.setdefault(normalize(label), country)
    seen: list[tuple[str, str]] = []
    for key in difflib.get_close_matches(normalize(name), list(choices), n=8, cutoff=0.6):
        if choices[key] not in seen:
            seen.append(choices[key])
    return seen[:3]
