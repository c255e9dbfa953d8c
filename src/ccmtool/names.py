"""State names in, ISO 3166-1 alpha-3 codes out, through the countryguess library.

countryguess (stdlib-only) carries ISO codes, short and official names, the UN geoscheme and a
curated pattern per country that matches its usual spellings ("Ivory Coast", "Lao PDR",
"Bolivia (Plurinational State of)"). We use those and never its fuzzy fallback: a spelling that
matches nothing is refused with suggestions, because a wrong code silently corrupts a dataset.
The module is imported only when a name has to be resolved (start-up cost).

The library's patterns match a country's name *anywhere* in the text, so on their own they
would read "Korea and Japan" as Japan, "Iraqi Kurdistan" as Iraq and "Northern Cyprus" as
Cyprus. A pattern match is therefore accepted only when the text names one state and no place
inside it (`refusal`). Exact names and codes are never second-guessed.

Everything here is linear in the length of the text: text longer than any state's name
(`MAX_NAME_LENGTH`) is refused after one pass over it, so the library's regular expressions
(some of which backtrack) only ever see short strings, and no regular expression of ours runs
on text of unbounded length.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache
from typing import Any, NamedTuple

from ccmtool.errors import UnknownStateError

# The UN geoscheme calls the continent "Americas"; countryguess says "America".
_REGION_NAMES = {"America": "Americas"}

# The longest name of a state (or territory) in the library is 52 characters ("United
# Kingdom of Great Britain and Northern Ireland"); anything much longer is not a name.
MAX_NAME_LENGTH = 80


class Country(NamedTuple):
    code: str
    name: str
    region: str
    subregion: str


class NameRefused(UnknownStateError):
    """Text that a pattern would resolve, but that does not name exactly one state.

    A subclass of UnknownStateError so every caller that already refuses unknown names
    refuses these too; `message` says why, and `suggestions` lists the states it names.
    """

    def __init__(self, name: str, reason: str, states: list[tuple[str, str]]) -> None:
        super().__init__(name, states)
        self.reason = reason
        self.message = f"{shown(name)} {reason}"
        self.args = (self.message,)


def shown(text: str, limit: int = 60) -> str:
    """`text` quoted for an error line, cut short and with control characters escaped."""
    quoted = repr(text[: limit + 1])
    return quoted if len(text) <= limit else quoted[: limit - 3] + "...'"


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


# ISO 3166-1's own English short names that the library has only as patterns, and that the
# one-state check would otherwise read as two states.
_ISO_SHORT_NAMES = {"Taiwan, Province of China": "TWN"}


@lru_cache(maxsize=1)
def _exact_index() -> dict[str, dict[str, Any]]:
    index: dict[str, dict[str, Any]] = {}
    for info in _countries():
        for key in (info["iso3"], info["iso2"], info["name_short"], info["name_official"]):
            if key:
                index.setdefault(normalize(key), info)
    by_iso3 = {info["iso3"]: info for info in _countries()}
    for name, code in _ISO_SHORT_NAMES.items():
        index.setdefault(normalize(name), by_iso3[code])
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
    library's pattern for one country and no other, on text that names that one state and
    nothing else (see `refusal`). Fuzzy similarity never counts.
    """
    try:
        return _resolve(name)
    except NameRefused:
        return None


def check_spelling(spelling: str) -> None:
    """Raise NameRefused if `spelling` must not name a state, as a name or as an alias.

    `facts.add_alias` calls this, so an alias is held to the same rules as a name: no
    mixed scripts ("Bulgаria" with a Cyrillic а), no invisible characters, nothing longer
    than a name can be, and not text that names several states or a place inside one.
    """
    _resolve(spelling)


def refusal(name: str) -> str | None:
    """Why `name` cannot name a state (one line), or None if it is acceptable."""
    try:
        _resolve(name)
    except NameRefused as exc:
        return exc.message
    return None


def _resolve(name: str) -> Country | None:
    # One cheap pass bounds everything after it: no normalisation of megabytes of text.
    if len(name) > 4 * MAX_NAME_LENGTH:
        raise NameRefused(name, f"is {len(name)} characters long: too long for a state name", [])
    _check_characters(name)
    key = normalize(name)
    if not key:
        return None
    if len(key) > MAX_NAME_LENGTH:
        raise NameRefused(name, f"is {len(key)} characters long: too long for a state name", [])
    try:
        info = _lookup_cached(key)
    except NameRefused as exc:  # raised on the key; the user should see what they typed
        raise NameRefused(name, exc.reason, exc.suggestions) from None
    return _to_country(info) if info is not None else None


