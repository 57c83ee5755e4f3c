"""How well common random numbers pair the base with each what-if (not a test).

For the calibrated baseline against the five what-ifs of ``scenarios/``, run with the same
seeds, it reports per headline KPI: the correlation of paired replications, the half-width of
the paired difference's 95% interval, and that of the unpaired (Welch) difference, which is
what the same replications would give without common random numbers. Run it from the
repository root, once per checkout to compare random-number layouts::

    python bench/bench_crn.py --replications 10 --json /tmp/crn_after.json
    PYTHONPATH=../old-checkout python bench/bench_crn.py --json /tmp/crn_before.json
    python bench/bench_crn.py --show /tmp/crn_before.json /tmp/crn_after.json

It uses only the public comparison API, so any checkout can be measured with it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from forlopsim.comparison import compare_scenarios
from forlopsim.scenario import load_scenario

REPO = Path(__file__).resolve().parent.parent
BASE = "trondheim_calibrated.yaml"
WHATIFS = (
    "missing_middle.yaml",
    "crisis_beds.yaml",
    "self_referral_beds.yaml",
    "evening_staffing.yaml",
    "youth_shelter.yaml",
)
KPIS = (
    "homeless_mean",
    "homeless_days_per_resident_year",
    "wait_days.tier.staffed_24h",
    "return_to_homelessness_12m",
    "readmission_90d",
    "per_year.deaths",
    "residents_in_services",
    "cost_per_year.total",
)
"""The headline KPIs measured."""


def pairing(base: np.ndarray, whatif: np.ndarray) -> dict[str, float]:
    """Correlation and the paired and unpaired 95% half-widths of ``whatif - base``."""
    keep = ~(np.isnan(base) | np.isnan(whatif))
    b, w = base[keep], whatif[keep]
    n = len(b)
    if n < 3:
        return {"n": n, "correlation": math.nan, "paired": math.nan, "unpaired": math.nan}
    t = float(stats.t.ppf(0.975, n - 1))
    paired = t * float(np.std(w - b, ddof=1)) / math.sqrt(n)
    unpaired = t * math.sqrt((np.var(b, ddof=1) + np.var(w, ddof=1)) / n)
    constant = np.std(b) == 0 or np.std(w) == 0
    correlation = math.nan if constant else float(np.corrcoef(b, w)[0, 1])
    return {"n": n, "correlation": correlation, "paired": paired, "unpaired": unpaired}


def measure(replications: int, jobs: int, seed: int | None) -> dict[str, Any]:
    """Run the comparison and measure every what-if × KPI pair."""
    base = load_scenario(REPO / "scenarios" / BASE)
    whatifs = [load_scenario(REPO / "scenarios" / name) for name in WHATIFS]
    start = time.perf_counter()
    comparison = compare_scenarios(base, whatifs, replications, seed, jobs)
    seconds = time.perf_counter() - start
    tables = comparison.tables
    pairs: dict[str, dict[str, Any]] = {}
    for label in comparison.whatifs:
        pairs[label] = {
            kpi: pairing(tables[comparison.base][kpi].to_numpy(), tables[label][kpi].to_numpy())
            for kpi in KPIS
            if kpi in tables[label]
        }
    import forlopsim

    return {
        "forlopsim": str(Path(forlopsim.__file__).parent),
        "replications": replications,
        "seconds": seconds,
        "pairs": pairs,
    }


def show(before: dict[str, Any], after: dict[str, Any]) -> str:
    """A Markdown table of the two measurements side by side."""
    lines = [
        "| what-if | KPI | correlation before → after | paired half-width before → after "
        "| unpaired half-width (after) |",
        "|---|---|---:|---:|---:|",
    ]
    for label, kpis in after["pairs"].items():
        for kpi, a in kpis.items():
            b = before["pairs"].get(label, {}).get(kpi)
            if b is None:
                continue
            lines.append(
                f"| {label} | `{kpi}` | {b['correlation']:.2f} → {a['correlation']:.2f} "
                f"| {b['paired']:.4g} → {a['paired']:.4g} | {a['unpaired']:.4g} |"
            )
    correlations = [
        (b["correlation"], a["correlation"])
        for label, kpis in after["pairs"].items()
        for kpi, a in kpis.items()
        if (b := before["pairs"].get(label, {}).get(kpi)) is not None
    ]
    ratios = [
        a["paired"] / b["paired"]
        for label, kpis in after["pairs"].items()
        for kpi, a in kpis.items()
        if (b := before["pairs"].get(label, {}).get(kpi)) is not None and b["paired"] > 0
    ]
    before_c = np.nanmedian([c[0] for c in correlations])
    after_c = np.nanmedian([c[1] for c in correlations])
    lines.append("")
    lines.append(
        f"Median correlation {before_c:.2f} → {after_c:.2f}; median ratio of paired half-widths "
        f"(after / before) {np.nanmedian(ratios):.2f} over {len(ratios)} pairs; "
        f"comparison wall time {before['seconds']:.0f} s → {after['seconds']:.0f} s."
    )
    return "\n".join(lines)


def main() -> int:
    """Measure, or show two saved measurements side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--json", type=Path, help="write the measurement here")
    parser.add_argument("--show", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.show:
        before, after = (json.loads(path.read_text()) for path in args.show)
        print(show(before, after))
        return 0
    result = measure(args.replications, args.jobs, args.seed)
    text = json.dumps(result, indent=2)
    if args.json:
        args.json.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
