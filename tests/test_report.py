"""``forlopsim report``: the hearing report's files, numbers, languages and self-containment."""

from __future__ import annotations

import contextlib
import html
import io
import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from forlopsim.cli import main
from forlopsim.comparison import compare_scenarios
from forlopsim.report.assumptions import changed_fields
from forlopsim.report.data import collect
from forlopsim.report.document import write
from forlopsim.report.i18n import CATALOGUE, LANGUAGES, Language
from forlopsim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
BASELINE = SCENARIOS / "trondheim_calibrated.yaml"  # the base every what-if extends
CHROMIUM = Path("/usr/bin/chromium")
SHORT = {"horizon_days": 1100, "warmup_days": 180}


def _short_file(folder: Path, name: str) -> Path:
    """A what-if file that extends the scenario ``name`` with a three-year horizon."""
    path = folder / name
    path.write_text(
        f"extends: {SCENARIOS / name}\nsimulation:\n"
        + "".join(f"  {k}: {v}\n" for k, v in SHORT.items())
    )
    return path


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """``forlopsim report`` on a three-year baseline and two what-ifs, 2 replications, nb."""
    folder = tmp_path_factory.mktemp("report")
    files = [
        _short_file(folder, n)
        for n in ("trondheim_calibrated.yaml", "missing_middle.yaml", "crisis_beds.yaml")
    ]
    out = folder / "out"
    argv = ["report", *map(str, files), "--out", str(out), "-n", "2", "--seed", "7", "-j", "1"]
    status, _, err = _run(argv)
    assert status == 0, err
    return out


def test_report_writes_html_pdf_json_and_the_comparison(report: Path):
    for name in ("report.html", "report.pdf", "report.json", "comparison.csv", "comparison.json"):
        assert (report / name).is_file(), name
    for label in ("trondheim_calibrated", "missing_middle", "crisis_beds"):
        assert (report / label / "summary.json").is_file()
        assert (report / label / "records").is_dir()


def test_report_numbers_equal_compares(report: Path):
    """The report's table numbers are the comparison's differences, and the HTML prints them."""
    record = json.loads((report / "report.json").read_text())
    compared = json.loads((report / "comparison.json").read_text())["differences"]
    page = (report / "report.html").read_text()
    lang = Language(record["language"])
    assert record["whatifs"] == ["missing_middle", "crisis_beds"]
    for label, rows in record["tables"].items():
        assert rows, label
        for row in rows:
            theirs = compared[label][row["kpi"]]
            for key in ("base_mean", "whatif_mean", "difference", "ci_low", "ci_high"):
                ours, expected = row[key], theirs[key]
                if expected is None:
                    assert ours is None
                else:
                    assert math.isclose(ours, expected, rel_tol=1e-12, abs_tol=1e-12), key
            assert row["significant"] == theirs["significant"]
            html_row = f'data-kpi="{row["kpi"]}"'
            assert html_row in page
            cells = "".join(f"<td>{c}</td>" for c in row["cells"])
            assert cells.replace("&", "&amp;").replace("'", "&#x27;") in page
    # and a cell parsed back from the HTML gives the comparison's number
    first = record["tables"]["missing_middle"][0]
    match = re.search(rf'data-kpi="{re.escape(first["kpi"])}">(.*?)</tr>', page)
    cells = re.findall(r"<td>(.*?)</td>", match.group(1))
    parsed = float(cells[1].replace("\xa0", "").replace("\u202f", "").replace(",", "."))
    base = compared["missing_middle"][first["kpi"]]["base_mean"]
    assert parsed == pytest.approx(base, abs=0.051)
    assert lang.code == "nb"


def test_report_has_no_external_reference(report: Path):
    page = (report / "report.html").read_text()
    for attribute in re.findall(r'(?:src|href)\s*=\s*["\']?([^"\'\s>]+)', page, re.I):
        assert attribute.startswith(("data:", "#")), attribute  # inline, or the contents' links
    assert "@import" not in page
    for url in re.findall(r"url\(\s*([^)]*)\)", page):
        assert url.strip("'\" ").startswith("data:"), url
    assert "<link" not in page.lower()
    assert "<script" not in page.lower()
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', page)) == 9


def test_report_first_page_speaks_plainly(report: Path):
    """Page 1: one line per what-if, by its Norwegian name: what it buys, costs, how sure."""
    page = (report / "report.html").read_text()
    first = page[page.index("Tiltakene på én side</h2>") : page.index("Tiltakene i detalj</h2>")]
    lines = re.findall(r'<p><span class="lead">(.*?)</span>(.*?)</p>', first)
    assert [name for name, _ in lines] == [
        "Mellomtrinnet: 20 plasser. ",
        "Krisesenger: +4 ved krisesenteret for kvinner. ",
    ]
    for _, line in lines:
        assert line.startswith("Gir per år: ")
        assert "bostedsløse" in line and "reinnleggelser" in line
        assert "Koster per år: kommunen " in line and "spesialisthelsetjenesten" in line
        assert "én gang: " in line and "Hvor sikkert: " in line
    assert "én gang: 30,0 mill. kr" in lines[0][1]  # 20 middle places at 1.5 million each
    assert "én gang: ingenting" in lines[1][1]


