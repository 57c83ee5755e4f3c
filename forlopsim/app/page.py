"""The app's one page: the base in the sidebar, the levers and the results in tabs.

Streamlit runs :func:`main` from the top on every click; what must survive a click (the run
going on, the runs done) lives in the server's one :class:`~.runs.Runner`. A fault in drawing
the page is shown as one line and the server goes on.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import streamlit as st

from forlopsim.app import levers as lever_list
from forlopsim.app import render, results, sources, whatif
from forlopsim.app.runs import Outcome, Runner, run_key
from forlopsim.app.settings import Settings, settings
from forlopsim.app.texts import text
from forlopsim.errors import ScenarioError
from forlopsim.limits import MAX_REPLICATIONS
from forlopsim.report.assumptions import shown
from forlopsim.report.document import Block
from forlopsim.report.i18n import Language
from forlopsim.report.names import named
from forlopsim.scenario import Scenario

LANGUAGES = {"nb": "Norsk (bokmål)", "en": "English"}
TABS = ("tab_levers", "tab_summary", "tab_key_figures", "tab_waiting", "tab_costs", "tab_downloads")
POLL_SECONDS = 1.0
"""Not a domain number: how often the progress panel looks at the run (always, so that it is
one fragment whose bar is replaced, never left half-full, when a run ends)."""
log = logging.getLogger(__name__)


@st.cache_resource
def runner() -> Runner:
    """The server's one runner (shared by every browser tab)."""
    return Runner(settings().jobs)


@st.cache_resource(max_entries=16)
def _folder_base(folder: str, name: str, modified: float) -> sources.Base:
    """A scenarios-folder file, read once per version of it."""
    return sources.load_file(Path(folder), name)


@st.cache_resource(max_entries=16)
def _uploaded_base(name: str, content: bytes, folder: str) -> sources.Base:
    """An uploaded file, read once per content."""
    return sources.load_upload(name, content, Path(folder))


def show_problems(code: str, key: str, error: ScenarioError) -> None:
    """A bad file's or what-if's problems, one line each, as the CLI prints them."""
    st.error(f"{text(code, key)}\n\n```\n{error}\n```")


def choose_base(cfg: Settings, code: str) -> sources.Base | None:
    """The base from the sidebar: a scenarios-folder file (default) or an upload."""
    files = sources.scenario_files(cfg.scenarios)
    origin = st.sidebar.radio(
        text(code, "base_from"),
        ["folder", "upload"],
        format_func=lambda o: text(code, f"from_{o}"),
        horizontal=True,
        key="origin",
    )
    try:
        if origin == "folder" and files:
            index = files.index(cfg.base) if cfg.base in files else 0
            name = st.sidebar.selectbox(text(code, "base"), files, index=index, key="base_file")
            path = cfg.scenarios / name
            return _folder_base(str(cfg.scenarios), name, path.stat().st_mtime)
        if origin == "folder":
            st.sidebar.info(text(code, "no_folder", folder=cfg.scenarios))
        upload = st.sidebar.file_uploader(text(code, "upload"), type=["yaml", "yml"], key="upload")
        if upload is None:
            st.info(text(code, "upload_first"))
            return None
        return _uploaded_base(upload.name, upload.getvalue(), str(cfg.scenarios))
    except ScenarioError as error:
        show_problems(code, "bad_file", error)
        return None


def control(lever: lever_list.Lever, lang: Language, key: str) -> Any:
    """One lever's control, labelled with the report's words, its base value and unit below."""
    label = lever.label(lang)
    if lever.kind in ("choice", "days"):
        value = _worded(lever, lang, key)
    elif lever.kind == "count":
        value = st.number_input(label, min_value=0, value=int(lever.base), step=1, key=key)
    else:
        top = 24.0 if lever.kind == "hour" else None
        value = st.number_input(
            label, min_value=0.0, max_value=top, value=float(lever.base), key=key,
            step=0.5 if lever.kind == "hour" else 10.0,
        )  # fmt: skip
    base = f"{shown(lever.base, lang)} {lever.unit(lang)}".strip()
    st.caption(text(lang.code, "base_value", value=base))
    return value


def _worded(lever: lever_list.Lever, lang: Language, key: str) -> Any:
    """A choice or weekdays control: its options in words of the language.

    Streamlit keeps such a control's state as the words shown, so each language has its own
    control (``key:code``) and the value chosen is kept apart (``key``) to carry across.
    """
    label, chosen = lever.label(lang), st.session_state.get(key, lever.base)
    if lever.kind == "choice":
        value: Any = st.selectbox(
            label, lever.options, index=lever.options.index(chosen),
            format_func=lang.place, key=f"{key}:{lang.code}",
        )  # fmt: skip
    else:
        value = st.multiselect(
            label, lever.options, default=list(chosen),
            format_func=lambda d: lang.t(f"day:{d}"), key=f"{key}:{lang.code}",
        )  # fmt: skip
    st.session_state[key] = value
    return value


