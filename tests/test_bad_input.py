"""Bad input: every broken scenario file gets a short error naming the file and the field path.

Each file in ``tests/data/bad/`` breaks one thing; most extend the baseline so they stay broken
in only that way when the baseline's numbers change. For each, ``forlopsim validate`` must exit
with status 2, name the file at fault (a base file when the fault is there) and the field path,
print a short message with no traceback, and print nothing on stdout.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from forlopsim.cli import main
from forlopsim.scenario.loader import MAX_PROBLEMS

ROOT = Path(__file__).resolve().parents[1]
BAD = Path(__file__).resolve().parent / "data" / "bad"
BASELINE = ROOT / "scenarios" / "trondheim_baseline.yaml"

MAX_LINE = 400
"""Longest acceptable line of an error message (one problem per line)."""

# (file, field path it must name or None for a file-level error, message fragment, file at fault)
# The file at fault is the file itself unless given.
CASES: list[tuple[str, str | None, str, str | None]] = [
    # YAML itself
    ("yaml_syntax.yaml", None, "expected ',' or '}'", None),
    ("tab_indent.yaml", None, "tab", None),
    ("bad_indentation.yaml", None, "indentation", None),
    ("duplicate_key.yaml", "simulation.replications", "duplicate key", None),
    ("empty.yaml", None, "empty", None),
    ("comments_only.yaml", None, "empty", None),
    ("top_is_list.yaml", None, "expected a mapping", None),
    ("top_is_scalar.yaml", None, "expected a mapping", None),
    ("not_utf8.yaml", None, "UTF-8", None),
    ("python_object_apply_tag.yaml", None, "!!python/object/apply:os.system is not allowed", None),
    ("python_object_tag.yaml", None, "is not allowed", None),
    ("recursive_alias.yaml", "description", "contains itself", None),
    ("alias_bomb.yaml", None, "values", None),
    ("deeply_nested.yaml", None, "nested too deeply", None),
    # extends
    ("extends_cycle_a.yaml", "extends", "cycle", "extends_cycle_b.yaml"),
    ("extends_cycle_b.yaml", "extends", "cycle", "extends_cycle_a.yaml"),
    ("extends_self.yaml", "extends", "extends itself", None),
    ("extends_missing_base.yaml", "extends", "does not exist", None),
    ("extends_not_string.yaml", "extends", "expected the name of one YAML file", None),
    ("extends_directory.yaml", "extends", "not a file", None),
    ("extends_broken_base.yaml", None, "expected ',' or '}'", "yaml_syntax.yaml"),
    (
        "extends_invalid_base.yaml",
        "institutions.detox.beds",
        "at least 0",
        "base_negative_beds.yaml",
    ),
    ("base_negative_beds.yaml", "institutions.detox.beds", "at least 0 (got -3)", None),
    # unknown keys
    ("unknown_top_key.yaml", "simulaton", "did you mean 'simulation'", None),
    ("unknown_nested_key.yaml", "housing.tiers.temporary.capacty", "did you mean 'capacity'", None),
    ("unknown_distribution_field.yaml", "length_of_stay.median", "did you mean 'mean'", None),
    # wrong types
    ("wrong_type_string.yaml", "simulation.horizon_days", "expected a number", None),
    ("wrong_type_list_for_mapping.yaml", "housing.allocation", "expected a mapping", None),
    ("wrong_type_int.yaml", "simulation.replications", "whole number (got 2.5)", None),
    ("wrong_type_bool.yaml", "institutions.tsb.waiting_list", "true or false", None),
    ("wrong_type_source.yaml", "simulation.source", "expected text or a mapping", None),
    ("mix_key_not_a_level.yaml", "population.need.one", "key 'one' not allowed", None),
    # bounds
    ("negative_capacity.yaml", "housing.tiers.staffed_24h.capacity", "at least 0 (got -5)", None),
    ("negative_rate.yaml", "referrals.streams.nav.annual_rate", "at least 0 (got -10)", None),
    (
        "capacity_boolean.yaml",
        "housing.tiers.temporary.capacity",
        "whole number or a mapping (got true)",
        None,
    ),
    ("schedule_not_rising.yaml", "housing.tiers.middle.capacity", "must rise: day 365", None),
    ("schedule_negative.yaml", "institutions.tsb.beds.365", "at least 0 (got -4)", None),
    (
        "trend_negative_growth.yaml",
        "referrals.streams.nav.trend.growth_per_year",
        "zero or negative",
        None,
    ),
    (
        "trend_negative_rate.yaml",
        "referrals.streams.nav.trend.rate_by_year.2",
        "at least 0 (got -30)",
        None,
    ),
    ("rate_infinite.yaml", "referrals.streams.nav.annual_rate", "finite number", None),
    ("probability_above_one.yaml", "institutions.tsb.early_discharge", "at most 1 (got 1.5)", None),
    ("warmup_longer_than_horizon.yaml", "simulation", "warmup_days", None),
    ("eligibility_need_reversed.yaml", "municipal_flat.eligibility", "need", None),
    ("need_range_too_short.yaml", "housing_first.eligibility.need", "too short", None),
    # shares and chances
    ("mix_not_summing.yaml", "population.problem", "sum to 1", None),
    ("mix_unknown_category.yaml", "population.sex.other", "'female' or 'male'", None),
    ("crisis_outcomes_above_one.yaml", "hazards.crisis.outcomes.emergency", "exceed 1", None),
    # choices
    ("unknown_allocation_policy.yaml", "housing.allocation.policy", "'strict'", None),
    ("fallback_without_days.yaml", "housing.allocation", "fallback_after_days", None),
    ("coverage_bad_weekday.yaml", "services.coverage.office_hours.days.5", "'mon'", None),
    ("route_bad_forlop.yaml", "services.routing.0.forlop", "expected 1, 2 or 3 (got 4)", None),
    # distributions
    (
        "unknown_distribution_kind.yaml",
        "services.handover_delay.kind",
        "unknown kind 'poisson'",
        None,
    ),
    ("distribution_without_kind.yaml", "services.handover_delay.kind", "lognormal", None),
    ("distribution_missing_parameter.yaml", "services.handover_delay.sd", "required", None),
    ("triangular_mode_outside.yaml", "youth_shelter.length_of_stay", "low <= mode <= high", None),
    # completeness
    ("forlop_by_need_missing_level.yaml", "services", "forlop_by_need", None),
    ("rates_missing_need_level.yaml", "hazards.crisis.per_year", "each need level", None),
    ("team_missing_caseload.yaml", "teams.everyone.caseload", "required field is missing", None),
    ("routing_entry_without_team.yaml", "services.routing.0.team", "required", None),
    ("routing_unrouted.yaml", "services.routing", "no route for forløp 3", None),
    ("tier_named_homeless.yaml", "housing", "'homeless' is a state", None),
    # names that point at nothing
    ("route_missing_team.yaml", "services.routing.2.team", "'rustjenester.outreach'", None),
    ("coverage_missing.yaml", "teams.staffed_housing.coverage", "'evenings'", None),
    ("start_in_missing_tier.yaml", "referrals.streams.nav.start_in.shelter", "no tier", None),
    ("admit_to_missing_institution.yaml", "hazards.crisis.admit_to.mental", "psych_ward", None),
    (
        "treatment_referral_missing_institution.yaml",
        "treatment_referral.institution",
        "rehab",
        None,
    ),
]


def _exit_status(argv: list[str]) -> int | str | None:
    """``main``'s status, also when argparse ends it with ``SystemExit``."""
    try:
        return main(argv)
    except SystemExit as stop:
        return stop.code


