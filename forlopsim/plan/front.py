"""The trade-off of a plan: every evaluated plan's cost against its effect, and the front.

The cost is the plan's first running budget (the worst year's running cost of that payer, a
mean over replications), or the objective when it is itself a cost (``cost…``); the effect is
the objective, or — when the objective is a cost — the first constraint's KPI. Both are minimised: a plan is on the front when no other evaluated
plan is as cheap and as effective and better in one of the two (Pareto). Infeasible plans are
drawn but never on the front: a planner may not choose them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from forlopsim.output import atomic_file
from forlopsim.plan.search import Entry
from forlopsim.plan.spec import PlanSpec


def non_dominated(points: Sequence[tuple[float, float]]) -> list[bool]:
    """For each (cost, effect), whether no other point dominates it (both minimised).

    A point with an undefined coordinate is never on the front; equal points are both on it.
    """
    on = []
    for i, (c, e) in enumerate(points):
        if not (math.isfinite(c) and math.isfinite(e)):
            on.append(False)
            continue
        dominated = any(
            j != i and c2 <= c and e2 <= e and (c2 < c or e2 < e)
            for j, (c2, e2) in enumerate(points)
            if math.isfinite(c2) and math.isfinite(e2)
        )
        on.append(not dominated)
    return on


OBJECTIVE = "objective"
"""An axis that is the plan's objective (its mean in each evaluation)."""


def axes(spec: PlanSpec) -> tuple[str, str] | None:
    """The (cost, effect) of a plan's evaluations, or None when there is no pair to draw.

    Each is :data:`OBJECTIVE` or a key of an evaluation's ``means``.
    """
    budgets = [f"budget.running_per_year.{payer}" for payer in spec.budget.running_per_year]
    is_cost = spec.objective.startswith("cost")
    if is_cost and spec.constraints:
        return (budgets[0] if budgets else OBJECTIVE), "constraint.0"
    if budgets and not is_cost:
        return budgets[0], OBJECTIVE
    return None


def cost_label(spec: PlanSpec) -> str:
    """What the cost axis is, for a reader."""
    if spec.budget.running_per_year:
        payer = next(iter(spec.budget.running_per_year))
        return f"running cost per year, worst year, {payer} (million NOK)"
    return f"{spec.objective} (million NOK)"


def _value(entry: Entry, key: str) -> float:
    return float(entry["objective"] if key == OBJECTIVE else entry["means"][key])


def front_table(spec: PlanSpec, entries: list[Entry], recommended: dict[str, int]) -> pd.DataFrame:
    """One row per distinct evaluated plan: cost, effect, feasible, on the front, recommended."""
    chosen = axes(spec)
    if chosen is None:
        return pd.DataFrame()
    cost, effect = chosen
    rows, seen = [], []
    for entry in entries:
        if entry["values"] in seen:
            continue
        seen.append(entry["values"])
        rows.append(
            {
                **entry["values"],
                "cost": _value(entry, cost),
                "effect": _value(entry, effect),
                "feasible": bool(entry["feasible"]),
                "recommended": entry["values"] == recommended,
            }
        )
    table = pd.DataFrame(rows)
    feasible = table["feasible"].to_numpy()
    points = [
        (c, e) if ok else (math.nan, math.nan)
        for c, e, ok in zip(table["cost"], table["effect"], feasible, strict=True)
    ]
    table["on_front"] = non_dominated(points)
    return table.sort_values(["cost", "effect"], kind="stable").reset_index(drop=True)


def effect_label(spec: PlanSpec) -> str:
    """The effect axis' KPI name, as the plan file gives it."""
    chosen = axes(spec)
    if chosen is None or chosen[1] == OBJECTIVE:
        return spec.objective
    return spec.constraints[0].kpi


def write_front(folder: Path, spec: PlanSpec, table: pd.DataFrame) -> None:
    """``front.csv`` and ``front.png`` (every plan a dot, the front a line, the choice ringed)."""
    if table.empty:
        return
    csv = table.rename(columns={"cost": "cost_nok", "effect": effect_label(spec)})
    with atomic_file(folder / "front.csv") as tmp:
        csv.to_csv(tmp, index=False)
    from forlopsim.report.charts import plt  # Agg, set once by the report's charts

    figure, axis = plt.subplots(figsize=(6.4, 4.2))
    try:
        millions = table["cost"] / 1e6
        out = ~table["feasible"]
        axis.scatter(millions[out], table["effect"][out], color="0.75", label="over a limit")
        axis.scatter(millions[~out], table["effect"][~out], color="tab:blue", label="feasible")
        front = table[table["on_front"]]
        axis.plot(front["cost"] / 1e6, front["effect"], color="tab:blue", linewidth=1)
        best = table[table["recommended"]]
        axis.scatter(
            best["cost"] / 1e6, best["effect"], s=160, facecolors="none", edgecolors="tab:red",
            label="recommended",
        )  # fmt: skip
        names = list(spec.variables)
        for _, row in table.iterrows():
            text = ", ".join(f"{n}={int(row[n])}" for n in names)
            axis.annotate(
                text, (row["cost"] / 1e6, row["effect"]), xytext=(4, 4),
                textcoords="offset points", fontsize=7, color="0.3",
            )  # fmt: skip
        axis.set_xlabel(cost_label(spec))
        axis.set_ylabel(effect_label(spec))
        axis.legend(frameon=False)
        axis.grid(alpha=0.3)
        figure.tight_layout()
        with atomic_file(folder / "front.png") as tmp:
            figure.savefig(tmp, format="png", dpi=120)
    finally:
        plt.close(figure)


def front_markdown(spec: PlanSpec, table: pd.DataFrame) -> list[str]:
    """The front as a Markdown section (empty without a running budget to plot against)."""
    if table.empty:
        return []
    names = list(spec.variables)
    lines = [
        "## Cost and effect",
        "",
        f"Every evaluated plan's cost — {cost_label(spec)} — against `{effect_label(spec)}` "
        "(means over the search's replications): `front.csv`, `front.png`. On the front: no "
        "other feasible plan is as cheap and as good, and better in one.",
        "",
        f"| plan | cost (M NOK) | {effect_label(spec)} | feasible | on the front |",
        "|---|---:|---:|---|---|",
    ]
    for _, row in table.iterrows():
        plan = ", ".join(f"{n}={int(row[n])}" for n in names)
        mark = " (recommended)" if row["recommended"] else ""
        lines.append(
            f"| {plan}{mark} | {row['cost'] / 1e6:.1f} | {row['effect']:.4g} | "
            f"{'yes' if row['feasible'] else 'no'} | {'yes' if row['on_front'] else ''} |"
        )
    return [*lines, ""]