def lever_controls(every: list[lever_list.Lever], lang: Language, prefix: str) -> dict[str, Any]:
    """Every lever's control, section by section in columns; their values by path."""
    values: dict[str, Any] = {}
    for section in lever_list.SECTIONS:
        own = [lever for lever in every if lever.section == section]
        if not own:
            continue
        with st.expander(text(lang.code, f"section:{section}"), expanded=section == "tiers"):
            if section == "evenings":
                st.caption(text(lang.code, "evenings_note"))
            columns = st.columns(3)
            for i, lever in enumerate(own):
                with columns[i % 3]:
                    values[lever.path] = control(lever, lang, f"{prefix}{lever.path}")
    return values


def reset(prefix: str) -> None:
    """Every lever back to its base value (their controls' state forgotten)."""
    for key in [k for k in st.session_state if str(k).startswith(prefix)]:
        del st.session_state[key]


def run_panel(code: str, cfg: Settings, job_ready: bool) -> tuple[int, bool]:
    """The sidebar's replications control, time estimate and run button."""
    replications = st.sidebar.number_input(
        text(code, "replications"), min_value=1, max_value=MAX_REPLICATIONS,
        value=cfg.replications, step=1, key="replications", help=text(code, "replications_help"),
    )  # fmt: skip
    estimate = runner().estimate(int(replications))
    st.sidebar.caption(
        text(code, "estimate", seconds=f"{estimate:.0f}")
        if estimate is not None
        else text(code, "no_estimate")
    )
    if cfg.horizon_days is not None:
        st.sidebar.caption(text(code, "shortened", days=f"{cfg.horizon_days:g}"))
    pressed = st.sidebar.button(
        text(code, "run"), type="primary", disabled=not job_ready, key="run", width="stretch"
    )
    return int(replications), pressed


def start(
    code: str, key: str, scenarios: tuple[Scenario, Scenario], replications: int, label: str
) -> None:
    """Start the run of ``key`` (or show it at once if it ran before); refuse a second."""
    st.session_state["shown"] = key
    if runner().cached(key) is not None:
        return
    labels = [label, "what-if"]
    if runner().start(key, scenarios, labels, replications) is None:
        st.sidebar.warning(text(code, "busy"))
        return
    st.session_state["watching"] = key


def progress(code: str) -> None:
    """The going run's progress bar and cancel button, redrawn every second.

    Two slots always, so that what a slot showed during a run (the bar, the button) is
    replaced when the run ends, never left behind.
    """
    bar, action = st.empty(), st.empty()
    job = runner().job
    if job is None or job.finished:
        bar.caption(text(code, "idle"))
        action.empty()
    if job is None:
        return
    if not job.finished:
        seconds = f"{time.perf_counter() - job.started:.0f}"
        words = text(code, "running", done=job.done, total=job.total, seconds=seconds)
        bar.progress(job.done / job.total, text=words)
        if job.cancel.is_set():
            action.caption(text(code, "cancelling"))
        elif action.button(text(code, "cancel"), key="cancel", width="stretch"):
            runner().cancel()
            st.rerun(scope="fragment")
        return
    if st.session_state.get("watching") == job.key:
        del st.session_state["watching"]
        st.session_state["ended"] = (job.cancelled, job.error)
        st.rerun()


def ended(code: str) -> None:
    """How the session's last run ended, when it did not finish (once)."""
    cancelled, error = st.session_state.pop("ended", (False, None))
    if cancelled:
        st.sidebar.info(text(code, "cancelled"))
    if error:
        st.sidebar.error(text(code, "failed", error=error))


def shown_outcome(code: str, key: str, changed: bool) -> Outcome | None:
    """The result for these settings, else the last one shown (marked as earlier), or None."""
    outcome = runner().cached(key)
    if outcome is not None:
        if st.session_state.get("shown") != key:
            st.info(text(code, "from_cache"))
        st.session_state["shown"] = key
        return outcome
    earlier = runner().cached(st.session_state.get("shown", ""))
    if changed and not runner().busy():
        st.info(text(code, "press_run") if earlier is None else text(code, "stale"))
    return earlier


def result_tabs(code: str, tabs: list[Any], outcome: Outcome | None) -> None:
    """The summary, key figures, waiting lists and costs of ``outcome``."""
    pieces: list[Callable[[Outcome], Sequence[Block]]] = [
        lambda o: results.summary(o, code),
        lambda o: results.key_figures(o, code),
        lambda o: results.figures(o, code, results.WAITING_CHARTS),
        lambda o: results.figures(o, code, results.COST_CHARTS),
    ]
    for tab, piece in zip(tabs, pieces, strict=True):
        with tab:
            if outcome is None:
                st.caption(text(code, "results_first"))
                continue
            if piece is pieces[0]:
                st.caption(
                    text(
                        code,
                        "took",
                        replications=Language(code).count(outcome.data.replications, "replication"),
                        seconds=f"{outcome.seconds:.0f}",
                    )
                )
            render.draw(piece(outcome))


