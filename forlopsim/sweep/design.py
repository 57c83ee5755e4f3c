"""The points of a sweep, as a table with one row per point and one column per parameter.

A full grid, a Latin hypercube (scipy.stats.qmc) or Saltelli's Sobol sample (SALib).

An integer parameter with bounds [a, b] is sampled on [a, b + 1) and rounded down, so that every
whole number from a to b is equally likely; the Sobol indices are then those of the model as a
function of the sampled (continuous) inputs, which is what SALib's estimators assume.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
from SALib.sample import sobol as saltelli
from scipy.stats import qmc

from forlopsim.sweep.spec import Design, Parameter, Sweep

POINT = "point"
"""Column of the point number (0, 1, …, in design order: Saltelli's order for ``sobol``)."""


def design_table(sweep: Sweep) -> pd.DataFrame:
    """One row per point (index ``point``), one column per parameter (its dotted path)."""
    design, parameters = sweep.spec.design, sweep.spec.parameters
    if design.kind == "grid":
        axes = [grid_levels(p, design) for p in parameters.values()]
        rows: list[tuple[Any, ...]] = list(itertools.product(*axes))
        table = pd.DataFrame(rows, columns=list(parameters))
    else:
        unit = _lhs(len(parameters), design) if design.kind == "lhs" else None
        table = _scaled(parameters, design, unit)
    table.index.name = POINT
    return table


def salib_problem(sweep: Sweep) -> dict[str, Any]:
    """The ``problem`` dictionary SALib's sampler and analysers take.

    Integer bounds are widened by one, as they are sampled.
    """
    parameters = sweep.spec.parameters
    return {
        "num_vars": len(parameters),
        "names": list(parameters),
        "bounds": [_sampled_bounds(p) for p in parameters.values()],
    }


def grid_levels(parameter: Parameter, design: Design) -> list[Any]:
    """The values a grid takes for one parameter.

    Its levels, or ``design.levels`` evenly spaced values within its bounds (distinct whole
    numbers for an integer parameter).
    """
    if parameter.levels is not None:
        return [int(v) if parameter.integer else v for v in parameter.levels]
    low, high = parameter.bounds or (0.0, 0.0)
    values = np.linspace(low, high, design.levels or 2)
    if parameter.integer:
        return list(dict.fromkeys(values.round().astype(int).tolist()))
    return [float(v) for v in values]


def _lhs(dimensions: int, design: Design) -> np.ndarray:
    sampler = qmc.LatinHypercube(d=dimensions, seed=np.random.default_rng(design.seed))
    return sampler.random(design.samples or 1)


def _scaled(
    parameters: dict[str, Parameter], design: Design, unit: np.ndarray | None
) -> pd.DataFrame:
    bounds = [_sampled_bounds(p) for p in parameters.values()]
    if unit is None:  # sobol: SALib scales to the bounds itself
        problem = {"num_vars": len(parameters), "names": list(parameters), "bounds": bounds}
        values = saltelli.sample(
            problem,
            design.samples or 1,
            calc_second_order=design.second_order,
            seed=design.seed,
        )
    else:
        low, high = np.array(bounds).T
        values = qmc.scale(unit, low, high)
    columns = {}
    for j, (name, p) in enumerate(parameters.items()):
        column = values[:, j]
        if p.integer:
            high = int((p.bounds or (0, 0))[1])
            columns[name] = np.minimum(np.floor(column), high).astype(np.int64)
        else:
            columns[name] = column.astype(float)
    return pd.DataFrame(columns)


def _sampled_bounds(parameter: Parameter) -> list[float]:
    low, high = parameter.bounds or (0.0, 0.0)
    return [float(low), float(high) + 1.0] if parameter.integer else [float(low), float(high)]
