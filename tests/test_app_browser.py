"""The planner's app in a real browser (issue 16): Playwright drives Debian's Chromium against
``forlopsim app`` on localhost. Runs are seconds: the app's test hooks shorten the horizon to
200 days and default to one replication in the server's process. Skipped without Playwright,
Chromium or Streamlit. Set FORLOPSIM_APP_SCREENSHOTS=DIR to keep a screenshot of each tab."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("no /usr/bin/chromium (apt-get install chromium)", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
BASE = "trondheim_calibrated.yaml"
MIDDLE = "part-staffed housing (the middle tier): places"
TOOK = "of both scenarios took"  # after "1 replication" or "3 replications"
BROKEN = f"extends: {BASE}\nname: Broken\nhousing:\n  tiers:\n    middle:\n      capacity: forty\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_served(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if process.poll() is not None:
            raise RuntimeError(f"forlopsim app ended with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"forlopsim app did not answer at {url}")


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    env = os.environ | {
        "FORLOPSIM_APP_SCENARIOS": str(SCENARIOS),
        "FORLOPSIM_APP_HORIZON_DAYS": "200",
        "FORLOPSIM_APP_WARMUP_DAYS": "50",
        "FORLOPSIM_APP_REPLICATIONS": "1",
        "FORLOPSIM_APP_JOBS": "1",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    command = [sys.executable, "-m", "forlopsim", "app", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        assert process.stdout is not None
        assert url in process.stdout.readline()  # the address is printed
        _wait_until_served(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(server)
    page.get_by_text("English", exact=True).click()
    page.get_by_role("tab", name="What-if").wait_for()
    yield page
    context.close()


def _screenshot(page, name: str) -> None:
    folder = os.environ.get("FORLOPSIM_APP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _idle(page) -> None:
    """Wait until Streamlit has drawn the page (its running indicator is gone)."""
    page.locator("[data-testid=stStatusWidget]").wait_for(state="hidden")


def _set(page, label: str, value: int) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    page.get_by_text("1 changed").wait_for()


def _run_and_read_summary(page, before: str = "") -> str:
    """Press Run and wait for a summary of the what-if that differs from ``before``."""
    page.get_by_role("button", name="Run").click()
    page.get_by_role("tab", name="Summary").click()
    panel = page.get_by_role("tabpanel", name="Summary")
    end = time.monotonic() + 90
    while time.monotonic() < end:
        text = panel.inner_text()
        if TOOK in text and "Buys per year" in text and text != before:
            _idle(page)
            return panel.inner_text()
        page.wait_for_timeout(300)
    raise AssertionError(f"no new summary after the run: {panel.inner_text()[:500]}")


def test_change_a_lever_run_and_see_the_summary_change(page) -> None:
    _screenshot(page, "1_whatif")
    _set(page, MIDDLE, 20)
    first = _run_and_read_summary(page)
    assert "My what-if." in first and "Buys per year" in first
    _screenshot(page, "2_summary")
    for tab in ("Key figures", "Waiting lists", "Costs"):
        page.get_by_role("tab", name=tab).click()
        page.get_by_role("tabpanel", name=tab).locator("img, table").first.wait_for()
        _idle(page)
        _screenshot(page, f"3_{tab.lower().replace(' ', '_')}")
    page.get_by_role("tab", name="What-if").click()
    _set(page, MIDDLE, 60)
    page.get_by_text("The results below are for earlier settings").wait_for()
    second = _run_and_read_summary(page, before=first)
    assert _whatif_line(second) != _whatif_line(first)  # 60 places instead of 20


def _whatif_line(summary: str) -> str:
    """The page-one line of the what-if (it starts with its name)."""
    return next(line for line in summary.splitlines() if line.startswith("My what-if."))


def test_download_the_whatif_and_validate_it(page, tmp_path) -> None:
    _set(page, MIDDLE, 15)
    page.get_by_role("tab", name="Download").click()
    _screenshot(page, "4_download")
    with page.expect_download() as caught:
        page.get_by_role("button", name=f"The what-if as YAML (extends {BASE})").click()
    folder = tmp_path / "scenarios"
    shutil.copytree(SCENARIOS, folder)
    saved = folder / caught.value.suggested_filename
    caught.value.save_as(saved)
    result = subprocess.run(
        [sys.executable, "-m", "forlopsim", "validate", str(saved)],
        capture_output=True, text=True, env=os.environ | {"PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"{saved}: ok" in result.stdout
    assert "capacity: 15" in saved.read_text()


def test_a_broken_upload_shows_the_field_and_line(page, tmp_path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN)
    page.get_by_text("my own file", exact=True).click()
    page.locator("input[type=file]").set_input_files(str(broken))
    message = page.get_by_text("broken.yaml:6: housing.tiers.middle.capacity")
    message.wait_for()
    assert "The file cannot be used" in page.locator("[data-testid=stAlert]").first.inner_text()
    _screenshot(page, "5_broken_upload")
