"""``forlopsim plan`` (issue 15, points 3, 5 and 6): a known optimum, resume, bad specs."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from scenario_builders import erlang_b_scenario
from test_analytic import erlang_b

from forlopsim.cli import main
from forlopsim.plan.front import non_dominated
from forlopsim.scenario import load_scenario

ARRIVALS, STAY, COST = 1.0, 2.0, 100.0  # offered load a = 2 beds
TARGET = 0.06  # Erlang B: 4 beds turn away 9.5%, 5 beds 3.7%: the answer is 5


def write_base(folder: Path, horizon: float) -> Path:
    """One crisis bed kind with a cost per bed-day, as a scenario file."""
    data = erlang_b_scenario(
        population=5000,
        arrivals_per_day=ARRIVALS,
        beds=3,
        mean_stay=STAY,
        sd_stay=STAY,
        horizon_days=horizon,
        warmup_days=50.0,
    )
    data["crisis_beds"]["bed"]["cost_per_bed_day"] = COST
    path = folder / "base.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def write_spec(folder: Path, **changes: Any) -> Path:
    """The reverse question: the fewest beds turning away at most TARGET."""
    spec: dict[str, Any] = {
        "scenario": "base.yaml",
        "variables": {"beds": {"path": "crisis_beds.bed.beds", "bounds": [3, 7]}},
        "objective": "cost_per_year.total",
        "constraints": [{"kpi": "turn_away.bed", "max": TARGET}],
        "replications": 3,
        "confirm": {"best": 2, "replications": 3},
        "seed": 7,
    }
    spec.update(changes)
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def test_the_fewest_beds_meeting_a_turn_away_target_is_erlang_b_s(tmp_path: Path) -> None:
    write_base(tmp_path, horizon=600.0)
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    assert main(["plan", str(spec), "--out", str(out)]) == 0
    answer = min(c for c in range(3, 8) if erlang_b(c, ARRIVALS * STAY) <= TARGET)
    assert answer == 5
    summary = json.loads((out / "plan.json").read_text())
    assert summary["recommended"] == {"beds": answer}
    # the grid was small: every plan evaluated once, each on the same seeds
    entries = [json.loads(line) for line in (out / "evaluations.jsonl").read_text().splitlines()]
    assert sorted(e["values"]["beds"] for e in entries) == [3, 4, 5, 6, 7]
    feasible = {e["values"]["beds"]: e["feasible"] for e in entries}
    assert feasible == {3: False, 4: False, 5: True, 6: True, 7: True}
    # cost is deterministic under CRN: 6 beds cost more than 5 at every seed
    assert summary["comparisons"][0]["sentence"] == "plan beds=5 beats plan beds=6 (95%)"
    recommended = load_scenario(out / "recommended.yaml", trusted=[out, tmp_path])
    assert recommended.crisis_beds["bed"].beds == answer
    # the trade-off: cost (the objective) against turn-aways (the constraint); every feasible
    # plan is on the front, since each bed more costs more and turns away fewer
    front = pd.read_csv(out / "front.csv")
    assert dict(zip(front["beds"], front["on_front"], strict=True)) == {
        3: False, 4: False, 5: True, 6: True, 7: True
    }  # fmt: skip
    assert front["cost_nok"].is_monotonic_increasing
    assert front["turn_away.bed"].is_monotonic_decreasing
    assert front.loc[front["recommended"], "beds"].tolist() == [answer]
    assert (out / "front.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "## Cost and effect" in (out / "plan.md").read_text()


def test_the_front_by_hand() -> None:
    """Pareto front of (cost, effect), both minimised, against a hand-drawn set."""
    points = [(1, 9), (2, 5), (2, 6), (3, 5), (4, 1), (5, 1), (4, 1), (math.nan, 0)]
    #         front   front   behind  behind  front   behind  tie: front  undefined
    assert non_dominated(points) == [True, True, False, False, True, False, True, False]


def test_a_resumed_plan_ends_where_an_uninterrupted_one_ends(tmp_path: Path) -> None:
    write_base(tmp_path, horizon=100.0)
    # 12 plans > 5 evaluations: the seeded TPE sampler with constraints, not the grid
    variables = {"beds": {"path": "crisis_beds.bed.beds", "bounds": [1, 12]}}
    spec = write_spec(tmp_path, variables=variables, max_evaluations=5, replications=2)
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    assert main(["plan", str(spec), "--out", str(whole)]) == 0
    assert main(["plan", str(spec), "--out", str(parts), "--max-evaluations", "2"]) == 0
    assert len((parts / "evaluations.jsonl").read_text().splitlines()) == 2
    assert main(["plan", str(spec), "--out", str(parts)]) == 0
    assert (parts / "evaluations.jsonl").read_text() == (whole / "evaluations.jsonl").read_text()
    assert (
        json.loads((parts / "plan.json").read_text())["recommended"]
        == json.loads((whole / "plan.json").read_text())["recommended"]
    )


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"variables": {"beds": {"path": "crisis_beds.bed.beds", "bounds": [5, 2]}}}, "bounds"),
        ({"objective": "cost_per_yaer.total"}, "objective: no KPI 'cost_per_yaer.total'"),
        ({"replications": 1}, "replications"),
        ({"budjet": {}}, "unknown key 'budjet'"),
    ],
)
def test_a_bad_spec_exits_2_with_a_located_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict[str, Any], where: str
) -> None:
    write_base(tmp_path, horizon=100.0)
    spec = write_spec(tmp_path, **change)
    assert main(["plan", str(spec), "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert str(spec) in error and where in error, error
    assert not (tmp_path / "out").exists()


PLANS = Path(__file__).resolve().parent.parent / "plans"


@pytest.mark.parametrize(
    "path",
    [p for p in sorted(PLANS.glob("*.yaml")) if "variables" in yaml.safe_load(p.read_text())],
    ids=lambda p: p.name,
)
def test_every_committed_plan_and_its_base_load(path: Path) -> None:
    """The plans in ``plans/`` are valid specs; each base, and each variable's path, exists."""
    from forlopsim.plan.spec import load_plan

    spec = load_plan(path)
    base = load_scenario(path.parent / spec.scenario)
    for variable in spec.variables.values():
        base.with_changes({variable.path: variable.bounds[1]})  # a wrong path is an error here


@pytest.mark.parametrize(
    "folder", sorted(p.parent for p in PLANS.glob("results/*/plan.json")), ids=lambda p: p.name
)
def test_a_committed_plan_result_matches_its_recommended_scenario(folder: Path) -> None:
    """``recommended.yaml`` loads and holds the capacities ``plan.json`` recommends."""
    from forlopsim.plan.spec import load_plan

    summary = json.loads((folder / "plan.json").read_text())
    recommended = load_scenario(folder / "recommended.yaml")
    spec = load_plan(PLANS / f"{folder.name}.yaml")
    for name, value in summary["recommended"].items():
        node: Any = recommended
        for key in spec.variables[name].path.split("."):
            node = node[key] if isinstance(node, dict) else getattr(node, key)
        assert node == value, (name, node, value)
