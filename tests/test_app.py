"""The planner's app (issue 16): its levers, what-if files, uploads and runs, and its page
driven headless by Streamlit's AppTest (skipped without Streamlit)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from forlopsim.app import levers, sources, whatif
from forlopsim.app.runs import Runner, run_key
from forlopsim.errors import ScenarioError
from forlopsim.report import summary
from forlopsim.report.i18n import Language
from forlopsim.report.names import named
from forlopsim.scenario import load_scenario, numbers_only

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
BASE = "trondheim_calibrated.yaml"
SHORT = {"simulation.horizon_days": 200.0, "simulation.warmup_days": 50.0}
MIDDLE = "housing.tiers.middle.capacity"


@pytest.fixture(scope="module")
def base():
    return load_scenario(SCENARIOS / BASE)


def test_levers_hold_the_base_values_in_the_report_words(base) -> None:
    every = levers.levers(base)
    by_path = {lever.path: lever for lever in every}
    assert by_path[MIDDLE].base == base.housing.tiers["middle"].capacity
    assert by_path["crisis_beds.self_referral.beds"].section == "self_referral"
    assert by_path["crisis_beds.womens_crisis_centre.beds"].section == "crisis_beds"
    team = "services.units.rustjenester.teams.youth"
    assert (
        by_path[f"{team}.caseload"].base
        == base.services.units["rustjenester"].teams["youth"].caseload
    )
    assert by_path[f"{team}.coverage"].options == tuple(base.services.coverage)
    lang = named(Language("en"), {"b": base}, "b")
    assert by_path[MIDDLE].label(lang) == "part-staffed housing (the middle tier): places"
    assert by_path[MIDDLE].unit(lang) == "places"
    assert by_path[MIDDLE].unit(Language("nb")) == "plasser"
    assert [lever.section for lever in every] == sorted(
        (lever.section for lever in every), key=levers.SECTIONS.index
    )


def test_changes_are_only_what_differs_from_the_base(base) -> None:
    every = levers.levers(base)
    days = "services.coverage.office_hours.days"
    values = {MIDDLE: 20, "housing.tiers.housing_first.capacity": 40, days: ["sat", "mon"]}
    assert levers.changes(every, values) == {MIDDLE: 20, days: ["mon", "sat"]}
    assert levers.changes(every, {}) == {}


def test_the_extending_yaml_validates_next_to_the_base_and_is_the_whatif(base, tmp_path) -> None:
    changes = {MIDDLE: 20, "crisis_beds.self_referral.beds": 3}
    label = {"nb": "Tiltak", "en": "What-if"}
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for file in SCENARIOS.glob("*.yaml"):
        (folder / file.name).write_text(file.read_text())
    (folder / "mine.yaml").write_text(whatif.extending_yaml(base, BASE, changes, "Mine", label))
    loaded = load_scenario(folder / "mine.yaml")
    made = whatif.whatif_scenario(base, changes, "Mine", label)
    assert numbers_only(loaded.model_dump()) == numbers_only(made.model_dump())
    assert loaded.housing.tiers["middle"].capacity == 20
    assert "forlopsim app" in str(loaded.housing.tiers["middle"].source)


def test_the_complete_yaml_validates_on_its_own(base, tmp_path) -> None:
    changes = {"services.units.rustjenester.teams.youth.caseload": 120}
    text = whatif.complete_yaml(base, BASE, changes, "Mine", {"nb": "T", "en": "W"})
    assert "extends" not in text
    (tmp_path / "alone.yaml").write_text(text)
    loaded = load_scenario(tmp_path / "alone.yaml")
    assert loaded.services.units["rustjenester"].teams["youth"].caseload == 120
    assert numbers_only(loaded.model_dump()) == numbers_only(
        base.with_changes(changes).model_dump()
    )


def test_a_broken_upload_names_its_field_and_line_not_a_temporary_path() -> None:
    text = f"extends: {BASE}\nname: Mine\nhousing:\n  tiers:\n    middle:\n      capacity: forty\n"
    with pytest.raises(ScenarioError) as caught:
        sources.load_upload("broken.yaml", text.encode(), SCENARIOS)
    message = str(caught.value)
    assert "broken.yaml:6: housing.tiers.middle.capacity" in message
    assert "/tmp" not in message and "forlopsim-upload" not in message


def test_an_upload_may_extend_a_file_of_the_scenarios_folder() -> None:
    text = f"extends: {BASE}\nname: Mine\ncrisis_beds:\n  self_referral:\n    beds: 2\n"
    loaded = sources.load_upload("mine.yaml", text.encode(), SCENARIOS)
    assert loaded.file == "mine.yaml"
    assert loaded.scenario.crisis_beds["self_referral"].beds == 2


def _pair(base, beds: int):
    short = base.with_changes(SHORT)
    return short, short.with_changes({"crisis_beds.self_referral.beds": beds, "name": "w"})


def _wait(runner: Runner, seconds: float = 120) -> None:
    end = time.monotonic() + seconds
    while runner.busy() and time.monotonic() < end:
        time.sleep(0.1)
    assert not runner.busy()


def test_a_run_is_cached_by_its_settings_and_a_second_is_refused(base) -> None:
    runner = Runner(jobs=1)
    pair = _pair(base, 4)
    key = run_key(*pair, pair[0].simulation.seed, 1)
    job = runner.start(key, pair, ["base", "w"], 1)
    assert job is not None
    other = _pair(base, 5)
    assert runner.start(run_key(*other, 0, 1), other, ["base", "w"], 1) is None
    _wait(runner)
    assert job.error is None and job.done == 2
    outcome = runner.cached(key)
    assert outcome is not None and outcome.data.replications == 1
    assert runner.cached(run_key(*other, 0, 1)) is None
    assert run_key(*_pair(base, 4), pair[0].simulation.seed, 1) == key  # back to 4: the same run
    assert run_key(*pair, pair[0].simulation.seed, 2) != key
    assert runner.estimate(1) is not None


def test_a_cancelled_run_stops_and_keeps_nothing(base) -> None:
    runner = Runner(jobs=1)
    pair = _pair(base, 3)
    key = run_key(*pair, 0, 3)
    job = runner.start(key, pair, ["base", "w"], 3)
    assert job is not None
    runner.cancel()
    _wait(runner)
    assert job.cancelled and job.done < job.total
    assert runner.cached(key) is None


# -- the page, headless ---------------------------------------------------------------------


@pytest.fixture
def app(monkeypatch):
    testing = pytest.importorskip("streamlit.testing.v1")
    monkeypatch.setenv("FORLOPSIM_APP_SCENARIOS", str(SCENARIOS))
    monkeypatch.setenv("FORLOPSIM_APP_HORIZON_DAYS", "200")
    monkeypatch.setenv("FORLOPSIM_APP_WARMUP_DAYS", "50")
    monkeypatch.setenv("FORLOPSIM_APP_REPLICATIONS", "1")
    monkeypatch.setenv("FORLOPSIM_APP_JOBS", "1")
    at = testing.AppTest.from_file(str(ROOT / "forlopsim" / "app" / "main.py"), default_timeout=60)
    return at.run()


def _number(at, label: str):
    return next(n for n in at.number_input if n.label == label)


def _button(at, key: str):
    return next(b for b in at.button if b.key == key)


def test_the_page_opens_on_the_calibrated_baseline_with_its_levers(app) -> None:
    assert not app.exception
    assert app.selectbox(key="base_file").value == BASE
    places = _number(app, "bolig med delvis bemanning: antall plasser")
    assert places.value == 0
    assert "Grunnscenario: 40 plasser" in [c.value for c in app.caption]
    assert _button(app, "run").disabled  # nothing changed yet
    assert [t.label for t in app.tabs][:2] == ["Tiltak", "Sammendrag"]


def test_english_names_the_tabs_and_levers_in_english(app) -> None:
    app.radio(key="lang").set_value("en").run()
    assert not app.exception
    assert [t.label for t in app.tabs][:2] == ["What-if", "Summary"]
    assert _number(app, "Housing First: places").value == 40


def test_a_lever_changed_and_run_shows_the_reports_summary(app) -> None:
    _number(app, "bolig med delvis bemanning: antall plasser").set_value(10).run()
    assert "1 endret" in [c.value for c in app.caption]
    assert not _button(app, "run").disabled
    _button(app, "run").click().run()
    from forlopsim.app.page import runner

    _wait(runner())
    app.run()
    assert not app.exception
    outcome = runner().cached(app.session_state["shown"])
    assert outcome is not None
    comparison = outcome.data.comparison
    lang = named(Language("nb"), comparison.scenarios, comparison.base)
    line = summary.whatif_line(outcome.data, comparison.whatifs[0], lang)
    assert any(
        line.replace("−", "") in m.value.replace("\\", "").replace("−", "") for m in app.markdown
    )
    captions = [c for image in app.get("image") for c in image.captions]  # type: ignore[attr-defined]
    assert any(c.startswith("Figur 1. ") for c in captions)  # the report's chart numbers
    assert any(c.startswith("Figur 6. ") for c in captions)  # the running cost
    # another value, run; then back: the earlier result at once, with no new run
    field = "bolig med delvis bemanning: antall plasser"
    _number(app, field).set_value(20).run()
    assert any("tidligere innstillinger" in i.value for i in app.info)  # the old one, marked
    _button(app, "run").click().run()
    _wait(runner())
    app.run()
    assert runner().cached(app.session_state["shown"]) is not outcome
    _number(app, field).set_value(10).run()
    assert not runner().busy()
    assert runner().cached(app.session_state["shown"]) is outcome
    assert any("kjørt før" in i.value for i in app.info)


def test_an_invalid_whatif_is_a_message_not_a_crash(app) -> None:
    app.expander[4].run()
    days = next(m for m in app.multiselect if m.label == "kontortid: dager")
    days.set_value([]).run()
    assert not app.exception
    assert any("Tiltaket er ikke gyldig" in e.value for e in app.error)
    assert any("office_hours.days" in e.value for e in app.error)
    assert _button(app, "run").disabled