def _check_characters(name: str) -> None:
    """Refuse control and invisible characters, and letters from more than one script."""
    scripts: dict[str, str] = {}
    for c in name:
        category = unicodedata.category(c)
        if category in ("Cc", "Cf", "Co", "Cs", "Cn") and c not in "\t\n\r":
            raise NameRefused(name, f"contains an invisible character (U+{ord(c):04X})", [])
        if category == "Lm" or not c.isalpha():
            continue  # modifier letters (ʻ, ー) belong to no one script
        script = _script(c)
        scripts.setdefault(script, c)
    if len(scripts) > 1 and not _one_writing_system(set(scripts)):
        listed = " and ".join(f"{s.title()} ({ch})" for s, ch in sorted(scripts.items()))
        raise NameRefused(
            name, f"mixes letters from different scripts: {listed}; retype it in one", []
        )


@lru_cache(maxsize=4096)
def _script(c: str) -> str:
    """The script of a letter, from the Unicode name of its base form: 'LATIN', 'CYRILLIC'.

    The base form (NFKD) counts, so full-width and mathematical Latin letters are Latin.
    """
    base = unicodedata.normalize("NFKD", c)[:1] or c
    label = unicodedata.name(base, "") or unicodedata.name(c, "UNKNOWN")
    word = label.split(" ", 1)[0]
    return "LATIN" if word in ("FULLWIDTH", "MATHEMATICAL") else word


# Writing systems that mix scripts by design: Japanese and Korean.
_MIXED_BY_DESIGN = ({"CJK", "HIRAGANA", "KATAKANA"}, {"CJK", "HANGUL"})


def _one_writing_system(scripts: set[str]) -> bool:
    return any(scripts <= allowed for allowed in _MIXED_BY_DESIGN)


# --- exact names and library patterns -------------------------------------------------------

_SEPARATORS = frozenset(" .,'()&/-")


def _name_like(key: str) -> bool:
    """Letters, spaces and . , ' ( ) - & / only, starting with a letter: text that could be a
    name ("Hungary'; DROP TABLE" is not). A character loop, not a regular expression: the
    pattern it replaces backtracked exponentially on runs of separators."""
    if not key or not key[0].isalpha():
        return False
    return all(c.isalpha() or c in _SEPARATORS for c in key)


def _spellings(key: str) -> list[str]:
    """The key, and the UN's inverted form turned round: 'congo (republic of)' ->
    'republic of congo'. A fixed rewrite of a naming convention, not a guess."""
    if not key.endswith(")"):
        return [key]
    opening = key.find("(")
    if opening <= 0:
        return [key]
    head, inner = key[:opening].rstrip(), key[opening + 1 : -1]
    if not head or not inner or "(" in inner or ")" in inner:
        return [key]
    return [key, f"{inner} {head}"]


def _pattern(info: dict[str, Any]) -> re.Pattern[str]:
    regex = info["regex"]
    return regex if isinstance(regex, re.Pattern) else re.compile(regex, re.IGNORECASE)


@lru_cache(maxsize=8192)
def _match(text: str) -> dict[str, Any] | None:
    """An exact name or code, else the one country whose pattern matches (short text only)."""
    info = _exact_index().get(text)
    if info is not None or not _name_like(text) or len(text) > MAX_NAME_LENGTH:
        return info
    matches = {c["iso3"]: c for c in _countries() if _pattern(c).search(text)}
    return next(iter(matches.values())) if len(matches) == 1 else None


@lru_cache(maxsize=4096)
def _lookup_cached(key: str) -> dict[str, Any] | None:
    for candidate in _spellings(key):
        if candidate in _exact_index():
            return _exact_index()[candidate]
        info = _match(candidate)
        if info is not None:
            _check_one_state(key, candidate, info)
            return info
    return None


# --- one state, and not a place inside one ------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that say what kind of state it is, not which: never evidence of a second place.
_FORM_WORDS = _words(
    """the of and republic rep kingdom state states democratic dem people peoples people's
    federal federation federative federated islamic arab socialist united union
    plurinational bolivarian commonwealth principality grand duchy sultanate independent
    cooperative co-operative oriental argentine hashemite nation pdr sar fed sts former
    yugoslav"""
)
# Words that single out part of a country when they add nothing to which country it is.
_PART_WORDS = _words(
    """north northern south southern east eastern west western central upper lower inner
    outer occupied mainland greater province provinces region regions regional territory
    territories district county city capital governorate prefecture oblast canton
    municipality department strip enclave autonomous zone area border"""
)
# Capitals that tell two same-named states apart ("Congo Kinshasa", "Guinea Conakry").
_DISAMBIGUATORS = _words("kinshasa brazzaville conakry bissau leopoldville")
# Places inside a state, and states that no longer exist, that the library's patterns would
# read as a present-day state. Checked as whole words, only on pattern matches.
_NOT_STATES = {
    "gaza": "a place inside",
    "west bank": "a place inside",
    "england": "a part of",
    "scotland": "a part of",
    "wales": "a part of",
    "northern ireland": "a part of",
    "kurdistan": "a region of",
    "somaliland": "a region of",
    "puntland": "a region of",
    "zanzibar": "a part of",
    "bohemia": "a region of",
    "moravia": "a region of",
    "darfur": "a region of",
    "mesopotamia": "a region including",
    "czechoslovakia": "a former state, not",
}
# Separators between the parts of a list of states ("Korea and Japan", "Sudan/South Sudan").
_LIST_SPLIT = re.compile(r"\s*(?:,|;|/|\+|&|\band\b|\bor\b|\bwith\b|\bvs\b\.?)\s*")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


