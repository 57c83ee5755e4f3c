"""The app's own words (controls, buttons, notes) in Norwegian bokmål and English.

Everything the app says about results comes from the report (:mod:`forlopsim.report.i18n`);
these are only the words around it.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "title": {"nb": "forlopsim: prøv et tiltak", "en": "forlopsim: try a what-if"},
    "intro": {
        "nb": "Velg et grunnscenario, endre tallene under «Tiltak», og trykk «Kjør» for å se "
        "virkningen med de samme ordene og figurene som i høringsrapporten.",
        "en": "Pick a base scenario, change the numbers under “What-if”, and press “Run” to see "
        "the effect in the same words and charts as the hearing report.",
    },
    "language": {"nb": "Språk", "en": "Language"},
    "base": {"nb": "Grunnscenario", "en": "Base scenario"},
    "base_from": {"nb": "Fra", "en": "From"},
    "from_folder": {"nb": "scenariomappen", "en": "the scenarios folder"},
    "from_upload": {"nb": "egen fil", "en": "my own file"},
    "upload": {"nb": "Last opp en scenariofil (YAML)", "en": "Upload a scenario file (YAML)"},
    "upload_first": {
        "nb": "Last opp en scenariofil for å begynne.",
        "en": "Upload a scenario file to begin.",
    },
    "no_folder": {
        "nb": "Fant ingen scenariofiler i {folder}; last opp en fil.",
        "en": "No scenario files in {folder}; upload one.",
    },
    "bad_file": {
        "nb": "Filen kan ikke brukes (samme meldinger som `forlopsim validate`):",
        "en": "The file cannot be used (the same messages as `forlopsim validate`):",
    },
    "bad_whatif": {
        "nb": "Tiltaket er ikke gyldig:",
        "en": "The what-if is not valid:",
    },
    "tab_levers": {"nb": "Tiltak", "en": "What-if"},
    "tab_summary": {"nb": "Sammendrag", "en": "Summary"},
    "tab_key_figures": {"nb": "Nøkkeltall", "en": "Key figures"},
    "tab_waiting": {"nb": "Ventelister", "en": "Waiting lists"},
    "tab_costs": {"nb": "Kostnader", "en": "Costs"},
    "tab_downloads": {"nb": "Last ned", "en": "Download"},
    "section:tiers": {"nb": "Boligplasser per trinn", "en": "Places per housing tier"},
    "section:crisis_beds": {"nb": "Krisesenger", "en": "Crisis beds"},
    "section:self_referral": {"nb": "Brukerstyrte senger", "en": "Self-referral beds"},
    "section:caseloads": {"nb": "Teamenes kapasitet", "en": "Teams' caseloads"},
    "section:evenings": {
        "nb": "Kveld og helg: åpningstider og teamenes kostnad",
        "en": "Evenings and weekends: hours on duty and the teams' cost",
    },
    "evenings_note": {
        "nb": "Lengre åpningstid endrer ikke teamets kostnad per dag av seg selv; endre den også.",
        "en": "Longer hours do not change a team's cost a day by themselves; change it too.",
    },
    "base_value": {"nb": "Grunnscenario: {value}", "en": "Base: {value}"},
    "changed": {"nb": "{n} endret", "en": "{n} changed"},
    "reset": {"nb": "Tilbake til grunnscenarioet", "en": "Back to the base"},
    "whatif_name": {"nb": "Navn på tiltaket", "en": "Name of the what-if"},
    "default_name": {"nb": "Mitt tiltak", "en": "My what-if"},
    "replications": {"nb": "Replikasjoner", "en": "Replications"},
    "replications_help": {
        "nb": "Flere replikasjoner gir smalere intervaller, men tar lengre tid. Rapporten "
        "bruker 10.",
        "en": "More replications give narrower intervals but take longer. The report uses 10.",
    },
    "estimate": {
        "nb": "Omtrent {seconds} s med dette valget (målt ved forrige kjøring).",
        "en": "About {seconds} s at this setting (measured in the last run).",
    },
    "no_estimate": {
        "nb": "En replikasjon av begge scenarioene tar noen sekunder på to kjerner.",
        "en": "One replication of both scenarios takes a few seconds on two cores.",
    },
    "shortened": {
        "nb": "Testmodus: hver kjøring simulerer bare {days} dager.",
        "en": "Test mode: every run simulates only {days} days.",
    },
    "run": {"nb": "Kjør", "en": "Run"},
    "cancel": {"nb": "Avbryt", "en": "Cancel"},
    "running": {
        "nb": "{done} av {total} replikasjoner, {seconds} s",
        "en": "{done} of {total} replications, {seconds} s",
    },
    "idle": {"nb": "Ingen kjøring pågår.", "en": "No run going."},
    "cancelling": {"nb": "Avbryter …", "en": "Cancelling …"},
    "cancelled": {"nb": "Kjøringen ble avbrutt.", "en": "The run was cancelled."},
    "busy": {
        "nb": "En kjøring pågår allerede; vent til den er ferdig eller avbryt den.",
        "en": "A run is already going; wait for it to end or cancel it.",
    },
    "failed": {"nb": "Kjøringen feilet: {error}", "en": "The run failed: {error}"},
    "no_changes": {
        "nb": "Ingen tall er endret ennå: endre et tall under «Tiltak».",
        "en": "No number changed yet: change one under “What-if”.",
    },
    "took": {
        "nb": "{replications} av begge scenarioene tok {seconds} s.",
        "en": "{replications} of both scenarios took {seconds} s.",
    },
    "from_cache": {
        "nb": "Disse innstillingene er kjørt før: resultatet vises straks.",
        "en": "These settings ran before: the result is shown at once.",
    },
    "press_run": {
        "nb": "Trykk «Kjør» for å se virkningen av disse endringene.",
        "en": "Press “Run” to see the effect of these changes.",
    },
    "stale": {
        "nb": "Resultatene under gjelder tidligere innstillinger; trykk «Kjør» for de nye.",
        "en": "The results below are for earlier settings; press “Run” for the new ones.",
    },
    "yaml_extends": {
        "nb": "Tiltaket som YAML (utvider {base})",
        "en": "The what-if as YAML (extends {base})",
    },
    "yaml_extends_help": {
        "nb": "Bare endringene; lagre filen ved siden av {base} (i scenariomappen), så godtar "
        "`forlopsim validate` den.",
        "en": "Only the changes; save it next to {base} (in the scenarios folder) and "
        "`forlopsim validate` accepts it.",
    },
    "yaml_complete": {"nb": "Tiltaket som komplett YAML", "en": "The what-if as complete YAML"},
    "yaml_complete_help": {
        "nb": "Alle tallene; gyldig alene, hvor som helst.",
        "en": "Every number; valid on its own, anywhere.",
    },
    "report_files": {"nb": "Rapporten", "en": "The report"},
    "html": {"nb": "Rapport (HTML)", "en": "Report (HTML)"},
    "pdf": {"nb": "Rapport (PDF)", "en": "Report (PDF)"},
    "xlsx": {"nb": "Nøkkeltabeller (Excel)", "en": "Key tables (Excel)"},
    "results_first": {
        "nb": "Resultatene kommer når tiltaket er kjørt.",
        "en": "The results come once the what-if has run.",
    },
    "run_first": {
        "nb": "Rapportfilene kommer når tiltaket er kjørt.",
        "en": "The report files come once the what-if has run.",
    },
    "fault": {
        "nb": "Noe gikk galt: {error}. Appen kjører videre.",
        "en": "Something went wrong: {error}. The app keeps running.",
    },
}
"""The app's words by key and language."""


def text(code: str, key: str, **values: object) -> str:
    """The words of ``key`` in language ``code`` (``nb`` or ``en``), with ``values`` filled in."""
    entry = TEXTS.get(key)
    words = entry[code] if entry else key
    return words.format(**values) if values else words
