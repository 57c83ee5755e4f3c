"""The scenario files load, and each what-if changes exactly what it says it changes.

A what-if is compared field by field with the baseline it extends, the calibrated one
(``model_dump()`` of both, after ``extends:`` is merged and validated); the dotted paths that
differ must be exactly the expected ones, sources included, so a stray override or a typo that
lands on another field fails here. The calibrated baseline differs from the documents' baseline
only in the parameters that ``calibration/parameters.yaml`` fits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from forlopsim import load_scenario
from forlopsim.errors import ScenarioError

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"
DOCUMENTED = SCENARIOS / "trondheim_baseline.yaml"
BASELINE = SCENARIOS / "trondheim_calibrated.yaml"
"""The baseline every what-if extends: the documents' baseline with the calibrated parameters."""

OFFICE_HOURS_TEAMS = [
    "psykisk_helse_og_rus.teams.mental_health",
    "psykisk_helse_og_rus.teams.substance",
    "rustjenester.teams.outreach",
    "rustjenester.teams.youth",
    "botiltak.teams.staffed_housing",
]

EXPECTED_CHANGES: dict[str, set[str]] = {
    "missing_middle.yaml": {
        "housing.tiers.middle.capacity",
        "housing.tiers.middle.source.capacity",
        "housing.tiers.middle.priority",
        "housing.tiers.middle.source.priority",
    },
    "missing_middle_phased.yaml": {
        "housing.tiers.middle.capacity",
        "housing.tiers.middle.source.capacity",
        "housing.tiers.middle.priority",
        "housing.tiers.middle.source.priority",
    },
    "crisis_beds.yaml": {
        "crisis_beds.womens_crisis_centre.beds",
        "crisis_beds.womens_crisis_centre.existing_places",
        "crisis_beds.womens_crisis_centre.source.beds",
        "crisis_beds.womens_crisis_centre.source.existing_places",
    },
    "self_referral_beds.yaml": {
        "crisis_beds.self_referral.beds",
        "crisis_beds.self_referral.source.beds",
    },
    "evening_staffing.yaml": {
        "services.coverage.evenings_weekends",
        *(
            f"services.units.{team}.{field}"
            for team in OFFICE_HOURS_TEAMS
            for field in ("coverage", "cost_per_resident_day", "source.cost_per_resident_day")
        ),
    },
    "youth_shelter.yaml": {
        "crisis_beds.youth_shelter.beds",
        "crisis_beds.youth_shelter.source.beds",
    },
}
ALWAYS_CHANGED = {"name", "description", "label.nb", "label.en", "about.nb"}
"""Texts every what-if has of its own: none changes a number."""


def differences(a: Any, b: Any, path: str = "") -> set[str]:
    """Dotted paths where ``a`` and ``b`` differ; a key present on one side only is one path."""
    if isinstance(a, dict) and isinstance(b, dict):
        found: set[str] = set()
        for key in a.keys() | b.keys():
            here = f"{path}.{key}" if path else str(key)
            if key not in a or key not in b:
                found.add(here)
            else:
                found |= differences(a[key], b[key], here)
        return found
    if isinstance(a, list | tuple) and isinstance(b, list | tuple) and len(a) == len(b):
        found = set()
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found |= differences(x, y, f"{path}.{i}")
        return found
    return set() if a == b else {path}


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(BASELINE)


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_scenario_file_validates(path: Path):
    try:
        scenario = load_scenario(path)
    except ScenarioError as error:
        pytest.fail(f"{path.name} does not validate:\n{error}", pytrace=False)
    assert scenario.name.strip(), f"{path.name}: empty name"
    assert scenario.description.strip(), f"{path.name}: say in `description:` what it is"


def test_every_what_if_is_listed():
    files = {p.name for p in SCENARIOS.glob("*.yaml")} - {BASELINE.name, DOCUMENTED.name}
    assert files == EXPECTED_CHANGES.keys(), (
        "each what-if in scenarios/ needs its expected changes in EXPECTED_CHANGES "
        f"(unlisted: {sorted(files - EXPECTED_CHANGES.keys())}, "
        f"missing: {sorted(EXPECTED_CHANGES.keys() - files)})"
    )


def test_readme_lists_every_scenario():
    readme = (SCENARIOS / "README.md").read_text(encoding="utf-8")
    missing = [p.name for p in SCENARIOS.glob("*.yaml") if f"`{p.name}`" not in readme]
    assert not missing, f"scenarios/README.md does not list {missing}"


@pytest.mark.parametrize("name", sorted(EXPECTED_CHANGES))
def test_what_if_extends_the_baseline(name: str):
    text = (SCENARIOS / name).read_text(encoding="utf-8")
    assert f"extends: {BASELINE.name}" in text.splitlines(), f"{name} must extend the baseline"


@pytest.mark.parametrize("name", sorted(EXPECTED_CHANGES))
def test_what_if_changes_only_what_it_means_to(name: str, baseline):
    what_if = load_scenario(SCENARIOS / name)
    changed = differences(what_if.model_dump(), baseline.model_dump())
    expected = EXPECTED_CHANGES[name] | ALWAYS_CHANGED
    assert changed == expected, (
        f"{name} vs baseline: unexpected changes {sorted(changed - expected)}, "
        f"expected but unchanged {sorted(expected - changed)}"
    )


