"""Progress off a terminal: silent for short work, then plain lines, rate-limited, and the last."""

from __future__ import annotations

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
