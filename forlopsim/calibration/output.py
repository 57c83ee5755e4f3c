"""Writing a calibration's results: the calibrated scenario and the fit table.

The scenario is a YAML file that extends the base and sets only the fitted numbers, each with
its source; the fit table is written as CSV, Markdown and JSON.
"""

from __future__ import annotations

import datetime
import json
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from forlopsim import __version__
from forlopsim.calibration.fit import Calibration
from forlopsim.calibration.parameters import changes, current
from forlopsim.output import atomic_file
from forlopsim.scenario import Scenario
from forlopsim.text import plural

ROW_ID = re.compile(r"\b([PT]\d+)\b")


def calibrated_yaml(calibration: Calibration, base: Scenario, base_path: Path, out: Path) -> str:
    """The calibrated scenario as a what-if of ``base_path``, to be written at ``out``."""
    cited = sorted(
        {
            row
            for t in calibration.targets.values()
            if t.weight > 0
            for row in ROW_ID.findall(t.source)
        },
        key=lambda r: (r[0], int(r[1:])),
    )
    note = f"assumption calibrated to {', '.join(cited)} (calibration/README.md)"
    tree: dict[str, Any] = {}
    new = changes(base, calibration.parameters, calibration.best)
    for name, p in calibration.parameters.items():
        *parents, leaf = p.path.split(".")
        node = tree
        for key in parents:
            node = node.setdefault(_yaml_key(key), {})
        node[_yaml_key(leaf)] = new[p.path]
        was = _source_of(base, parents, leaf)
        how = (
            f"× {calibration.best[name]:g} the base's"
            if p.scale is not None
            else f"was {current(base, p.path)!r}"
        )
        text = f"{note}, {how}; base: {was}" if was else f"{note}, {how}"
        existing = node.get("source")
        if isinstance(_base_source(base, parents), str):
            node["source"] = f"{existing}; {leaf}: {text}" if isinstance(existing, str) else text
        else:
            node.setdefault("source", {})[leaf] = text
    distance = f"{calibration.distance_before:.3g} → {calibration.distance_after:.3g}"
    header = [
        f"# {base.name}, calibrated: written by `forlopsim calibrate` (forlopsim {__version__})",
        f"# on {datetime.date.today().isoformat()}. It extends the base and sets only the fitted",
        "# numbers. The fit table and how the fit was done: calibration/README.md.",
        f"# {plural(len(calibration.evaluations), 'point')} evaluated with "
        f"{plural(calibration.replications, 'replication')} each (seed {calibration.seed});",
        f"# distance to the targets over {plural(calibration.check_replications, 'replication')}: "
        f"{distance} (1 = one tolerance away).",
        "",
    ]
    extends = os.path.relpath(base_path.resolve(), out.resolve().parent)
    document = {
        "extends": extends,
        "name": f"{base.name} (calibrated)",
        "description": f"{base.description.strip()} Calibrated to published figures "
        f"({', '.join(cited)}); see calibration/README.md.",
        **_display_names(base, cited),
        **tree,
    }
    body = yaml.safe_dump(
        document, sort_keys=False, allow_unicode=True, default_flow_style=None, width=100
    )
    return "\n".join(header) + body


CALIBRATED_WORDS = {
    "nb": ("kalibrert", "Tilpasset publiserte tall"),
    "en": ("calibrated", "Calibrated to published figures"),
}
"""The words the calibrated scenario's display names add to the base's, by language."""


def _display_names(base: Scenario, cited: list[str]) -> dict[str, Any]:
    """The base's display name and description in each language, marked as calibrated."""
    names: dict[str, Any] = {}
    if base.label is not None:
        names["label"] = {
            code: f"{text} ({CALIBRATED_WORDS[code][0]})"
            for code in CALIBRATED_WORDS
            if (text := getattr(base.label, code)) is not None
        }
    if base.about is not None:
        names["about"] = {
            code: f"{text.strip()} {CALIBRATED_WORDS[code][1]} ({', '.join(cited)})."
            for code in CALIBRATED_WORDS
            if (text := getattr(base.about, code)) is not None
        }
    return names


def _yaml_key(key: str) -> Any:
    """Need levels are whole-number keys in scenario files."""
    return int(key) if key.isdigit() else key


def _base_source(base: Scenario, parents: list[str]) -> Any:
    try:
        block = current(base, ".".join(parents)) if parents else {}
    except KeyError:
        return None
    return block.get("source") if isinstance(block, dict) else None


def _source_of(base: Scenario, parents: list[str], leaf: str) -> str:
    """The base's source text for ``leaf``: its own entry, or the block's one text."""
    source = _base_source(base, parents)
    if isinstance(source, dict):
        return str(source.get(leaf, ""))
    return str(source or "")


def fit_markdown(table: pd.DataFrame) -> str:
    """The fit table as Markdown, for the README and the closing note."""
    lines = [
        "| target | KPI | observed | before | calibrated (95% CI) | within |",
        "|---|---|---|---|---|---|",
    ]
    for row in table.itertuples():
        before = f"{row.before:.4g}" if "before" in table else ""
        lines.append(
            f"| {row.target} | `{row.kpi}` | {row.observed} | {before} | "
            f"{row.simulated:.4g} ({row.ci_low:.4g}–{row.ci_high:.4g}) | "
            f"{'yes' if row.within else 'no'}{'' if row.weight else ' (not fitted)'} |"
        )
    return "\n".join(lines) + "\n"


def write_fit(folder: Path, calibration: Calibration) -> None:
    """``fit.csv``, ``fit.md``, ``calibration.json`` (values, settings, every evaluation).

    Each is written atomically: a full disk or a kill leaves the earlier file or none.
    """
    table = calibration.fit_table()
    with atomic_file(folder / "fit.csv") as tmp:
        table.to_csv(tmp, index=False)
    with atomic_file(folder / "fit.md") as tmp:
        tmp.write_text(fit_markdown(table))
    summary = {
        "forlopsim": __version__,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "start": calibration.start,
        "best": calibration.best,
        "distance_before": calibration.distance_before,
        "distance_after": calibration.distance_after,
        "replications": calibration.replications,
        "check_replications": calibration.check_replications,
        "seed": calibration.seed,
        "evaluations": len(calibration.evaluations),
        "resumed": calibration.resumed,
        "converged": calibration.converged,
        "message": calibration.message,
        "seconds": calibration.seconds,
        "fit": json.loads(table.to_json(orient="records")),
    }
    with atomic_file(folder / "calibration.json") as tmp:
        tmp.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
