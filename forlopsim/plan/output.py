"""Writing a plan's results: the recommended scenario and the summary (JSON and Markdown)."""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from typing import Any

import yaml

from forlopsim import __version__
from forlopsim.output import atomic_file
from forlopsim.plan.confirm import Confirmed, plan_name
from forlopsim.plan.front import front_markdown, front_table, write_front
from forlopsim.plan.search import Entry, capacity_value
from forlopsim.plan.spec import PlanSpec
from forlopsim.scenario import Scenario
from forlopsim.text import plural


def recommended_yaml(
    spec: PlanSpec, base: Scenario, base_path: Path, out: Path, confirmed: Confirmed
) -> str:
    """The recommended plan as a what-if of ``base_path``, to be written at ``out``."""
    values = confirmed.best["values"]
    tree: dict[Any, Any] = {}
    for name, variable in spec.variables.items():
        *parents, leaf = variable.path.split(".")
        node = tree
        for key in parents:
            node = node.setdefault(int(key) if key.isdigit() else key, {})
        node[leaf] = capacity_value(base, variable, values[name])
    header = [
        f"# {base.name}, recommended plan: written by `forlopsim plan` (forlopsim {__version__})",
        f"# on {datetime.date.today().isoformat()}. It extends the base and sets only the planned",
        f"# capacities ({plan_name(values)}); objective {spec.objective}.",
        "",
    ]
    document = {
        "extends": os.path.relpath(base_path.resolve(), out.resolve().parent),
        "name": f"{base.name} (plan {plan_name(values)})",
        "description": f"{base.description.strip()} Capacities recommended by forlopsim plan.",
        **tree,
    }
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(header) + body


def plan_markdown(spec: PlanSpec, entries: list[Entry], confirmed: Confirmed) -> str:
    """The confirmed plans and the verdicts, as Markdown."""
    if confirmed.method == "kim_nelson":
        rerun = (
            f"the best {len(confirmed.plans)} confirmed by Kim–Nelson's sequential procedure "
            f"(first stage {plural(spec.confirm.replications, 'replication')}; each plan's count "
            "below; common random numbers)."
        )
    else:
        rerun = (
            f"the best {len(confirmed.plans)} rerun with "
            f"{plural(spec.confirm.replications, 'replication')} (common random numbers)."
        )
    lines = [
        f"# Plan: minimise `{spec.objective}`",
        "",
        f"{plural(len(entries), 'evaluation')} with {plural(spec.replications, 'replication')} "
        f"each; {rerun}",
        "",
        "| plan | objective | replications | meets constraints |",
        "|---|---|---:|---|",
    ]
    for p in confirmed.plans:
        ok = "yes" if p["feasible"] else "no"
        count = p.get("replications", spec.confirm.replications)
        lines.append(f"| {plan_name(p['values'])} | {p['objective']:.4g} | {count} | {ok} |")
    lines.append("")
    best = confirmed.best["values"]
    lines += [f"- {c.sentence(best)}" for c in confirmed.comparisons]
    lines += [f"- {line.strip()}" for line in confirmed.account]
    table = front_table(spec, entries, best)
    lines += ["", *front_markdown(spec, table)] if not table.empty else []
    return "\n".join(lines) + "\n"


def write_plan(folder: Path, spec: PlanSpec, entries: list[Entry], confirmed: Confirmed) -> None:
    """``plan.json``, ``plan.md`` and the front (``front.csv``, ``front.png``), each atomically."""
    best = confirmed.best["values"]
    summary = {
        "forlopsim": __version__,
        "recommended": best,
        "confirmed": confirmed.plans,
        "comparisons": [
            {**vars(c), "told_apart": c.told_apart, "sentence": c.sentence(best)}
            for c in confirmed.comparisons
        ],
        "evaluations": len(entries),
    }
    with atomic_file(folder / "plan.json") as tmp:
        tmp.write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str))
    with atomic_file(folder / "plan.md") as tmp:
        tmp.write_text(plan_markdown(spec, entries, confirmed))
    write_front(folder, spec, front_table(spec, entries, best))
