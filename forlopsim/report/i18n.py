"""The report's words and numbers in Norwegian (bokmål) and English.

Every string a reader of the hearing report sees goes through :class:`Language`: ``lang.t(key,
**values)`` looks the key up in :data:`CATALOGUE` and fills in the values; ``lang.number`` and
``lang.signed`` format numbers the language's way (babel's CLDR data: ``1 234,5`` with a
non-breaking space in bokmål, ``1,234.5`` in English).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from babel.numbers import format_decimal

LANGUAGES = ("nb", "en")
"""Languages the report is written in; ``nb`` is the default."""

LOCALES = {"nb": "nb_NO", "en": "en_GB"}

CATALOGUE: dict[str, dict[str, str]] = {
    # -- document ----------------------------------------------------------------------------
    "title": {
        "nb": "Budsjetthøring: hva hvert tiltak gir og koster",
        "en": "Budget hearing: what each what-if buys and what it costs",
    },
    "subtitle": {
        "nb": "{base} sammenlignet med {n} tiltak · {replications} replikasjoner · {years} observerte år",
        "en": "{base} compared with {n} what-ifs · {replications} replications · {years} observed years",
    },
    "summary": {"nb": "Sammendrag", "en": "Summary"},
    "replications_precise": {
        "nb": "Antall replikasjoner: {n}, kjørt til hver hovedendring var innenfor ±{target} av "
        "grunnscenarioets nivå og holdt seg der i {look} replikasjoner til (Hoad, Robinson og "
        "Davies 2010).",
        "en": "Replications: {n}, run until every headline change was within ±{target} of the "
        "base's level and stayed so for {look} more (Hoad, Robinson and Davies 2010).",
    },
    "replications_few": {
        "nb": "Bare {n} replikasjoner: endringer som er funnet, kan forsvinne med flere. Kjør med "
        "--precision 0.05 for å kjøre til hovedendringene er innenfor ±5 % av grunnscenarioet.",
        "en": "Only {n} replications: changes found may vanish with more. Run with "
        "--precision 0.05 to run until the headline changes are within ±5% of the base.",
    },
    "replications_maximum": {
        "nb": "Antall replikasjoner: {n}, det høyeste tillatte; ikke alle hovedendringer nådde "
        "±{target} av grunnscenarioets nivå (minst presis: ±{achieved}). Les dem med forsiktighet.",
        "en": "Replications: {n}, the maximum allowed; not every headline change reached "
        "±{target} of the base's level (least precise: ±{achieved}). Read them with care.",
    },
    "summary_intro": {
        "nb": "Hvert tiltak er simulert med de samme tilfeldige tallene som grunnscenarioet. En endring nevnes bare når den neppe skyldes tilfeldigheter etter Holms korreksjon for antall sammenligninger (bare for hovedtallene), eller når den er den samme i hver replikasjon; ellers står det at den ikke endret seg målbart. Tall i parentes er 95 %-konfidensintervallet for endringen.",
        "en": "Each what-if was simulated with the same random numbers as the base. A change is mentioned only when it is unlikely to be chance after Holm's correction for the number of comparisons (headline figures only), or when it is the same in every replication; otherwise the text says it did not measurably change. Figures in brackets are the change's 95% confidence interval.",
    },
    "changed": {
        "nb": "{what} {change} ({low} til {high})",
        "en": "{what} {change} ({low} to {high})",
    },
    "changed_fixed": {
        "nb": "{what} {change} (lik i hver replikasjon)",
        "en": "{what} {change} (the same in every replication)",
    },
    "unchanged": {
        "nb": "Ingen målbar endring i: {what}.",
        "en": "Did not measurably change: {what}.",
    },
    "no_changes": {
        "nb": "Ingen av hovedtallene endret seg målbart",
        "en": "None of the headline figures changed measurably",
    },
    "cost_change": {
        "nb": "driftskostnad {change} mill. kr i året ({low} til {high})",
        "en": "running cost {change} million NOK a year ({low} to {high})",
    },
    "cost_change_fixed": {
        "nb": "driftskostnad {change} mill. kr i året (lik i hver replikasjon)",
        "en": "running cost {change} million NOK a year (the same in every replication)",
    },
    "cost_same": {
        "nb": "driftskostnaden endret seg ikke målbart",
        "en": "the running cost did not measurably change",
    },
    "one_off": {"nb": "pluss {value} mill. kr én gang", "en": "plus {value} million NOK once"},
    "tables": {"nb": "Nøkkeltall", "en": "Key figures"},
    "tables_intro": {
        "nb": "Gjennomsnitt over replikasjonene. Δ er gjennomsnittet av de parvise forskjellene tiltak − {base}, med 95 %-konfidensintervall; en forskjell som er lik i hver replikasjon, er et fast tall og står uten intervall. {mark} betyr en forskjell som neppe skyldes tilfeldigheter etter Holms korreksjon for {comparisons} sammenligninger (bare hovedtallene testes; andre tall står med intervall og uten merke).",
        "en": "Means over the replications. Δ is the mean of the paired differences what-if − {base}, with its 95% confidence interval; a difference that is the same in every replication is a fixed number and has no interval. {mark} marks a difference unlikely to be chance after Holm's correction for {comparisons} comparisons (only the headline figures are tested; the others show their interval without a mark).",
    },
    "fixed": {"nb": "lik i hver replikasjon", "en": "same in every replication"},
    "kpi": {"nb": "Nøkkeltall", "en": "KPI"},
    "ci": {"nb": "95 % KI", "en": "95% CI"},
    "charts": {"nb": "Figurer", "en": "Charts"},
    "assumptions": {"nb": "Forutsetninger", "en": "Assumptions"},
    "changes_from_base": {
        "nb": "Endringer fra {base} i {whatif}",
        "en": "Changes from {base} in {whatif}",
    },
    "field": {"nb": "Felt", "en": "Field"},
    "none_changed": {"nb": "(ingen felt endret)", "en": "(no field changed)"},
    "run_facts": {"nb": "Kjøringen", "en": "The run"},
    "fact_replications": {"nb": "Replikasjoner", "en": "Replications"},
    "fact_seed": {"nb": "Frø (seed)", "en": "Seed"},
    "fact_horizon": {"nb": "Tidshorisont", "en": "Horizon"},
    "fact_warmup": {"nb": "Innsvingingsperiode", "en": "Warm-up"},
    "fact_version": {"nb": "forlopsim-versjon", "en": "forlopsim version"},
    "fact_date": {"nb": "Dato", "en": "Date"},
    "fact_crn": {"nb": "Felles tilfeldige tall", "en": "Common random numbers"},
    "yes": {"nb": "ja", "en": "yes"},
    "days_years": {"nb": "{days} dager ({years} år)", "en": "{days} days ({years} years)"},
    "caption": {"nb": "Figur {n}. {title}", "en": "Figure {n}. {title}"},
    # -- headline KPIs (summary sentences) --------------------------------------------------
    "s_waiting_housing": {
        "nb": "personer på venteliste til bolig",
        "en": "residents on a housing waiting list",
    },
    "s_wait_tier": {
        "nb": "median ventetid på {tier}",
        "en": "median waiting days for {tier}",
    },
    "s_placed_tier": {
        "nb": "andel tildelt {tier} innen 365 dager",
        "en": "share placed in {tier} within 365 days",
    },
    "growth_lead": {"nb": "Ventelister som vokser: ", "en": "Lists that keep growing: "},
    "growth_list": {
        "nb": "Ventelisten til {place} vokser med om lag {growth} personer over de {years} "
        "observerte årene {where}.",
        "en": "The waiting list for {place} grows by about {growth} people over the {years} "
        "observed years {where}.",
    },
    "growth_place": {
        "nb": "Antallet i {place} vokser med om lag {growth} personer over de {years} observerte "
        "årene {where}.",
        "en": "The number in {place} grows by about {growth} people over the {years} observed "
        "years {where}.",
    },
    "growth_everywhere": {"nb": "i alle scenarioene", "en": "in every scenario"},
    "growth_in": {"nb": "i {names}", "en": "in {names}"},
    "growth_meaning": {
        "nb": "Der en liste ikke stabiliserer seg, avhenger gjennomsnittlig ventetid og listens "
        "lengde av hvor lenge modellen kjører.",
        "en": "Where a list does not settle, its mean wait and its length depend on how long the "
        "model runs.",
    },
    "s_homeless": {"nb": "bostedsløse (gjennomsnitt)", "en": "residents homeless"},
    "s_return": {
        "nb": "tilbakefall til bostedsløshet innen 12 måneder",
        "en": "returns to homelessness within 12 months",
    },
    "s_readmission": {"nb": "reinnleggelser innen 90 dager", "en": "readmissions within 90 days"},
    "s_turn_away": {
        "nb": "kriser der ingen krisesengplass var ledig",
        "en": "crises that found no crisis bed free",
    },
    # -- table sections and KPI labels -------------------------------------------------------
    "Median wait to placement (days), per housing tier": {
        "nb": "Median ventetid til tildeling (dager), per botilbud",
        "en": "Median wait to placement (days), per housing tier",
    },
    "Placed within 365 days, per housing tier": {
        "nb": "Tildelt innen 365 dager, per botilbud",
        "en": "Placed within 365 days, per housing tier",
    },
    "Housing lists: placed per year": {
        "nb": "Ventelister til bolig: tildelt per år",
        "en": "Housing lists: placed per year",
    },
    "Housing lists: left the list per year": {
        "nb": "Ventelister til bolig: gått av listen per år",
        "en": "Housing lists: left the list per year",
    },
    "Housing lists: left the model per year": {
        "nb": "Ventelister til bolig: død, flyttet eller friskmeldt per år",
        "en": "Housing lists: left the model per year",
    },
    "Housing lists: still waiting at the end": {
        "nb": "Ventelister til bolig: venter fortsatt ved slutten",
        "en": "Housing lists: still waiting at the end",
    },
    "Median wait for follow-up (days), per unit": {
        "nb": "Median ventetid på oppfølging (dager), per enhet",
        "en": "Median wait for follow-up (days), per unit",
    },
    "Follow-up within 365 days, per unit": {
        "nb": "Oppfølging innen 365 dager, per enhet",
        "en": "Follow-up within 365 days, per unit",
    },
    "Follow-up lists: started per year": {
        "nb": "Ventelister til oppfølging: startet per år",
        "en": "Follow-up lists: started per year",
    },
    "Follow-up lists: still waiting at the end": {
        "nb": "Ventelister til oppfølging: venter fortsatt ved slutten",
        "en": "Follow-up lists: still waiting at the end",
    },
    "Median wait for an institution (days)": {
        "nb": "Median ventetid på institusjon (dager)",
        "en": "Median wait for an institution (days)",
    },
    "Admitted within 365 days, institutions": {
        "nb": "Innlagt innen 365 dager, institusjoner",
        "en": "Admitted within 365 days, institutions",
    },
    "Institution lists: admitted per year": {
        "nb": "Ventelister til institusjon: innlagt per år",
        "en": "Institution lists: admitted per year",
    },
    "Institution lists: still waiting at the end": {
        "nb": "Ventelister til institusjon: venter fortsatt ved slutten",
        "en": "Institution lists: still waiting at the end",
    },
    "Utilisation, housing tiers": {"nb": "Belegg, botilbud", "en": "Utilisation, housing tiers"},
    "Utilisation, teams": {"nb": "Belegg, team", "en": "Utilisation, teams"},
    "Utilisation, crisis beds": {"nb": "Belegg, krisesenger", "en": "Utilisation, crisis beds"},
    "Utilisation, institutions": {"nb": "Belegg, institusjoner", "en": "Utilisation, institutions"},
    "Crisis beds: turn-away probability": {
        "nb": "Krisesenger: sannsynlighet for avvisning",
        "en": "Crisis beds: turn-away probability",
    },
    "Revolving door": {"nb": "Svingdør", "en": "Revolving door"},
    "Homelessness": {"nb": "Bostedsløshet", "en": "Homelessness"},
    "Residents": {"nb": "Innbyggere", "en": "Residents"},
    "Outcomes per year": {"nb": "Utfall per år", "en": "Outcomes per year"},
    "Cost, NOK million": {"nb": "Kostnad, mill. kr", "en": "Cost, NOK million"},
    "return_to_homelessness_12m": {
        "nb": "tilbake til bostedsløshet innen 12 mnd.",
        "en": "return to homelessness within 12 months",
    },
    "readmission_90d": {"nb": "reinnleggelse innen 90 dager", "en": "readmission within 90 days"},
    "homeless_days_per_resident_year": {
        "nb": "bostedsløse dager per innbyggerår",
        "en": "homeless days per resident-year",
    },
    "homeless_mean": {"nb": "bostedsløse (gjennomsnitt)", "en": "residents homeless (mean)"},
    "residents_in_services": {
        "nb": "i tjenester (oppfølging eller lavterskel)",
        "en": "in services (follow-up or low-threshold)",
    },
    "residents_in_low_threshold": {
        "nb": "i lavterskeltjenester",
        "en": "in low-threshold services",
    },
    "per_year.deaths": {"nb": "dødsfall", "en": "deaths"},
    "per_year.death_overdose": {"nb": "overdosedødsfall", "en": "overdose deaths"},
    "per_year.recovery": {"nb": "bedring", "en": "recoveries"},
    "per_year.moved": {"nb": "flyttet", "en": "moved away"},
    "cost_per_year.total": {"nb": "per år, alle betalere", "en": "per year, all payers"},
    "cost_per_year.payer.municipality": {"nb": "per år, kommunen", "en": "per year, municipality"},
    "cost_per_year.payer.specialist": {
        "nb": "per år, spesialisthelsetjenesten",
        "en": "per year, specialist service",
    },
    "cost_per_year.payer.other": {"nb": "per år, andre betalere", "en": "per year, other payers"},
    "cost_per_resident_year": {"nb": "per innbyggerår", "en": "per resident-year"},
    "cost_one_off.new_places": {"nb": "engangskostnad, nye plasser", "en": "one-off, new places"},
    "unit_pp": {"nb": " %-poeng", "en": " pp"},
    "unit_percent": {"nb": " %", "en": "%"},
    # -- charts ------------------------------------------------------------------------------
    "footnote": {
        "nb": "{replications} replikasjoner; feilfelt og bånd: 95 %-konfidensintervall",
        "en": "{replications} replications; error bars and bands: 95% confidence interval",
    },
    "footnote_pooled": {
        "nb": "{replications} replikasjoner; plasseringer fra alle replikasjoner slått sammen",
        "en": "{replications} replications; placements of all replications pooled",
    },
    "footnote_flow": {
        "nb": "{replications} replikasjoner; pilbredde ∝ flyttinger per år (gjennomsnitt); bare de {top} største strømmene",
        "en": "{replications} replications; arrow width ∝ moves per year (mean); the {top} largest flows only",
    },
    "chart_waits": {
        "nb": "Ventetid per botilbud og enhet",
        "en": "Waiting time per housing tier and unit",
    },
    "chart_waits_tier": {"nb": "Botilbud", "en": "Housing tier"},
    "chart_waits_unit": {"nb": "Oppfølging, per enhet", "en": "Follow-up, per unit"},
    "waiting_days": {
        "nb": "Ventedager (median, Kaplan–Meier)",
        "en": "Waiting days (median, Kaplan–Meier)",
    },
    "chart_occupancy": {
        "nb": "Belegg over tid, botilbud",
        "en": "Occupancy over time, housing tiers",
    },
    "occupied": {"nb": "Beboere", "en": "Residents"},
    "years": {"nb": "År fra start", "en": "Years from start"},
    "capacity": {"nb": "kapasitet", "en": "capacity"},
    "warmup_end": {"nb": "slutt på innsvinging", "en": "end of warm-up"},
    "chart_revolving": {
        "nb": "Svingdør: tilbakefall og reinnleggelse",
        "en": "Revolving door: returns and readmissions",
    },
    "share_percent": {"nb": "Andel (%)", "en": "Share (%)"},
    "chart_turn_away": {"nb": "Avvisninger fra krisesenger", "en": "Crisis-bed turn-aways"},
    "turn_away_percent": {"nb": "Forespørsler avvist (%)", "en": "Requests turned away (%)"},
    "chart_cost": {
        "nb": "Driftskostnad per år etter type tilbud",
        "en": "Running cost per year by item",
    },
    "cost_mnok": {"nb": "Mill. kr per år", "en": "NOK million a year"},
    "chart_cost_effect": {"nb": "Kostnad mot effekt", "en": "Cost against effect"},
    "homeless_days_avoided": {
        "nb": "Bostedsløse dager unngått per år",
        "en": "Homeless days avoided per year",
    },
    "extra_cost_mnok": {
        "nb": "Ekstra driftskostnad (mill. kr per år)",
        "en": "Extra running cost (NOK million a year)",
    },
    "per_day_avoided": {
        "nb": "{value} kr per unngått bostedsløs dag",
        "en": "NOK {value} per homeless day avoided",
    },
    "effect_not_measurable": {"nb": "effekt ikke målbar", "en": "effect not measurable"},
    "cost_effect_sentence": {
        "nb": "Kostnad per unngått bostedsløs dag: {value} kr.",
        "en": "Cost per homeless day avoided: NOK {value}.",
    },
    "cost_effect_none": {
        "nb": "Kostnad per unngått bostedsløs dag beregnes ikke: effekten er ikke målbar.",
        "en": "No cost per homeless day avoided: the effect is not measurable.",
    },
    "cost_effect_free": {
        "nb": "Færre bostedsløse dager og lavere kostnad.",
        "en": "Fewer homeless days at a lower cost.",
    },
    "chart_retention": {
        "nb": "Bostabilitet: andel fortsatt i boligen (Kaplan–Meier)",
        "en": "Housing retention: share still housed (Kaplan–Meier)",
    },
    "months_since": {"nb": "Måneder etter innflytting", "en": "Months since placement"},
    "still_housed": {"nb": "Fortsatt i boligen (%)", "en": "Still housed (%)"},
    "chart_flow": {
        "nb": "Flyttinger mellom tilbud, {scenario}",
        "en": "Moves between places, {scenario}",
    },
    "per_year": {"nb": "per år", "en": "per year"},
    "referred": {"nb": "henvist", "en": "referred"},
    "exited": {"nb": "ut", "en": "left"},
    "homeless": {"nb": "bostedsløs", "en": "homeless"},
    "no_data": {"nb": "ingen data", "en": "no data"},
    # -- kinds of place (cost items) ---------------------------------------------------------
    "kind_tier": {"nb": "botilbud", "en": "housing"},
    "kind_team": {"nb": "oppfølging", "en": "follow-up"},
    "kind_crisis_bed": {"nb": "krisesenger", "en": "crisis beds"},
    "kind_institution": {"nb": "institusjoner", "en": "institutions"},
    "kind_low_threshold": {"nb": "lavterskel", "en": "low-threshold"},
    # -- the workbook (report.xlsx): sheet names (at most 31 characters), headers, units ---
    "sheet_summary": {"nb": "Sammendrag", "en": "Summary"},
    "sheet_key_figures": {"nb": "Nøkkeltall", "en": "Key figures"},
    "sheet_costs": {"nb": "Kostnader per år", "en": "Costs by year"},
    "sheet_waiting_lists": {"nb": "Ventelister", "en": "Waiting lists"},
    "sheet_about": {"nb": "Om rapporten", "en": "About"},
    "x_whatif": {"nb": "tiltak", "en": "what-if"},
    "x_base": {"nb": "grunnscenario", "en": "base"},
    "x_scenario": {"nb": "scenario", "en": "scenario"},
    "x_scenario_role": {"nb": "Scenario {label} ({role})", "en": "Scenario {label} ({role})"},
    "x_section": {"nb": "del", "en": "section"},
    "x_kpi_id": {"nb": "nøkkeltall (navn)", "en": "KPI (name)"},
    "x_base_mean": {"nb": "grunnscenario, gjennomsnitt", "en": "base mean"},
    "x_whatif_mean": {"nb": "tiltak, gjennomsnitt", "en": "what-if mean"},
    "x_difference": {"nb": "forskjell", "en": "difference"},
    "x_ci_low": {"nb": "95 % KI, nedre", "en": "95% CI, low"},
    "x_ci_high": {"nb": "95 % KI, øvre", "en": "95% CI, high"},
    "x_significant": {"nb": "KI utelukker null", "en": "CI excludes zero"},
    "x_unit": {"nb": "enhet", "en": "unit"},
    "x_mean": {"nb": "gjennomsnitt", "en": "mean"},
    "x_n": {"nb": "replikasjoner", "en": "replications"},
    "x_item": {"nb": "post", "en": "item"},
    "x_kind": {"nb": "type", "en": "kind"},
    "x_place": {"nb": "tilbud", "en": "place"},
    "x_measure": {"nb": "mål", "en": "measure"},
    "x_field": {"nb": "felt", "en": "field"},
    "x_value": {"nb": "verdi", "en": "value"},
    "x_description": {"nb": "beskrivelse", "en": "description"},
    "x_horizon_days": {"nb": "Tidshorisont (dager)", "en": "Horizon (days)"},
    "x_warmup_days": {"nb": "Innsvingingsperiode (dager)", "en": "Warm-up (days)"},
    "m_waiting_mean": {"nb": "på listen (gjennomsnitt)", "en": "on the list (mean)"},
    "m_still_waiting": {
        "nb": "venter fortsatt ved slutten",
        "en": "still waiting at the end",
    },
    "m_wait_median": {
        "nb": "median ventetid (Kaplan–Meier)",
        "en": "median wait (Kaplan–Meier)",
    },
    "m_placed_365d": {"nb": "tildelt innen 365 dager", "en": "placed within 365 days"},
    "unit:days": {"nb": "dager", "en": "days"},
    "unit:share": {"nb": "andel", "en": "share"},
    "unit:per year": {"nb": "per år", "en": "per year"},
    "unit:bed-days per year": {"nb": "liggedøgn per år", "en": "bed-days per year"},
    "unit:contracts": {"nb": "avtaler", "en": "contracts"},
    "unit:stays per contract-year": {"nb": "opphold per avtaleår", "en": "stays per contract-year"},
    "unit:residents": {"nb": "personer", "en": "residents"},
    "unit:places": {"nb": "plasser", "en": "places"},
    "unit:placements": {"nb": "tildelinger", "en": "placements"},
    "unit:episodes": {"nb": "episoder", "en": "episodes"},
    "unit:days per resident-year": {
        "nb": "dager per innbyggerår",
        "en": "days per resident-year",
    },
    "unit:per 100 resident-years": {
        "nb": "per 100 innbyggerår",
        "en": "per 100 resident-years",
    },
    "unit:NOK per year": {"nb": "kr per år", "en": "NOK per year"},
    "unit:NOK": {"nb": "kr", "en": "NOK"},
    # -- parameter uncertainty (--uncertainty; forlopsim/report/uncertainty.py) --------------
    "unc_heading": {"nb": "Usikre forutsetninger", "en": "Uncertain assumptions"},
    "unc_intro": {
        "nb": "Noen av modellens tall kjenner vi ikke sikkert ({parameters}). De ble trukket {draws} ganger innenfor sine usikkerhetsområder; hver trekning ble brukt både på grunnscenarioet og på hvert tiltak, som hver ble kjørt {replications} replikasjoner med de samme tilfeldige tallene. Sjansen for bedring er andelen trekninger der tiltaket senket tallet (der høyere er bedre: hevet det). Området er 2,5- til 97,5-persentilen av endringen over trekningene. Andelen støy er den delen av spredningen mellom trekningene som skyldes tilfeldig variasjon i simuleringen, ikke det vi ikke vet (probabilistisk sensitivitetsanalyse, Briggs mfl. 2012; O'Hagan, Stevenson og Madan 2007).",
        "en": "Some of the model's numbers are not known for certain ({parameters}). They were drawn {draws} times within their ranges of uncertainty; each draw was applied to the base and to every what-if, each run {replications} replications with the same random numbers. The chance of improving is the share of draws in which the what-if lowered the figure (where higher is better: raised it). The range is the 2.5th to 97.5th percentile of the change over the draws. The share of noise is the part of the spread between draws that is due to the simulation's chance variation rather than to what we do not know (probabilistic sensitivity analysis, Briggs et al. 2012; O'Hagan, Stevenson and Madan 2007).",
    },
    "unc_chart": {
        "nb": "Endring med usikre forutsetninger",
        "en": "Change under uncertain assumptions",
    },
    "unc_axis": {
        "nb": "endring i % av grunnscenarioets nivå",
        "en": "change in % of the base's level",
    },
    "unc_footnote": {
        "nb": "{draws} trekninger × {replications} replikasjoner; prikker: trekninger; stolpe: 2,5–97,5-persentil; ruter: gjennomsnitt",
        "en": "{draws} draws × {replications} replications; dots: draws; bar: 2.5–97.5 percentile; diamond: mean",
    },
    "unc_chance": {"nb": "bedring: {chance}", "en": "improves: {chance}"},
    "unc_range": {"nb": "{low} til {high}", "en": "{low} to {high}"},
    "unc_col_whatif": {"nb": "Tiltak", "en": "What-if"},
    "unc_col_kpi": {"nb": "Tall", "en": "Figure"},
    "unc_col_change": {"nb": "Endring", "en": "Change"},
    "unc_col_chance": {"nb": "Sjanse for bedring", "en": "Chance it improves"},
    "unc_col_range": {"nb": "Område over trekninger", "en": "Range over draws"},
    "unc_col_noise": {"nb": "Andel støy", "en": "Share of noise"},
    "unc_kpi:residents_waiting.housing": {
        "nb": "venter på bolig (gjennomsnitt)",
        "en": "waiting for housing (mean)",
    },
    "unc_kpi:turned_away_crises.share": {
        "nb": "kriser avvist fra krisesenger",
        "en": "crises turned away from crisis beds",
    },
    "unc_kpi:wait_to_placement_median.tier.staffed_24h": {
        "nb": "median ventetid, heldøgns bemannet (dager)",
        "en": "median wait, 24h staffed housing (days)",
    },
}
"""Every user-visible string of the report, by key and language."""


@dataclass(frozen=True)
class Language:
    """Words and number formats of one language (``nb`` or ``en``)."""

    code: str = "nb"

    def __post_init__(self) -> None:
        if self.code not in LANGUAGES:
            raise ValueError(f"language {self.code!r}: expected one of {', '.join(LANGUAGES)}")

    def t(self, key: str, **values: object) -> str:
        """The text of ``key`` in this language, with ``values`` filled in."""
        entry = CATALOGUE.get(key)
        text = entry[self.code] if entry else key
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        """Whether the catalogue has ``key``."""
        return key in CATALOGUE

    def number(self, value: float, decimals: int = 1) -> str:
        """``value`` with ``decimals`` decimals, grouped: ``1 234,5`` (nb), ``1,234.5`` (en)."""
        if value is None or math.isnan(value):
            return "–"
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
        return format_decimal(value, format=pattern, locale=LOCALES[self.code])

    def signed(self, value: float, decimals: int = 1) -> str:
        """A change: with its sign (``+`` or a minus sign, ``−``)."""
        if value is None or math.isnan(value):
            return "–"
        text = self.number(abs(value), decimals)
        if text.strip("0,. \u00a0") == "":
            return "±" + text
        return ("+" if value > 0 else "\u2212") + text

    def place(self, name: str) -> str:
        """A place's name from a scenario, readable (``staffed_24h`` → ``staffed 24h``)."""
        return name.replace("_", " ")