@lru_cache(maxsize=1)
def _vocabulary() -> dict[str, frozenset[str]]:
    """The words of each country's own short and official names, by ISO alpha-3 code."""
    words: dict[str, frozenset[str]] = {}
    for info in _countries():
        text = normalize(f"{info['name_short']} {info['name_official']}")
        words[info["iso3"]] = frozenset(_WORD.findall(text))
    return words


def _label(info: dict[str, Any]) -> str:
    return f"{info['name_short']} ({info['iso3'].upper()})"


def _check_one_state(key: str, candidate: str, info: dict[str, Any]) -> None:
    """Refuse a pattern match on text that names another state too, or a part of this one.

    Runs only on text of at most MAX_NAME_LENGTH characters, at most a few dozen words.
    """
    code = info["iso3"]
    padded = f" {' '.join(_WORD.findall(candidate))} "
    official = f" {' '.join(_WORD.findall(normalize(info['name_official'])))} "
    for place, relation in _NOT_STATES.items():
        if f" {place} " in padded and f" {place} " not in official:
            raise NameRefused(
                key, f"names {place.title()}, {relation} {_label(info)}", [_pair(info)]
            )

    # A list of states: two of its parts each name a different state.
    parts = [p for p in _LIST_SPLIT.split(candidate) if p and p != candidate]
    named: dict[str, dict[str, Any]] = {}
    for part in parts:
        hit = _match(part)
        if hit is not None:
            named.setdefault(hit["iso3"], hit)
    if len(named) > 1:
        listed = ", ".join(_label(i) for i in named.values())
        raise NameRefused(
            key,
            f"names more than one state ({listed}); record each state separately",
            [_pair(i) for i in named.values()],
        )

    own = _vocabulary().get(code, frozenset())
    _check_qualifiers(key, candidate, info, own)

    words = _WORD.findall(candidate)
    if len(words) < 2:
        return
    disambiguated = any(w in _DISAMBIGUATORS for w in words)
    for i, word in enumerate(words):
        if word in own or word in _FORM_WORDS:
            continue
        alone = _match(word)
        names_other = alone is not None and alone["iso3"] != code and not disambiguated
        if word not in _PART_WORDS and not names_other:
            continue
        rest = " ".join(words[:i] + words[i + 1 :])
        same = _match(rest)
        if same is None or same["iso3"] != code:
            continue  # the word is needed to say which state: "North Korea", "South Sudan"
        if names_other:
            assert alone is not None
            raise NameRefused(
                key,
                f"names more than one state ({_label(alone)}, {_label(info)});"
                " record each state separately",
                [_pair(alone), _pair(info)],
            )
        raise NameRefused(
            key, f"names a part of {_label(info)} ({word!r}), not a state", [_pair(info)]
        )


_QUALIFIER_SPLIT = re.compile(r"\s*[,;()]\s*")


def _check_qualifiers(key: str, candidate: str, info: dict[str, Any], own: frozenset[str]) -> None:
    """'Paris, France', 'Cyprus (Greek part)': one part names the state, and another part,
    naming nothing, is more than the state's own name words. A place in the state."""
    parts = [p for p in _QUALIFIER_SPLIT.split(candidate) if p]
    if len(parts) < 2 or not any(_hit_code(p) == info["iso3"] for p in parts):
        return
    allowed = own | _FORM_WORDS | _DISAMBIGUATORS
    for part in parts:
        if _hit_code(part) is not None:
            continue
        extra = [w for w in _WORD.findall(part) if w not in allowed]
        if extra:
            raise NameRefused(
                key, f"names a place in {_label(info)} ({part!r}), not a state", [_pair(info)]
            )


def _hit_code(text: str) -> str | None:
    hit = _match(text)
    return hit["iso3"] if hit is not None else None


def _pair(info: dict[str, Any]) -> tuple[str, str]:
    return info["name_short"], info["iso3"].upper()


def suggest(name: str, extra: dict[str, tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """Up to three (name, code) pairs that look like `name`, closest first.

    `extra` maps further spellings (the database's aliases) to (name, code).
    """
    if len(name) > MAX_NAME_LENGTH:
        return []  # nothing that long looks like a name; and difflib is quadratic
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