def test_report_pdf_has_pages_and_text(report: Path):
    from pypdf import PdfReader

    reader = PdfReader(report / "report.pdf")
    assert len(reader.pages) >= 5
    text = "\n".join(page.extract_text() for page in reader.pages)
    squeezed = re.sub(r"\s+", " ", text)
    for expected in (
        "Budsjetthøring",
        "Tiltakene i detalj",
        "Nøkkeltall",
        "Figurer",
        "Forutsetninger",
        "Mellomtrinnet: 20 plasser",
        "bolig med delvis bemanning: antall plasser",
        "Vedlegg B",
    ):
        assert expected in squeezed, expected
    first = reader.pages[0].extract_text()
    assert "Tiltakene på én side" in first and "Mellomtrinnet" in first


def test_assumptions_are_a_readable_table(report: Path):
    """What, base → what-if, unit and source; and the zero one-off cost flagged."""
    page = (report / "report.html").read_text()
    assert (
        "<tr><td>bolig med delvis bemanning: antall plasser</td><td>0 → 20</td>"
        '<td class="text">plasser</td><td class="text">assumption: two houses of 10' in page
    )
    senger = '<td>krisesenter for kvinner: antall senger</td><td>4 → 8</td><td class="text">senger'
    assert senger in page
    assert "Merk: 4 nye senger ved krisesenter for kvinner har engangskostnad 0 kr." in page
    assert "nye plasser i bolig med delvis bemanning har engangskostnad" not in page  # 1.5 M each
    assert "<td>7</td>" in page  # the seed given on the command line


def test_changed_fields_diff_the_model_dump():
    base = load_scenario(BASELINE)
    whatif = load_scenario(SCENARIOS / "crisis_beds.yaml")
    fields = {path: (a, b) for path, a, b in changed_fields(base, whatif)}
    assert fields == {
        "crisis_beds.womens_crisis_centre.beds": (4, 8),
        "crisis_beds.womens_crisis_centre.existing_places": (None, 4),
    }
    assert changed_fields(base, base) == []


def test_english_report(report: Path, tmp_path: Path):
    base = load_scenario(BASELINE).with_changes(
        {f"simulation.{k}": float(v) for k, v in SHORT.items()}
    )
    whatif = load_scenario(SCENARIOS / "missing_middle.yaml").with_changes(
        {f"simulation.{k}": float(v) for k, v in SHORT.items()}
    )
    comparison = compare_scenarios(base, [whatif], 2, 7, 1, tmp_path, labels=["base", "mm"])
    write(collect(comparison, tmp_path), Language("en"), tmp_path)
    page = (tmp_path / "report.html").read_text()
    assert '<html lang="en">' in page
    assert "The what-ifs on one page</h2>" in page and "Assumptions</h2>" in page
    assert "<b>The missing middle: 20 places. </b>" in page.replace(
        '<span class="lead">', "<b>"
    ).replace("</span>", "</b>")
    assert "running cost" in page and "Kaplan–Meier" in page
    assert "Tiltakene" not in page and "plasser" not in page
    assert sorted({m.group(0) for m in IDENTIFIER.finditer(reader_text(page))}) == []


def test_number_formats():
    nb, en = Language("nb"), Language("en")
    assert nb.number(1234.5) == "1\xa0234,5"
    assert en.number(1234.5) == "1,234.5"
    assert nb.number(1234567.0, 0) == "1\xa0234\xa0567"
    assert nb.signed(-2.25, 1) == "\u22122,2" or nb.signed(-2.25, 1) == "\u22122,3"
    assert en.signed(3.0, 0) == "+3"
    assert nb.number(float("nan")) == "–"


def test_catalogue_is_complete():
    for key, entry in CATALOGUE.items():
        assert set(entry) == set(LANGUAGES), key
        assert all(entry.values()), key
    with pytest.raises(ValueError):
        Language("de")


def test_bad_input_writes_nothing(tmp_path: Path):
    out = tmp_path / "out"
    status, _, err = _run(
        ["report", str(BASELINE), str(tmp_path / "missing.yaml"), "--out", str(out)]
    )
    assert status == 2 and "missing.yaml" in err
    assert not out.exists()
    err_text = io.StringIO()
    with pytest.raises(SystemExit) as exit_, contextlib.redirect_stderr(err_text):
        main(["report", str(BASELINE), str(SCENARIOS / "crisis_beds.yaml")])
    assert exit_.value.code == 2  # --out is a required argument: argparse says so
    assert "the following arguments are required: --out" in err_text.getvalue()
    with pytest.raises(SystemExit) as exit_:
        _run(["report", str(BASELINE), str(BASELINE), "--out", str(out), "--lang", "de"])
    assert exit_.value.code == 2
    assert not out.exists()


