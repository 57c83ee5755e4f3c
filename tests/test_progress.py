"""Progress off a terminal: silent for short work, then plain lines, rate-limited, and the last;
replication lines name the scenario, count each replication and say about how long is left."""

from __future__ import annotations

from types import SimpleNamespace

import forlopsim.cli.common as common
import forlopsim.progress as progress_module
from forlopsim.progress import LINE_SECONDS, QUIET_SECONDS, ProgressView


def test_plain_lines_wait_for_long_work_and_are_rate_limited(monkeypatch, capsys):
    clock = [100.0]
    monkeypatch.setattr(progress_module.time, "perf_counter", lambda: clock[0])
    with ProgressView("replications", 5) as view:
        assert view.bar is None  # pytest's captured stderr is not a terminal
        view.update(1, line="one")  # within the quiet seconds: nothing
        clock[0] += QUIET_SECONDS + 0.1
        view.update(2, line="two")  # first line after the quiet seconds
        clock[0] += LINE_SECONDS / 2
        view.update(3, line="three")  # too soon after the last line
        view.update(5, line="five")  # the last one is always said
    assert capsys.readouterr().err.splitlines() == ["two", "five"]


def test_a_line_defaults_to_label_and_count(monkeypatch, capsys):
    clock = [0.0]
    monkeypatch.setattr(progress_module.time, "perf_counter", lambda: clock[0])
    with ProgressView("tasks") as view:
        clock[0] = QUIET_SECONDS + 1
        view.update(4, 4)
    assert capsys.readouterr().err == "tasks: 4/4 done\n"


def test_replication_lines_name_the_scenario_count_every_one_and_say_the_time_left(
    monkeypatch, capsys
):
    """Off a terminal, one line per replication once the work is long: none is skipped."""
    clock = [0.0]
    monkeypatch.setattr(progress_module.time, "perf_counter", lambda: clock[0])
    monkeypatch.setattr(common.time, "perf_counter", lambda: clock[0])
    with common.progress(2, ["base", "Missing middle"]) as advance:
        for scenario in (0, 1, 0, 1):
            clock[0] += 10.0  # 10 s a replication: past the quiet seconds from the first
            advance(SimpleNamespace(scenario=scenario, seconds=10.0))
    assert capsys.readouterr().err.splitlines() == [
        "base: 1/2 replications, 0:10 elapsed, about 0:30 left",
        "Missing middle: 1/2 replications, 0:20 elapsed, about 0:20 left",
        "base: 2/2 replications, 0:30 elapsed, about 0:10 left",
        "Missing middle: 2/2 replications, 0:40 elapsed, done",
    ]


def test_one_replication_is_singular(monkeypatch, capsys):
    clock = [0.0]
    monkeypatch.setattr(progress_module.time, "perf_counter", lambda: clock[0])
    monkeypatch.setattr(common.time, "perf_counter", lambda: clock[0])
    with common.progress(1, ["base"]) as advance:
        clock[0] = 3725.0
        advance(SimpleNamespace(scenario=0, seconds=3725.0))
    assert capsys.readouterr().err == "base: 1/1 replication, 1:02:05 elapsed, done\n"