def test_calibrated_baseline_changes_only_the_calibrated_parameters(baseline):
    fitted = yaml.safe_load((REPO / "calibration" / "parameters.yaml").read_text())
    paths = [p["path"] for p in fitted["parameters"].values()]
    changed = differences(baseline.model_dump(), load_scenario(DOCUMENTED).model_dump())
    assert f"extends: {DOCUMENTED.name}" in BASELINE.read_text(encoding="utf-8").splitlines()
    allowed = set(paths) | ALWAYS_CHANGED
    for path in paths:  # the source of the fitted number, or of its block
        parent, leaf = path.rsplit(".", 1)
        allowed |= {f"{parent}.source", f"{parent}.source.{leaf}"}
    unexpected = {c for c in changed if not any(c == a or c.startswith(a + ".") for a in allowed)}
    assert not unexpected, f"the calibrated baseline changes {sorted(unexpected)}"
    # a fitted value may end where it started (a factor of 1), but the fit moves some
    assert set(paths) & ({c.rsplit(".", 1)[0] for c in changed} | changed)


# What each what-if means, checked against the baseline so that tuning the baseline's numbers
# cannot silently change the question a what-if asks.


def test_missing_middle_adds_20_new_places(baseline):
    base = baseline.housing.tiers["middle"]
    tier = load_scenario(SCENARIOS / "missing_middle.yaml").housing.tiers["middle"]
    assert (base.capacity, base.existing_places) == (0, 0), (
        "the baseline should have no middle tier"
    )
    assert tier.capacity == 20
    assert tier.existing_places == 0 and tier.new_place_cost > 0, "the 20 places are new, at a cost"


def test_missing_middle_phased_opens_10_places_in_year_1_and_10_more_in_year_3(baseline):
    from forlopsim.scenario.schedule import openings
    from forlopsim.units import DAYS_PER_YEAR

    base = baseline.housing.tiers["middle"]
    tier = load_scenario(SCENARIOS / "missing_middle_phased.yaml").housing.tiers["middle"]
    assert (base.capacity, base.existing_places) == (0, 0)
    assert tier.capacity == {0: 0, 366: 10, 1096: 20}
    opened = openings(tier.capacity, tier.existing_places)
    assert [(int(day // DAYS_PER_YEAR), n) for day, n in opened] == [(1, 10), (3, 10)]
    assert tier.new_place_cost > 0, "the places are new, at a cost"
    whole = load_scenario(SCENARIOS / "missing_middle.yaml").housing.tiers["middle"]
    assert tier.priority == whole.priority, "the same tier as missing_middle.yaml, phased"


def test_a_schedule_validates_and_warns_of_new_places_at_no_cost(tmp_path, capsys):
    from forlopsim.cli import main

    assert main(["validate", str(SCENARIOS / "missing_middle_phased.yaml")]) == 0
    free = tmp_path / "free.yaml"
    free.write_text(
        f"extends: {SCENARIOS / 'missing_middle_phased.yaml'}\nname: free\n"
        "housing: {tiers: {middle: {new_place_cost: 0}}}\n"
    )
    capsys.readouterr()
    main(["validate", str(free)])
    assert "20 new places" in capsys.readouterr().err


def test_crisis_beds_adds_4_new_beds(baseline):
    base = baseline.crisis_beds["womens_crisis_centre"]
    beds = load_scenario(SCENARIOS / "crisis_beds.yaml").crisis_beds["womens_crisis_centre"]
    assert beds.beds == base.beds + 4, "crisis_beds.yaml should add 4 beds to the baseline's"
    assert beds.existing_places == base.beds, "the baseline's beds exist; only the 4 are new"


def test_self_referral_and_youth_beds_are_new(baseline):
    for file, bed in [
        ("self_referral_beds.yaml", "self_referral"),
        ("youth_shelter.yaml", "youth_shelter"),
    ]:
        base = baseline.crisis_beds[bed]
        beds = load_scenario(SCENARIOS / file).crisis_beds[bed]
        assert base.beds == 0, f"the baseline should have no {bed} beds"
        assert beds.beds == 4, f"{file}: expected 4 {bed} beds"
        assert beds.existing_places == 0, f"{file}: the beds are new"


def test_evening_staffing_covers_evenings_and_weekends_at_a_higher_cost(baseline):
    what_if = load_scenario(SCENARIOS / "evening_staffing.yaml")
    coverage = what_if.services.coverage["evenings_weekends"]
    assert set(coverage.days) == {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
    assert (coverage.from_hour, coverage.to_hour) == (8, 22)
    for unit_name, unit in baseline.services.units.items():
        for team_name, team in unit.teams.items():
            new = what_if.services.units[unit_name].teams[team_name]
            if team.coverage == "office_hours":
                assert new.coverage == "evenings_weekends", f"{unit_name}.{team_name}"
                assert new.cost_per_resident_day > team.cost_per_resident_day
            else:
                assert new == team, f"{unit_name}.{team_name} should be unchanged"