def test_html_renders_in_headless_chromium(report: Path, tmp_path: Path):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing (apt-get install chromium; .ci/run does)")
    from PIL import Image

    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1200,1600",
            (report / "report.html").resolve().as_uri(),
        ],
        check=False,
        capture_output=True,
        timeout=120,
    )
    assert shot.is_file(), "chromium wrote no screenshot"
    pixels = np.asarray(Image.open(shot).convert("L"), dtype=float)
    assert pixels.std() > 5, "the screenshot is (nearly) one colour"
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)


def test_report_says_what_the_star_means(report: Path):
    """The legend names Holm's correction and how many comparisons it counted."""
    comparisons = json.loads((report / "comparison.json").read_text())["significance"]
    page = (report / "report.html").read_text()
    assert f"etter Holms korreksjon for {comparisons['comparisons']} sammenligninger" in page
    record = json.loads((report / "report.json").read_text())
    for rows in record["tables"].values():
        for row in rows:
            if row["significant"]:
                assert row["kpi"] in comparisons["kpis"]


IDENTIFIER = re.compile(
    r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b"  # snake_case
    r"|\b[a-z_]+\.[a-z_]+(?:\.[a-z_]+)*\b"  # dotted paths
    r"|\[\'|\'\]"  # Python literals
)


def reader_text(page: str) -> str:
    """What a reader sees of an HTML page: the body's text and the images' alt texts."""
    body = page[page.index("<body>") :]
    alts = re.findall(r'alt="([^"]*)"', body)
    body = re.sub(r"<img[^>]*>", " ", body)
    return html.unescape(re.sub(r"<[^>]+>", " ", body) + " " + " ".join(alts))


def test_nb_report_has_no_identifiers(report: Path):
    """No code name, field path, file-name-like scenario name or Python literal in the text."""
    text = reader_text((report / "report.html").read_text())
    assert "Mellomtrinnet: 20 plasser" in text
    found = sorted({m.group(0) for m in IDENTIFIER.finditer(text)})
    assert found == []


def test_identifier_check_catches_them():
    """The check itself: each kind of identifier is found."""
    for text in ("trondheim_calibrated", "housing.tiers.middle.capacity", "['mon', 'tue']"):
        assert IDENTIFIER.search(reader_text(f"<body><p>{html.escape(text)}</p>")), text
    assert not IDENTIFIER.search("Mellomtrinnet: 20 plasser, 1,5 mill. kr. Figur 8.")


def test_html_has_a_table_of_contents(report: Path):
    """Every section is linked from the contents, and every link has its section."""
    page = (report / "report.html").read_text()
    links = re.findall(r'<li><a href="#(s\d+)">(.*?)</a></li>', page)
    assert [text for _, text in links][:2] == ["Tiltakene på én side", "Tiltakene i detalj"]
    assert "Vedlegg B: Modellen og kjøringen (STRESS-DES)" in [text for _, text in links]
    for anchor, text in links:
        assert f'<h2 id="{anchor}">{text}</h2>' in page


def test_crisis_beds_as_counts(report: Path):
    """Requests, admissions and turn-aways per year, the share only beside the count."""
    page = (report / "report.html").read_text()
    details = page[page.index("Tiltakene i detalj</h2>") : page.index("Figurer</h2>")]
    assert "<th>Forespørsler</th><th>Innleggelser</th><th>Avvist (andel)</th>" in details
    row = re.search(r"<tr><td>krisesenter for kvinner</td>(.*?)</tr>", details).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row)
    assert all(" → " in c for c in cells) and " %" in cells[2] and "%" not in cells[0]
    record = json.loads((report / "comparison.json").read_text())["differences"]["crisis_beds"]
    admitted = record["crisis_bed_admissions_per_year.womens_crisis_centre"]
    assert cells[1] == f"{Language('nb').number(admitted['base_mean'], 0)} → " + Language(
        "nb"
    ).number(admitted["whatif_mean"], 0)
    assert "kriser der ingen krisesengplass var ledig" not in details  # no pooled share


def test_the_middle_tier_s_intake_by_reason_is_shown(report: Path):
    """Issue 12's mechanism in words: where the missing middle's residents come from."""
    page = (report / "report.html").read_text()
    details = page[page.index("Tiltakene i detalj</h2>") : page.index("Figurer</h2>")]
    middle = details[details.index("Mellomtrinnet") : details.index("Krisesenger: +4")]
    line = re.search(r"Hvor nye beboere kommer fra[^<]*", middle).group(0)
    record = json.loads((report / "comparison.json").read_text())["differences"]["missing_middle"]
    step_down = record["intake_per_year.tier.middle.step_down"]
    nb = Language("nb")
    expected = f"klare for lavere trinn {nb.number(step_down['base_mean'])} → "
    assert expected + nb.number(step_down["whatif_mean"]) in line
    assert "Hvor nye beboere kommer fra" not in details[details.index("Krisesenger: +4") :]


def test_counts_are_singular_for_one():
    """'1 replikasjon', '3 replikasjoner', '1 what-if': no '1 replications' anywhere."""
    nb, en = Language("nb"), Language("en")
    assert nb.count(1, "replication") == "1 replikasjon"
    assert nb.count(3, "replication") == "3 replikasjoner"
    assert en.count(1, "what-if") == "1 what-if" and en.count(2, "what-if") == "2 what-ifs"
