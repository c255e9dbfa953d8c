"""Names in, ISO alpha-3 codes out (SPEC.md, Names; issue 2, item 4).

Real spellings: the UN Treaty Collection's, ISO's, the common ones, and the ones the sources in
data/research/ actually use. Exact matches only: a near miss is refused with suggestions.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from ccmtool import names

Run = Callable[..., Result]  # the `ccm` fixture from conftest.py


def assert_clean_error(result: Result) -> None:
    """Bad input: a short message on stderr, nothing on stdout, no traceback."""
    assert result.exit_code in (1, 2)
    assert "Traceback" not in result.stderr + result.stdout
    assert "internal error" not in result.stderr
    assert result.stderr.startswith("ccm: error:"), result.stderr
    assert result.stdout == ""


# (spelling, expected ISO 3166-1 alpha-3)
SPEC_NAMES = [
    ("Bolivia (Plurinational State of)", "BOL"),
    ("Republic of Korea", "KOR"),
    ("Democratic Republic of the Congo", "COD"),
    ("Congo", "COG"),
    ("Côte d'Ivoire", "CIV"),
    ("Ivory Coast", "CIV"),
    ("Cote d'Ivoire", "CIV"),
    ("Holy See", "VAT"),
    ("State of Palestine", "PSE"),
    ("Cook Islands", "COK"),
    ("Niue", "NIU"),
    ("Kosovo", "XKX"),
    ("Cabo Verde", "CPV"),
    ("Cape Verde", "CPV"),
    ("Eswatini", "SWZ"),
    ("Swaziland", "SWZ"),
    ("The former Yugoslav Republic of Macedonia", "MKD"),
]

UN_NAMES = [
    # UN-style inverted names and UN Treaty Collection long forms.
    ("Congo (Republic of)", "COG"),
    ("Korea (Republic of)", "KOR"),
    ("Iran (Islamic Republic of)", "IRN"),
    ("Venezuela (Bolivarian Republic of)", "VEN"),
    ("Micronesia (Federated States of)", "FSM"),
    ("Netherlands (Kingdom of the)", "NLD"),
    ("United Kingdom of Great Britain and Northern Ireland", "GBR"),
    ("United States of America", "USA"),
    ("Russian Federation", "RUS"),
    ("Viet Nam", "VNM"),
    ("Lao People's Democratic Republic", "LAO"),
    ("United Republic of Tanzania", "TZA"),
    ("Republic of Moldova", "MDA"),
    ("Syrian Arab Republic", "SYR"),
    ("Democratic People's Republic of Korea", "PRK"),
    ("Brunei Darussalam", "BRN"),
    ("Timor-Leste", "TLS"),
    ("Türkiye", "TUR"),
    ("Czechia", "CZE"),
]

SOURCE_NAMES = [
    # Spellings as data/research/*.csv writes them.
    ("Lao PDR", "LAO"),
    ("Guinea Conakry", "GIN"),
    ("Guinea", "GIN"),
    ("Guinea-Bissau", "GNB"),
    ("Russia", "RUS"),
    ("Czech Republic", "CZE"),
    ("Tanzania", "TZA"),
    ("Democratic Republic of Congo", "COD"),
    ("North Macedonia", "MKD"),
    ("Moldova", "MDA"),
    ("Bolivia", "BOL"),
    ("Niger", "NER"),
    ("Nigeria", "NGA"),
    ("Sudan", "SDN"),
    ("South Sudan", "SSD"),
    ("Saint Vincent and the Grenadines", "VCT"),
    ("Saint Kitts and Nevis", "KNA"),
    ("Sao Tome and Principe", "STP"),
    ("Bosnia and Herzegovina", "BIH"),
    ("United Kingdom", "GBR"),
    ("United States", "USA"),
    ("Netherlands", "NLD"),
    ("New Zealand", "NZL"),
    ("Papua New Guinea", "PNG"),
    ("Dominican Republic", "DOM"),
    ("Central African Republic", "CAF"),
    ("Gambia", "GMB"),
    ("Samoa", "WSM"),
    ("Hungary", "HUN"),
    ("Peru", "PER"),
    ("Japan", "JPN"),
]

COMMON_NAMES = [
    ("Vatican", "VAT"),
    ("Palestine", "PSE"),
    ("South Korea", "KOR"),
    ("North Korea", "PRK"),
    ("Turkey", "TUR"),
    ("East Timor", "TLS"),
    ("Burma", "MMR"),
    ("The Gambia", "GMB"),
    ("São Tomé and Príncipe", "STP"),
    ("Côte d\u2019Ivoire", "CIV"),  # a typographic apostrophe, as pasted from a web page
    ("COTE D'IVOIRE", "CIV"),
    ("  hungary  ", "HUN"),
]

CODES = [
    ("HUN", "HUN"),
    ("hun", "HUN"),
    ("Hun", "HUN"),
    ("HU", "HUN"),
    ("hu", "HUN"),
    ("CIV", "CIV"),
    ("ci", "CIV"),
    ("KOR", "KOR"),
    ("kr", "KOR"),
    ("XKX", "XKX"),
    ("xk", "XKX"),
    ("COD", "COD"),
    ("cg", "COG"),
    ("VA", "VAT"),
]

ALL_NAMES = SPEC_NAMES + UN_NAMES + SOURCE_NAMES + COMMON_NAMES + CODES


def test_at_least_forty_real_spellings() -> None:
    assert len({spelling for spelling, _ in ALL_NAMES}) >= 40


@pytest.mark.parametrize(("spelling", "code"), ALL_NAMES)
def test_find_resolves_real_spelling(spelling: str, code: str) -> None:
    country = names.find(spelling)
    assert country is not None, f"{spelling!r} did not resolve"
    assert country.code == code
    assert country.name  # a display name for tables
    assert country.region  # the UN geoscheme region, for --region and stats


def test_republic_of_korea_is_south_not_north() -> None:
    korea = names.find("Republic of Korea")
    assert korea is not None and korea.code == "KOR"
    assert korea.code != "PRK"


def test_the_two_congos_are_told_apart() -> None:
    drc, congo = names.find("Democratic Republic of the Congo"), names.find("Congo")
    assert drc is not None and congo is not None
    assert (drc.code, congo.code) == ("COD", "COG")


def test_every_state_spelling_in_the_research_resolves() -> None:
    """The first real test of name resolution: every spelling the sources wrote."""
    data = Path(__file__).resolve().parents[1] / "data" / "research"
    spellings: set[str] = set()
    for path in sorted(data.glob("*.csv")):
        for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))):
            for column in ("state", "participant", "country"):
                if row.get(column):
                    spellings.add(row[column])
    assert len(spellings) > 100
    unresolved = sorted(s for s in spellings if names.find(s) is None)
    assert unresolved == []


def test_every_library_short_name_resolves_to_its_own_code() -> None:
    """Exports write the short name; it must read back as the same state."""
    for info in names._countries():
        country = names.find(info["name_short"])
        assert country is not None and country.code == info["iso3"].upper(), info["name_short"]


@pytest.mark.parametrize("spelling", ["Hungry", "QQ", "XYZ", "", "   ", "Hungarian Empire"])
def test_find_refuses_what_is_not_an_exact_name(spelling: str) -> None:
    assert names.find(spelling) is None


def test_hungry_suggests_hungary() -> None:
    suggestions = names.suggest("Hungry")
    assert suggestions, "a near miss must come with suggestions"
    assert suggestions[0] == ("Hungary", "HUN")


# --- through the CLI --------------------------------------------------------------------

CLI_NAMES = [
    ("Bolivia (Plurinational State of)", "BOL", "Bolivia"),
    ("Republic of Korea", "KOR", "KOR"),
    ("Democratic Republic of the Congo", "COD", "COD"),
    ("Congo (Republic of)", "COG", "Congo"),
    ("Ivory Coast", "CIV", "Côte d'Ivoire"),
    ("Holy See", "VAT", "Holy See"),
    ("State of Palestine", "PSE", "PSE"),
    ("Kosovo", "XKX", "xk"),
    ("Cape Verde", "CPV", "Cabo Verde"),
    ("Swaziland", "SWZ", "Eswatini"),
    ("The former Yugoslav Republic of Macedonia", "MKD", "North Macedonia"),
    ("Lao PDR", "LAO", "Lao People's Democratic Republic"),
    ("hu", "HUN", "Hungary"),
]


def _profile(stdout: str) -> dict[str, str]:
    """The `field value` rows at the top of `ccm state` (table format)."""
    out: dict[str, str] = {}
    for line in stdout.splitlines():
        if not line.strip():
            break
        key, _, value = line.partition("  ")
        out[key.strip()] = value.strip()
    return out


@pytest.mark.parametrize(("spelling", "code", "lookup"), CLI_NAMES)
def test_cli_add_state_then_state(
    ccm: Run, empty_db: Path, spelling: str, code: str, lookup: str
) -> None:
    added = ccm("add-state", spelling, "--db", empty_db)
    assert added.exit_code == 0, added.stderr
    assert f"({code})" in added.stderr
    assert added.stdout == ""  # messages go to stderr
    shown = ccm("state", lookup, "--db", empty_db)
    assert shown.exit_code == 0, shown.stderr
    assert _profile(shown.stdout)["code"] == code


def test_cli_ivory_coast_then_cote_divoire_shows_civ(ccm: Run, empty_db: Path) -> None:
    assert ccm("add-state", "Ivory Coast", "--db", empty_db).exit_code == 0
    shown = ccm("state", "Côte d'Ivoire", "--db", empty_db)
    assert shown.exit_code == 0, shown.stderr
    profile = _profile(shown.stdout)
    assert profile["code"] == "CIV"
    assert profile["name"] == "Côte d'Ivoire"


def test_cli_add_state_twice_is_one_state(ccm: Run, empty_db: Path) -> None:
    assert ccm("add-state", "Cabo Verde", "--db", empty_db).exit_code == 0
    again = ccm("add-state", "Cape Verde", "--db", empty_db)
    assert again.exit_code == 0
    states = ccm("export", "--csv", "--what", "states", "--db", empty_db).stdout
    assert [row["code"] for row in csv.DictReader(io.StringIO(states))] == ["CPV"]


def _state_codes(ccm: Run, db: Path) -> list[str]:
    out = ccm("export", "--csv", "--what", "states", "--db", db).stdout
    return [row["code"] for row in csv.DictReader(io.StringIO(out))]


def test_cli_hungry_is_refused_and_suggests_hungary(ccm: Run, empty_db: Path) -> None:
    result = ccm("add-state", "Hungry", "--db", empty_db)
    assert result.exit_code == 2  # a name that names nothing is a usage error
    assert_clean_error(result)
    assert "Hungary" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _state_codes(ccm, empty_db) == []  # a wrong code is never stored


def test_cli_state_hungry_is_refused(ccm: Run, empty_db: Path) -> None:
    assert ccm("add-state", "Hungary", "--db", empty_db).exit_code == 0
    result = ccm("state", "Hungry", "--db", empty_db)
    assert result.exit_code == 2
    assert_clean_error(result)
    assert "Hungary" in result.stderr


def test_cli_hungry_with_code_becomes_an_alias(ccm: Run, empty_db: Path) -> None:
    result = ccm("add-state", "Hungry", "--code", "HUN", "--db", empty_db)
    assert result.exit_code == 0, result.stderr
    assert "HUN" in result.stderr
    shown = ccm("state", "Hungry", "--db", empty_db)
    assert shown.exit_code == 0, shown.stderr
    profile = _profile(shown.stdout)
    assert profile["code"] == "HUN"
    assert profile["name"] == "Hungary"
    assert "Hungry" in profile["aliases"]
    assert _state_codes(ccm, empty_db) == ["HUN"]


def test_cli_extra_alias_then_resolves(ccm: Run, empty_db: Path) -> None:
    result = ccm("add-state", "Austria", "--alias", "Österreich", "--db", empty_db)
    assert result.exit_code == 0, result.stderr
    shown = ccm("state", "österreich", "--db", empty_db)
    assert shown.exit_code == 0, shown.stderr
    assert _profile(shown.stdout)["code"] == "AUT"


def test_cli_code_contradicting_a_known_name_is_refused(ccm: Run, empty_db: Path) -> None:
    result = ccm("add-state", "Hungary", "--code", "AUT", "--db", empty_db)
    assert result.exit_code == 1
    assert_clean_error(result)
    assert "HUN" in result.stderr or "Hungary" in result.stderr
    assert _state_codes(ccm, empty_db) == []


def test_cli_unknown_code_is_refused(ccm: Run, empty_db: Path) -> None:
    result = ccm("add-state", "Hungry", "--code", "QQQ", "--db", empty_db)
    assert result.exit_code in (1, 2)
    assert_clean_error(result)
    assert "QQQ" in result.stderr
    assert _state_codes(ccm, empty_db) == []


def test_cli_alias_naming_another_state_is_refused(ccm: Run, empty_db: Path) -> None:
    result = ccm("add-state", "Austria", "--alias", "Hungary", "--db", empty_db)
    assert result.exit_code == 1
    assert_clean_error(result)
    assert "Hungary" in result.stderr
    assert _state_codes(ccm, empty_db) == []  # all or nothing: Austria was not added either


def test_cli_alias_already_taken_by_another_state_is_refused(ccm: Run, empty_db: Path) -> None:
    assert (
        ccm("add-state", "Austria", "--alias", "Alpine Republic", "--db", empty_db).exit_code == 0
    )
    result = ccm("add-state", "Germany", "--alias", "Alpine Republic", "--db", empty_db)
    assert result.exit_code == 1
    assert_clean_error(result)
    assert "AUT" in result.stderr or "Austria" in result.stderr
    assert _state_codes(ccm, empty_db) == ["AUT"]
    shown = ccm("state", "Alpine Republic", "--db", empty_db)
    assert _profile(shown.stdout)["code"] == "AUT"
