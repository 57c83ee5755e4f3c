"""Twin experiment: calibration recovers parameters that are known.

Targets are simulated from a scenario whose parameters we set (the "twin"), the parameters are
then moved away, and ``calibrate`` must bring them back. The scenario is the M/M/c housing queue
of ``scenario_builders.flat_queue_scenario`` (fast, and each target depends on the parameters in
a known way: referrals per year on the arrival rate, mean occupancy on arrivals × stay), so the
test runs in seconds; the full calibration of the baseline runs outside the suite
(``calibration/README.md``).
"""

from __future__ import annotations

import pytest
from scenario_builders import build, flat_queue_scenario

from forlopsim.backends import LocalBackend
from forlopsim.calibration import Parameter, Target, calibrate
from forlopsim.calibration.fit import Evaluator
from forlopsim.engine.streams import replication_seeds

ARRIVALS_PER_DAY = 0.5
LEAVING_PER_DAY = 0.06  # mean stay 16.7 days; load 8.3 on 10 places
TRUTH_SEED, FIT_SEED = 11, 12  # the targets and the fit use different random numbers
RECOVERY = 0.10
"""Stated tolerance: each recovered parameter within 10% of the value that made the targets."""


def twin(arrivals_per_day: float, leaving_per_day: float):
    return build(
        flat_queue_scenario(
            places=10,
            arrivals_per_day=arrivals_per_day,
            service_per_day=leaving_per_day,
            horizon_days=3000.0,
            warmup_days=100.0,
        )
    )


PARAMETERS = {
    "arrivals": Parameter(
        path="referrals.streams.street.annual_rate",
        bounds=(60.0, 400.0),
        source="assumption: test",
    ),
    "leaving": Parameter(
        path="hazards.own_housing.per_year", scale=(0.3, 3.0), source="assumption: test"
    ),
}


def targets_from(scenario, replications: int = 6) -> dict[str, Target]:
    """Targets as a published figure would give them: a value and a tolerance of 3%."""
    with Evaluator(LocalBackend(1)) as evaluator:
        table = evaluator.kpis(scenario, replication_seeds(TRUTH_SEED, replications))
    return {
        name: Target(
            kpi=kpi,
            observed=float(table[kpi].mean()),
            tolerance=0.03 * float(table[kpi].mean()),
            source="assumption: twin",
        )
        for name, kpi in (("referrals", "per_year.referrals"), ("occupancy", "occupancy.tier.flat"))
    }


def test_calibration_recovers_known_parameters() -> None:
    true_rate = ARRIVALS_PER_DAY * 365.25
    targets = targets_from(twin(ARRIVALS_PER_DAY, LEAVING_PER_DAY))
    # move both away: 40% more arrivals, stays 1.6 times shorter
    moved = twin(ARRIVALS_PER_DAY * 1.4, LEAVING_PER_DAY * 1.6)
    result = calibrate(
        moved,
        targets,
        PARAMETERS,
        replications=2,
        max_evaluations=40,
        check_replications=4,
        seed=FIT_SEED,
    )
    fitted_rate = result.best["arrivals"]
    fitted_leaving = LEAVING_PER_DAY * 1.6 * result.best["leaving"]
    assert fitted_rate == pytest.approx(true_rate, rel=RECOVERY)
    assert fitted_leaving == pytest.approx(LEAVING_PER_DAY, rel=RECOVERY)
    # the fit improves on the moved start and lands within the targets' tolerance
    assert result.distance_after < result.distance_before / 10
    assert result.fit_table()["within"].all()