def _assert_short_error(err: str, at_fault: Path, path: str | None, fragment: str) -> None:
    assert "Traceback" not in err
    assert err.startswith("forlopsim: "), err
    assert str(at_fault) in err, f"{at_fault} not named in:\n{err}"
    if path is not None:
        assert f": {path}" in err or f".{path}" in err, f"path {path!r} not named in:\n{err}"
    assert fragment in err, f"{fragment!r} not in:\n{err}"
    lines = err.strip().splitlines()
    assert len(lines) <= 3, err
    assert all(len(line) < MAX_LINE for line in lines), err


def test_every_bad_file_is_in_the_table() -> None:
    on_disk = {p.name for p in BAD.iterdir()}
    listed = [name for name, *_ in CASES]
    assert len(listed) == len(set(listed))
    assert on_disk == set(listed)
    assert len(listed) >= 30


@pytest.mark.parametrize(("name", "path", "fragment", "fault"), CASES, ids=[c[0] for c in CASES])
def test_validate_rejects_bad_file(
    capsys: pytest.CaptureFixture[str],
    name: str,
    path: str | None,
    fragment: str,
    fault: str | None,
) -> None:
    status = _exit_status(["validate", str(BAD / name)])
    out, err = capsys.readouterr()
    assert status == 2, err
    assert out == ""
    _assert_short_error(err, BAD / (fault or name), path, fragment)


