"""One M/M/c queue three ways: a forlopsim scenario, hand-written SimPy, and Ciw (not a test).

λ = 9 a day, μ = 1 a day, c = 10 servers, 20,000 days (``bench/scenarios/mmc.yaml``). Each way
reports customers per second of wall time (customers who *arrived* over the whole horizon,
divided by the time to simulate them) and the mean wait in queue of the customers who arrived
in ``[warm-up, horizon − tail]``, beside the Erlang C value ``Wq = C(c, a) / (cμ − λ)``.
The tail leaves time for each of those customers to be served (P(wait > 100 days) ≈ e^−100).

Run alone with ``python bench/bench_mmc.py``; ``bench/run_all.py`` runs it with the rest.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ciw
import numpy as np
import simpy

from forlopsim.engine import run_replication
from forlopsim.engine.streams import replication_seeds
from forlopsim.scenario import Scenario, load_scenario

SCENARIO = Path(__file__).resolve().parent / "scenarios" / "mmc.yaml"
TAIL_DAYS = 100.0  # not a domain number: time left after the last counted arrival
QUEUE = "flat"  # the one allocatable tier of mmc.yaml


def erlang_c(servers: int, load: float) -> float:
    """Probability of waiting in M/M/c with offered load ``a = λ/μ`` (Erlang B recursion)."""
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return servers * b / (servers - load * (1 - b))


def queue_parameters(scenario: Scenario) -> dict[str, float]:
    """λ, μ, c, horizon and warm-up as ``mmc.yaml`` states them (per day)."""
    days_per_year = 365.25
    (stream,) = scenario.referrals.streams.values()
    return {
        "arrival_rate": stream.annual_rate / days_per_year,
        "service_rate": scenario.hazards.own_housing.per_year[1] / days_per_year,
        "servers": scenario.housing.tiers[QUEUE].capacity,
        "horizon": scenario.simulation.horizon_days,
        "warmup": scenario.simulation.warmup_days,
    }


def theory(p: dict[str, float]) -> float:
    """Erlang C mean wait in queue, ``C(c, a) / (cμ − λ)``."""
    load = p["arrival_rate"] / p["service_rate"]
    return erlang_c(p["servers"], load) / (p["servers"] * p["service_rate"] - p["arrival_rate"])


def mean_wait(arrivals: np.ndarray, waits: np.ndarray, p: dict[str, float]) -> float:
    """Mean wait of the customers who arrived in ``[warm-up, horizon − tail]``."""
    inside = (arrivals >= p["warmup"]) & (arrivals <= p["horizon"] - TAIL_DAYS)
    return float(waits[inside].mean())


def with_forlopsim(scenario: Scenario, p: dict[str, float]) -> dict[str, Any]:
    """The scenario through ``run_replication`` (simulation and building its record tables)."""
    seed = replication_seeds(scenario.simulation.seed, 1)[0]
    start = time.perf_counter()
    records = run_replication(scenario, seed)
    seconds = time.perf_counter() - start
    events = records.events
    starts = events[(events["kind"] == "wait_start") & (events["place"] == QUEUE)]
    ends = events[(events["kind"] == "wait_end") & (events["place"] == QUEUE)]
    ended = ends.set_index("resident")["time"].reindex(starts["resident"]).to_numpy()
    arrivals = starts["time"].to_numpy()
    customers = int((events["kind"] == "referral").sum())
    return result(customers, seconds, mean_wait(arrivals, ended - arrivals, p))


def with_simpy(p: dict[str, float], seed: int) -> dict[str, Any]:
    """The textbook SimPy model: a source process, one process per customer, a Resource."""
    rng = random.Random(seed)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=int(p["servers"]))
    arrivals: list[float] = []
    waits: list[float] = []

    def customer(arrived: float):
        with servers.request() as request:
            yield request
            arrivals.append(arrived)
            waits.append(env.now - arrived)
            yield env.timeout(rng.expovariate(p["service_rate"]))

    def source():
        while True:
            yield env.timeout(rng.expovariate(p["arrival_rate"]))
            count[0] += 1
            env.process(customer(env.now))

    count = [0]
    env.process(source())
    start = time.perf_counter()
    env.run(until=p["horizon"])
    seconds = time.perf_counter() - start
    wait = mean_wait(np.array(arrivals), np.array(waits), p)
    return result(count[0], seconds, wait)


def with_ciw(p: dict[str, float], seed: int) -> dict[str, Any]:
    """Ciw's one-node network; ``get_all_records`` is timed too (it builds Ciw's records)."""
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=p["arrival_rate"])],
        service_distributions=[ciw.dists.Exponential(rate=p["service_rate"])],
        number_of_servers=[int(p["servers"])],
    )
    ciw.seed(seed)
    start = time.perf_counter()
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(p["horizon"])
    records = simulation.get_all_records()
    seconds = time.perf_counter() - start
    customers = len(simulation.get_all_individuals())
    arrivals = np.array([r.arrival_date for r in records])
    waits = np.array([r.waiting_time for r in records])
    return result(customers, seconds, mean_wait(arrivals, waits, p))


def result(customers: int, seconds: float, wait: float) -> dict[str, Any]:
    """One way's figures."""
    return {
        "customers": customers,
        "seconds": seconds,
        "customers_per_second": customers / seconds,
        "mean_wait": wait,
    }


def bench_mmc(repeats: int = 1) -> dict[str, Any]:
    """Every way, best of ``repeats`` by wall time, with the Erlang C mean wait."""
    scenario = load_scenario(SCENARIO)
    p = queue_parameters(scenario)
    seed = scenario.simulation.seed
    ways: dict[str, Callable[[], dict[str, Any]]] = {
        "forlopsim": lambda: with_forlopsim(scenario, p),
        "simpy": lambda: with_simpy(p, seed),
        "ciw": lambda: with_ciw(p, seed),
    }
    out: dict[str, Any] = {"parameters": p, "erlang_c_wait": theory(p), "ways": {}}
    for name, run in ways.items():
        runs = [run() for _ in range(repeats)]
        out["ways"][name] = min(runs, key=lambda r: r["seconds"]) | {"repeats": len(runs)}
    return out


def main() -> int:
    result = bench_mmc()
    print(f"Erlang C mean wait: {result['erlang_c_wait']:.4f} days")
    for name, way in result["ways"].items():
        print(
            f"{name:10} {way['customers']:>9,} customers {way['seconds']:7.2f} s "
            f"{way['customers_per_second']:>10,.0f}/s  mean wait {way['mean_wait']:.4f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
