"""Sobol indices through a sweep against a known answer, and the sensitivity command's files.

The crisis-bed queue of ``sweeps/crisis_bed_queue.yaml`` is an M/G/c/c loss system: its
turn-away share is Erlang B's B(c, λ·s) for c beds, λ = 2 crises a day and mean stay s. The
sweep estimates the Sobol indices of the simulated turn-away share; SALib gives those of the
formula on the same Saltelli sample. The two differ only through the simulation's noise (about
±0.01 in each point's share, against a spread of 0–0.8 over the design), so every first-order
and total index must agree within 0.05 (measured: within 0.01).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from SALib.analyze import sobol
from test_analytic import erlang_b

from forlopsim.cli import main
from forlopsim.sensitivity import sobol_chart, sobol_indices
from forlopsim.sweep import Store, design_table, load_spec, salib_problem

SPEC = Path(__file__).resolve().parents[1] / "sweeps" / "crisis_bed_queue.yaml"
ARRIVALS_PER_DAY = 2.0  # the model's crises: 1.461 a resident-year × 500 residents / 365.25
TOLERANCE = 0.05


@pytest.fixture(scope="module")
def sensitivity_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``forlopsim sensitivity`` on the example spec, once for this module."""
    out = tmp_path_factory.mktemp("sensitivity") / "out"
    assert main(["sensitivity", str(SPEC), "--out", str(out), "--jobs", "1"]) == 0
    return out


def test_sobol_indices_of_the_simulation_match_erlang_b(sensitivity_run: Path) -> None:
    sweep = load_spec(SPEC)
    design = design_table(sweep)
    results = Store(sensitivity_run, sweep, design).read()
    simulated, skipped = sobol_indices(sweep, results, ["turn_away.bed"])
    assert not skipped
    beds, stay = sweep.parameters
    load = ARRIVALS_PER_DAY * design[stay].to_numpy()
    theory_y = np.array([erlang_b(int(c), a) for c, a in zip(design[beds], load, strict=True)])
    theory = sobol.analyze(salib_problem(sweep), theory_y, calc_second_order=False, seed=0)
    for i, name in enumerate(sweep.parameters):
        row = simulated.set_index("parameter").loc[name]
        for index in ("S1", "ST"):
            assert abs(row[index] - theory[index][i]) <= TOLERANCE, (
                f"{index} of {name}: simulated {row[index]:.3f}, Erlang B {theory[index][i]:.3f}"
            )
    # not a vacuous agreement: both parameters matter, and both sets of indices say so
    assert (simulated["ST"] > 0.1).all() and (theory["ST"] > 0.1).all()


def test_sensitivity_writes_table_json_and_chart(sensitivity_run: Path) -> None:
    table = pd.read_csv(sensitivity_run / "sobol.csv")
    assert list(table.columns) == ["kpi", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert set(table["kpi"]) == {"turn_away.bed", "utilisation.crisis_bed.bed"}
    assert (table["S1_conf"] > 0).all() and (table["ST_conf"] > 0).all()
    document = json.loads((sensitivity_run / "sobol.json").read_text())
    assert document["samples"] == 16 and document["skipped"] == {}
    first = table.iloc[0]
    stored = document["indices"][first["kpi"]][first["parameter"]]
    assert stored["S1"] == pytest.approx(first["S1"])
    assert (sensitivity_run / "sobol.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_chart_has_title_labels_and_hatched_bars() -> None:
    table = pd.DataFrame(
        {
            "kpi": ["a", "a"],
            "parameter": ["x.y.beds", "x.y.stay"],
            "S1": [0.6, 0.3],
            "S1_conf": [0.1, 0.1],
            "ST": [0.7, 0.35],
            "ST_conf": [0.1, 0.1],
        }
    )
    figure = sobol_chart(table, "Title")
    ax = figure.axes[0]
    assert figure._suptitle.get_text() == "Title"
    assert ax.get_ylabel() and ax.get_xlabel() and ax.get_title() == "a"
    bars = ax.patches
    assert [round(b.get_height(), 2) for b in bars] == [0.6, 0.3, 0.7, 0.35]
    assert {b.get_hatch() for b in bars[2:]} != {b.get_hatch() for b in bars[:2]}


def test_sensitivity_needs_a_sobol_design(tmp_path: Path, capsys) -> None:
    spec = tmp_path / "grid.yaml"
    model = SPEC.parent / "models" / "crisis_bed_queue.yaml"
    spec.write_text(
        f"name: g\nscenario: {model}\nparameters:\n  crisis_beds.bed.beds: {{levels: [1, 2]}}\n"
        "design: {kind: grid}\n"
    )
    out = tmp_path / "out"
    assert main(["sensitivity", str(spec), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert str(spec) in error and "design.kind" in error and "sobol" in error
    assert not out.exists()