def test_validate_accepts_the_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_status(["validate", str(BASELINE)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert f"{BASELINE}: ok" in out


def test_validate_reports_every_bad_file(capsys: pytest.CaptureFixture[str]) -> None:
    bad = [BAD / "negative_capacity.yaml", BAD / "yaml_syntax.yaml", BAD / "extends_self.yaml"]
    status = _exit_status(["validate", str(bad[0]), str(BASELINE), *map(str, bad[1:])])
    out, err = capsys.readouterr()
    assert status == 2
    assert out.strip() == f"{BASELINE}: ok (Trondheim baseline)"
    for path in bad:
        assert str(path) in err
    assert len(err.strip().splitlines()) == len(bad)
    assert "Traceback" not in err


def test_validate_reports_every_problem_of_one_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    scenario = tmp_path / "two_problems.yaml"
    scenario.write_text(
        f"extends: {BASELINE}\n"
        "simulation: {replications: 0}\n"
        "housing: {tiers: {temporary: {capacity: -1}}}\n",
        encoding="utf-8",
    )
    assert _exit_status(["validate", str(scenario)]) == 2
    err = capsys.readouterr().err
    assert f"{scenario}:2: simulation.replications: must be at least 1 (got 0)" in err
    assert f"{scenario}:3: housing.tiers.temporary.capacity: must be at least 0 (got -1)" in err


def test_a_flood_of_problems_is_cut_short(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    tiers = "".join(f"    extra_{i}: {{capacity: -1, support: 1}}\n" for i in range(30))
    scenario = tmp_path / "thirty_problems.yaml"
    scenario.write_text(f"extends: {BASELINE}\nhousing:\n  tiers:\n{tiers}", encoding="utf-8")
    assert _exit_status(["validate", str(scenario)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == MAX_PROBLEMS + 1
    assert lines[-1] == f"{scenario}: … and {30 - MAX_PROBLEMS} more problems"


def test_validate_names_a_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    assert _exit_status(["validate", str(missing)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip() == f"forlopsim: {missing}: file not found"


def test_python_tags_are_never_run(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    scenario = tmp_path / "tag.yaml"
    scenario.write_text(
        f"extends: {BASELINE}\nname: !!python/object/apply:os.system ['touch {marker}']\n",
        encoding="utf-8",
    )
    assert _exit_status(["validate", str(scenario)]) == 2
    assert "is not allowed" in capsys.readouterr().err
    assert not marker.exists()


def test_a_new_distribution_kind_replaces_the_base_distribution(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Changing ``kind`` in a what-if leaves none of the old kind's parameters behind."""
    scenario = tmp_path / "exponential_handover.yaml"
    scenario.write_text(
        f"extends: {BASELINE}\nservices:\n  handover_delay: {{kind: exponential, mean: 14}}\n",
        encoding="utf-8",
    )
    assert _exit_status(["validate", str(scenario)]) == 0, capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "path", "fragment"),
    [
        ("yaml_syntax.yaml", None, "expected ',' or '}'"),
        ("unknown_nested_key.yaml", "housing.tiers.temporary.capacty", "did you mean 'capacity'"),
        ("extends_invalid_base.yaml", "institutions.detox.beds", "at least 0"),
    ],
)
def test_no_traceback_reaches_the_terminal(name: str, path: str | None, fragment: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "forlopsim", "validate", str(BAD / name)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    fault = BAD / ("base_negative_beds.yaml" if name == "extends_invalid_base.yaml" else name)
    _assert_short_error(result.stderr, fault, path, fragment)


@pytest.mark.parametrize(
    ("name", "path", "fragment"),
    [
        ("negative_capacity.yaml", "housing.tiers.staffed_24h.capacity", "at least 0"),
        ("yaml_syntax.yaml", None, "expected ',' or '}'"),
        ("route_missing_team.yaml", "services.routing.2.team", "no team"),
    ],
)
def test_run_rejects_bad_input_and_writes_nothing(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    name: str,
    path: str | None,
    fragment: str,
) -> None:
    out_dir = tmp_path / "out"
    status = _exit_status(["run", str(BAD / name), "--out", str(out_dir)])
    err = capsys.readouterr().err
    assert status == 2, err
    _assert_short_error(err, BAD / name, path, fragment)
    assert not out_dir.exists()
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_key_holding_a_block_is_reported_at_its_own_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The block under the key starts a line later; the problem is the key's line."""
    scenario = tmp_path / "block_key.yaml"
    scenario.write_text(
        f"extends: {BASELINE}\n"
        "housing:\n"
        "  tiers:\n"
        "    temporary:\n"
        "      eligibilty:\n"  # line 5
        "        need: [1, 2]\n",
        encoding="utf-8",
    )
    assert _exit_status(["validate", str(scenario)]) == 2
    err = capsys.readouterr().err
    assert f"{scenario}:5: housing.tiers.temporary.eligibilty: unknown key" in err, err


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        (
            "housing:\n  tiers:\n    housing_frist:\n      capacity: 30\n",
            "housing.tiers.housing_frist",
            "unknown tier 'housing_frist' — did you mean 'housing_first'? "
            "(a new tier would need support)",
        ),
        (
            "crisis_beds:\n  womens_crisis_center:\n    beds: 8\n",
            "crisis_beds.womens_crisis_center",
            "unknown crisis bed 'womens_crisis_center' — did you mean 'womens_crisis_centre'? "
            "(a new crisis bed would need length_of_stay)",
        ),
    ],
)
def test_a_misspelt_name_in_a_whatif_gets_a_did_you_mean(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, path: str, message: str
) -> None:
    """A misspelt tier is a new tier lacking its required fields: say so, not "missing"."""
    scenario = tmp_path / "misspelt.yaml"
    scenario.write_text(f"extends: {BASELINE}\n{text}", encoding="utf-8")
    line = 1 + path.count(".") + 1  # the misspelt key's own line
    assert _exit_status(["validate", str(scenario)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip().splitlines() == [f"forlopsim: {scenario}:{line}: {path}: {message}"]


def test_validate_warns_of_new_beds_with_no_one_off_cost(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The youth shelter's 4 new beds cost nothing once: valid, but said (issue 14, point 6)."""
    whatif = ROOT / "scenarios" / "youth_shelter.yaml"
    assert _exit_status(["validate", str(whatif)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"{whatif}: ok")
    assert err.strip().splitlines() == [
        f"forlopsim: warning: {whatif}:18: crisis_beds.youth_shelter.new_place_cost: 4 new beds "
        "(beyond existing_places 0) with a one-off cost of 0; set new_place_cost if opening "
        "them costs anything"
    ]


def test_validate_warns_of_places_added_in_a_whatif_without_existing_places(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A user's "+10 Housing First": the 10 are new, but no one-off cost counts them."""
    scenario = tmp_path / "housing_first_plus_10.yaml"
    scenario.write_text(
        f"extends: {BASELINE}\nhousing:\n  tiers:\n    housing_first:\n      capacity: 50\n",
        encoding="utf-8",
    )
    assert _exit_status(["validate", str(scenario)]) == 0
    err = capsys.readouterr().err
    assert err.startswith(f"forlopsim: warning: {scenario}:4: housing.tiers.housing_first: ")
    assert "10 places more than the base file's 40, but no existing_places" in err


def test_new_places_with_a_one_off_cost_need_no_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _exit_status(["validate", str(ROOT / "scenarios" / "missing_middle.yaml")]) == 0
    assert capsys.readouterr().err == ""


def test_validate_warns_of_parts_with_no_display_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A new place with no label, and a what-if with its base's label, are warned of."""
    scenario = tmp_path / "unlabelled.yaml"
    scenario.write_text(
        f"extends: {ROOT / 'scenarios' / 'youth_shelter.yaml'}\nname: Mine\nlabel: null\n"
        "institutions:\n  night_clinic:\n    beds: 2\n"
        "    length_of_stay: {kind: gamma, mean: 5, sd: 3}\n",
        encoding="utf-8",
    )
    assert _exit_status(["validate", str(scenario)]) == 0
    _, err = capsys.readouterr()
    assert (
        f"forlopsim: warning: {scenario}: institutions.night_clinic.label: no display name "
        "(label: {nb: …, en: …}); the report shows 'night_clinic'"
    ) in err.splitlines()
    assert f"forlopsim: warning: {scenario}: label: no display name" in err
    inherited = tmp_path / "inherited.yaml"
    inherited.write_text(
        f"extends: {ROOT / 'scenarios' / 'youth_shelter.yaml'}\nname: Mine too\n", encoding="utf-8"
    )
    assert _exit_status(["validate", str(inherited)]) == 0
    _, err = capsys.readouterr()
    assert "label: the base's label, inherited" in err
    assert "night_clinic" not in err and ".label:" not in err  # every place of the base is named