def downloads(code: str, base: sources.Base, made: dict[str, Any], outcome: Outcome | None) -> None:
    """The what-if's two YAML files and, after a run, the report's HTML, PDF and Excel."""
    stem = Path(base.file).stem
    args = (base.scenario, base.file, made["changes"], made["name"], made["label"])
    st.download_button(
        text(code, "yaml_extends", base=base.file), whatif.extending_yaml(*args),
        file_name=f"{stem}_whatif.yaml", mime="application/x-yaml", key="yaml_extends",
        help=text(code, "yaml_extends_help", base=base.file),
    )  # fmt: skip
    st.caption(text(code, "yaml_extends_help", base=base.file))
    st.download_button(
        text(code, "yaml_complete"), whatif.complete_yaml(*args),
        file_name=f"{stem}_whatif_complete.yaml", mime="application/x-yaml", key="yaml_complete",
    )  # fmt: skip
    st.caption(text(code, "yaml_complete_help"))
    st.markdown(f"#### {text(code, 'report_files')}")
    if outcome is None:
        st.caption(text(code, "run_first"))
        return
    files = [
        ("html", "text/html"),
        ("pdf", "application/pdf"),
        ("xlsx", "application/vnd.ms-excel"),
    ]
    makers = {"html": results.html, "pdf": results.pdf, "xlsx": results.excel}
    for kind, mime in files:
        st.download_button(
            text(code, kind), data=partial(makers[kind], outcome, code),
            file_name=f"report.{kind}", mime=mime, key=f"download_{kind}",
        )  # fmt: skip


def made_whatif(code: str, values: dict[str, Any], every: list[lever_list.Lever]) -> dict:
    """The what-if's changes, name and label from the levers and the (optional) name field."""
    name = st.text_input(
        text(code, "whatif_name"), placeholder=text(code, "default_name"), key="whatif_name"
    ).strip()
    label = {c: name or text(c, "default_name") for c in LANGUAGES}
    return {
        "changes": lever_list.changes(every, values),
        "name": name or label["en"],
        "label": label,
    }


def page() -> None:
    """The whole page."""
    cfg = settings()
    code = st.sidebar.radio(
        "Språk / Language", list(LANGUAGES), format_func=LANGUAGES.__getitem__, key="lang",
        horizontal=True,
    )  # fmt: skip
    st.title(text(code, "title"))
    st.caption(text(code, "intro"))
    base = choose_base(cfg, code)
    if base is None:
        return
    lang = named(Language(code), {"base": base.scenario}, "base")
    every = lever_list.levers(base.scenario)
    prefix = f"lever:{hashlib.sha256(base.text.encode()).hexdigest()[:12]}:"
    notes = st.container()  # above the tabs: whether the results shown are for these settings
    tabs = st.tabs([text(code, t) for t in TABS])
    with tabs[0]:
        made = made_whatif(code, lever_controls(every, lang, prefix), every)
        st.caption(text(code, "changed", n=len(made["changes"])))
        st.button(text(code, "reset"), on_click=reset, args=(prefix,), key="reset")
    run_base = base.scenario.with_changes(cfg.shortened()) if cfg.shortened() else base.scenario
    try:
        run_whatif = whatif.whatif_scenario(run_base, made["changes"], made["name"], made["label"])
    except ScenarioError as error:
        with tabs[0]:
            show_problems(code, "bad_whatif", error)
        run_whatif = None
    replications, pressed = run_panel(code, cfg, bool(made["changes"]) and run_whatif is not None)
    key = ""
    if run_whatif is not None:
        key = run_key(run_base, run_whatif, run_base.simulation.seed, replications)
        if pressed:
            start(code, key, (run_base, run_whatif), replications, Path(base.file).stem)
    with st.sidebar:
        st.fragment(progress, run_every=POLL_SECONDS)(code)
    ended(code)
    if not made["changes"]:
        with tabs[0]:
            st.info(text(code, "no_changes"))
    with notes:
        outcome = shown_outcome(code, key, bool(made["changes"]))
    result_tabs(code, list(tabs[1:5]), outcome)
    with tabs[5]:
        if run_whatif is None:
            st.caption(text(code, "bad_whatif"))
        else:
            downloads(code, base, made, outcome)


def main() -> None:
    """The page; any fault is one line on the page and a traceback in the server's log."""
    st.set_page_config(page_title="forlopsim", layout="wide")
    try:
        page()
    except Exception as error:  # the server must outlive any fault of one page
        log.exception("forlopsim app: the page failed")
        code = st.session_state.get("lang", "nb")
        st.error(text(code, "fault", error=f"{type(error).__name__}: {error}"))
