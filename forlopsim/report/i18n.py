"""The report's words and numbers in Norwegian (bokmål) and English.

Every string a reader of the hearing report sees goes through :class:`Language`: ``lang.t(key,
**values)`` looks the key up in :data:`CATALOGUE` and fills in the values; ``lang.number`` and
``lang.signed`` format numbers the language's way (babel's CLDR data: ``1 234,5`` with a
non-breaking space in bokmål, ``1,234.5`` in English).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from babel.numbers import format_decimal

LANGUAGES = ("nb", "en")
"""Languages the report is written in; ``nb`` is the default."""

LOCALES = {"nb": "nb_NO", "en": "en_GB"}

CATALOGUE: dict[str, dict[str, str]] = {
    # -- document ----------------------------------------------------------------------------
    # -- page 1 ------------------------------------------------------------------------------
    "page1": {"nb": "Tiltakene på én side", "en": "The what-ifs on one page"},
    "page1_intro": {
        "nb": "Hver linje sier hva tiltaket gir per år sammenlignet med {base}, hva det koster kommunen og spesialisthelsetjenesten, og hvor sikre vi er. «Sikkert» betyr at forskjellen neppe skyldes tilfeldigheter (hovedtall etter Holms korreksjon, eller lik i hver replikasjon); «trolig» at 95 %-intervallet ikke omfatter null; «kan være tilfeldig» at vi ikke kan skille den fra null.",
        "en": "Each line says what the what-if buys per year compared with {base}, what it costs the municipality and the specialist service, and how sure we are. 'Sure' means the difference is unlikely to be chance (headline figures after Holm's correction, or the same in every replication); 'likely' that its 95% interval excludes zero; 'may be chance' that we cannot tell it from zero.",
    },
    "p1_buys": {"nb": "Gir per år: {what}.", "en": "Buys per year: {what}."},
    "p1_costs": {
        "nb": "Koster per år: kommunen {municipality}, spesialisthelsetjenesten {specialist}; én gang: {once}.",
        "en": "Costs per year: the municipality {municipality}, the specialist service {specialist}; once: {once}.",
    },
    "p1_sure": {"nb": "Hvor sikkert: {what}.", "en": "How sure: {what}."},
    "p1_group_sure": {"nb": "sikkert for {what}", "en": "sure for {what}"},
    "p1_group_likely": {"nb": "trolig for {what}", "en": "likely for {what}"},
    "p1_group_chance": {"nb": "kan være tilfeldig for {what}", "en": "may be chance for {what}"},
    "and": {"nb": " og ", "en": " and "},
    "mnok": {"nb": "{value} mill. kr", "en": "NOK {value} million"},
    "nothing": {"nb": "ingenting", "en": "nothing"},
    "e_nothing": {
        "nb": "ingen av de fire målene endret seg",
        "en": "none of the four measures changed",
    },
    "e_homeless_fewer": {
        "nb": "{n} færre bostedsløse til enhver tid",
        "en": "{n} fewer people homeless at any time",
    },
    "e_homeless_more": {
        "nb": "{n} flere bostedsløse til enhver tid",
        "en": "{n} more people homeless at any time",
    },
    "e_homeless_same": {"nb": "like mange bostedsløse", "en": "as many people homeless"},
    "e_homeless_what": {"nb": "bostedsløse", "en": "homelessness"},
    "e_readmissions_fewer": {
        "nb": "{n} færre reinnleggelser innen 90 dager",
        "en": "{n} fewer readmissions within 90 days",
    },
    "e_readmissions_more": {
        "nb": "{n} flere reinnleggelser innen 90 dager",
        "en": "{n} more readmissions within 90 days",
    },
    "e_readmissions_same": {"nb": "like mange reinnleggelser", "en": "as many readmissions"},
    "e_readmissions_what": {"nb": "reinnleggelser", "en": "readmissions"},
    "e_wait_24h_fewer": {
        "nb": "{n} dager kortere median ventetid på døgnbemannet bolig",
        "en": "a median wait for 24h staffed housing {n} days shorter",
    },
    "e_wait_24h_more": {
        "nb": "{n} dager lengre median ventetid på døgnbemannet bolig",
        "en": "a median wait for 24h staffed housing {n} days longer",
    },
    "e_wait_24h_same": {
        "nb": "samme ventetid på døgnbemannet bolig",
        "en": "the same wait for 24h staffed housing",
    },
    "e_wait_24h_what": {"nb": "ventetiden", "en": "the wait"},
    "e_ready_days_fewer": {
        "nb": "{n} færre døgn på sykehus for pasienter som venter på bolig",
        "en": "{n} fewer days in hospital for patients waiting for a home",
    },
    "e_ready_days_more": {
        "nb": "{n} flere døgn på sykehus for pasienter som venter på bolig",
        "en": "{n} more days in hospital for patients waiting for a home",
    },
    "e_ready_days_same": {
        "nb": "like mange sykehusdøgn i påvente av bolig",
        "en": "as many hospital days waiting for a home",
    },
    "e_ready_days_what": {"nb": "sykehusdøgnene", "en": "the hospital days"},
    "e_cost_what": {"nb": "driftskostnaden", "en": "the running cost"},
    "details": {"nb": "Tiltakene i detalj", "en": "The what-ifs in detail"},
    "appendix_tables": {"nb": "Vedlegg A: Nøkkeltall", "en": "Appendix A: Key figures"},
    "contents": {"nb": "Innhold", "en": "Contents"},
    # -- details, crisis beds ---------------------------------------------------------------
    "what_it_is": {"nb": "Hva tiltaket er: ", "en": "What it is: "},
    "changes_lead": {"nb": "Hva som endret seg: ", "en": "What changed: "},
    "who_waits": {
        "nb": " (søkere uten bolig {without}, søkere som har bolig og vil flytte {housed})",
        "en": " (applicants without a home {without}, applicants who are housed and want to move {housed})",
    },
    "of_replications": {"nb": " ({n} av {total})", "en": " ({n} of {total})"},
    "crisis_intro": {
        "nb": "Krisesenger per år, grunnscenario → tiltak. Andelen avvist står bare ved antallet: nye senger får egne forespørsler, så andelen av alle forespørsler som avvises kan stige selv om langt flere blir lagt inn.",
        "en": "Crisis beds per year, base → what-if. The share turned away stands only beside its count: new beds bring their own requests, so the share of all requests turned away can rise while far more are admitted.",
    },
    "all_beds": {"nb": "alle krisesenger", "en": "all crisis beds"},
    "intake_intro": {
        "nb": "Hvor nye beboere kommer fra, per år etter grunnen til søknaden, grunnscenario → tiltak: ",
        "en": "Where new residents come from, per year by the reason they applied, base → what-if: ",
    },
    "bed_kind": {"nb": "Type seng", "en": "Bed kind"},
    "requests": {"nb": "Forespørsler", "en": "Requests"},
    "admissions": {"nb": "Innleggelser", "en": "Admissions"},
    "turn_aways": {"nb": "Avvist (andel)", "en": "Turned away (share)"},
    # -- STRESS-DES appendix -----------------------------------------------------------------
    "stress": {
        "nb": "Vedlegg B: Modellen og kjøringen (STRESS-DES)",
        "en": "Appendix B: The model and the run (STRESS-DES)",
    },
    "stress_intro": {
        "nb": "Rapportert etter retningslinjen STRESS-DES for simuleringsstudier (Monks mfl. 2019), laget fra scenarioet og denne kjøringen.",
        "en": "Reported following the STRESS-DES guideline for simulation studies (Monks et al. 2019), generated from the scenario and this run.",
    },
    "stress_purpose": {"nb": "Formål", "en": "Purpose"},
    "stress_purpose_text": {
        "nb": "Å vise en budsjettkomité hva hvert tiltak gir og koster sammenlignet med i dag, for personer med rusproblemer og psykiske lidelser i Trondheim. Grunnscenarioet: {base}",
        "en": "To show a budget committee what each what-if buys and costs compared with today, for people with substance-use problems and mental illness in Trondheim. The base: {base}",
    },
    "stress_logic": {"nb": "Modellens logikk", "en": "Model logic"},
    "stress_logic_text": {
        "nb": "En diskret hendelsessimulering (SimPy). Personer henvises fra flere kilder og står på venteliste til bolig og oppfølging. Et tildelingskontor fordeler ledige plasser etter søkernes grunn (utskrivningsklare, bostedsløse, leieforhold i fare, klare for lavere trinn). Kriser gir forespørsel om krisesenger (avvises når alle er fulle) eller innleggelse i institusjon; leieforhold kan bryte sammen, behov endrer seg, og personer blir bedre, flytter eller dør. Kostnadene regnes per plass eller per fulgt person per dag og fordeles på betalerne.",
        "en": "A discrete-event simulation (SimPy). People are referred from several sources and wait on lists for housing and follow-up. An allocation office gives free places by the applicants' reason (ready for discharge, homeless, tenancy at risk, ready to step down). Crises lead to requests for crisis beds (turned away when all are full) or admission to an institution; tenancies may break down, needs change, and people recover, move away or die. Costs are counted per place or per person followed a day and split by payer.",
    },
    "stress_entities": {"nb": "Enheter", "en": "Entities"},
    "stress_entities_text": {
        "nb": "Hver person har kjønn, aldersgruppe, problem (rus, psykisk lidelse eller begge), voldsrisiko og et behov for støtte fra 1 (lett) til 4 (døgnbemannet), som kan endre seg.",
        "en": "Each person has a sex, an age group, a problem (substance use, mental illness or both), a risk of violence and a need for support from 1 (light) to 4 (24h staffed), which can change.",
    },
    "stress_resources": {"nb": "Ressurser og køer", "en": "Resources and queues"},
    "r_capacity": {"nb": "Kapasitet", "en": "Capacity"},
    "r_queue": {"nb": "Når fullt", "en": "When full"},
    "r_unbounded": {"nb": "ubegrenset", "en": "unbounded"},
    "r_from_day": {"nb": "{n} fra dag {day}", "en": "{n} from day {day}"},
    "q_tier": {"nb": "venteliste (tildelingskontoret)", "en": "waiting list (allocation office)"},
    "q_team": {"nb": "venteliste", "en": "waiting list"},
    "q_bed": {"nb": "avvist", "en": "turned away"},
    "q_institution": {"nb": "venteliste", "en": "waiting list"},
    "stress_inputs": {"nb": "Inndata og kilder", "en": "Inputs and their sources"},
    "i_stream": {"nb": "henvisninger: {name}", "en": "referrals: {name}"},
    "i_per_year": {"nb": "{n} per år", "en": "{n} a year"},
    "i_places": {"nb": "plasser: {name}", "en": "places: {name}"},
    "i_beds": {"nb": "senger: {name}", "en": "beds: {name}"},
    "stress_warmup": {"nb": "Oppstart og innsvinging", "en": "Initialisation and warm-up"},
    "stress_warmup_text": {
        "nb": "Kjøringen starter med {size} personer fordelt på botilbudene. De første {days} dagene ({years} år) telles ikke. Innsvingingssjekken (MSER-5) på grunnscenarioets belegg fant {flagged} steder der innsvingingen ser for kort ut.",
        "en": "The run starts with {size} people spread over the housing tiers. The first {days} days ({years} years) are not counted. The warm-up check (MSER-5) on the base's occupancy found {flagged} places where the warm-up looks too short.",
    },
    "stress_warmup_unchecked": {
        "nb": "Kjøringen starter med {size} personer fordelt på botilbudene. De første {days} dagene ({years} år) telles ikke. Innsvingingen ble ikke sjekket i denne kjøringen.",
        "en": "The run starts with {size} people spread over the housing tiers. The first {days} days ({years} years) are not counted. The warm-up was not checked in this run.",
    },
    "stress_run": {"nb": "Kjørelengde og replikasjoner", "en": "Run length and replications"},
    "stress_run_text": {
        "nb": "Hver replikasjon simulerer {horizon} år, hvorav {observed} år observeres. {n} replikasjoner: {why}",
        "en": "Each replication simulates {horizon} years, of which {observed} are observed. {n} replications: {why}",
    },
    "stress_why_precision": {
        "nb": "kjørt til hovedendringene var presise nok (se side 1).",
        "en": "run until the headline changes were precise enough (see page 1).",
    },
    "stress_why_fixed": {
        "nb": "et fast antall, valgt av den som kjørte rapporten; presisjonen står i intervallene.",
        "en": "a fixed number chosen by whoever ran the report; the intervals show the precision.",
    },
    "stress_random": {
        "nb": "Tilfeldige tall og felles tilfeldige tall",
        "en": "Random numbers and common random numbers",
    },
    "stress_random_text": {
        "nb": "Hver persons trekninger kommer fra personens egen strøm (utledet fra replikasjonens frø, henvisningskilde, nummer og type trekning; rotfrø {seed}). Hvert tiltak kjøres med de samme tallene som grunnscenarioet, så et tiltak endrer bare livene det berører, og forskjellene er parvise.",
        "en": "Each person's draws come from their own stream (derived from the replication's seed, referral source, number and kind of draw; root seed {seed}). Each what-if runs with the same numbers as the base, so a what-if changes only the lives it touches, and differences are paired.",
    },
    "stress_software": {"nb": "Programvare", "en": "Software"},
    "stress_checks": {"nb": "Kontroller og kalibrering", "en": "Checks and calibration"},
    "stress_checks_text": {
        "nb": "Vekstkontrollen fant {grown} ventelister eller steder som vokser gjennom hele den observerte perioden (summert over scenarioene; se teksten om ventelister). Modellen testes mot analytiske resultater (Erlang B og C, Littles lov) og bevaringsregler ved hver endring. Grunnscenarioet er kalibrert mot publiserte tall (bostedsløshet, belegg, ventetider og reinnleggelser); avstanden til målene og hva som ikke gjenskapes står i prosjektets kalibreringsrapport.",
        "en": "The growth check found {grown} waiting lists or places that grow through the whole observed period (summed over the scenarios; see the text on waiting lists). The model is tested against analytic results (Erlang B and C, Little's law) and conservation rules with every change. The base is calibrated to published figures (homelessness, occupancy, waits and readmissions); the distance to the targets and what is not reproduced are in the project's calibration report.",
    },
    "stress_limits": {"nb": "Kjente begrensninger", "en": "Known limitations"},
    "stress_limits_text": {
        "nb": "Mange satser er antakelser uten publiserte tall (merket i kildene). Lister som vokser uten å stabilisere seg gir gjennomsnitt som avhenger av kjørelengden. Krisesenger kan ikke forbeholdes personer utsatt for vold. Kostnader er driftskostnader per plass eller person; husleie og bostøtte er ikke med. Få replikasjoner gir brede intervaller.",
        "en": "Many rates are assumptions with no published figure (marked in the sources). Lists that grow without settling give means that depend on the run length. Crisis beds cannot be reserved for people exposed to violence. Costs are running costs per place or person; rent and housing benefit are not included. Few replications give wide intervals.",
    },
    # -- assumptions -------------------------------------------------------------------------
    "a_what": {"nb": "Hva", "en": "What"},
    "a_change": {"nb": "Grunnscenario → tiltak", "en": "Base → what-if"},
    "a_unit": {"nb": "Enhet", "en": "Unit"},
    "a_source": {"nb": "Kilde (fra scenariofilen)", "en": "Source (from the scenario file)"},
    "a_zero_one_off_tier": {
        "nb": "Merk: {n} nye plasser i {place} har engangskostnad 0 kr. Koster det noe å åpne dem, er tiltakets engangskostnad for lav.",
        "en": "Note: {n} new places in {place} have a one-off cost of NOK 0. If opening them costs anything, the what-if's one-off cost is too low.",
    },
    "a_zero_one_off_bed": {
        "nb": "Merk: {n} nye senger ved {place} har engangskostnad 0 kr. Koster det noe å åpne dem, er tiltakets engangskostnad for lav.",
        "en": "Note: {n} new beds at {place} have a one-off cost of NOK 0. If opening them costs anything, the what-if's one-off cost is too low.",
    },
    "value_none": {"nb": "(ingen)", "en": "(none)"},
    "no": {"nb": "nei", "en": "no"},
    "all_days": {"nb": "alle dager", "en": "every day"},
    "day:mon": {"nb": "man", "en": "Mon"},
    "day:tue": {"nb": "tir", "en": "Tue"},
    "day:wed": {"nb": "ons", "en": "Wed"},
    "day:thu": {"nb": "tor", "en": "Thu"},
    "day:fri": {"nb": "fre", "en": "Fri"},
    "day:sat": {"nb": "lør", "en": "Sat"},
    "day:sun": {"nb": "søn", "en": "Sun"},
    "value:discharge": {"nb": "utskrivningsklare", "en": "ready for discharge"},
    "value:homeless": {"nb": "bostedsløse", "en": "homeless"},
    "value:step_down": {"nb": "klare for lavere trinn", "en": "ready to step down"},
    "value:tenancy_at_risk": {"nb": "leieforhold i fare", "en": "tenancy at risk"},
    "value:team_request": {"nb": "søknad fra teamet", "en": "the team's request"},
    "value:municipality": {"nb": "kommunen", "en": "the municipality"},
    "value:specialist": {"nb": "spesialisthelsetjenesten", "en": "the specialist service"},
    "field:capacity": {"nb": "antall plasser", "en": "places"},
    "field:beds": {"nb": "antall senger", "en": "beds"},
    "field:existing_places": {"nb": "plasser som finnes i dag", "en": "places that exist today"},
    "field:new_place_cost": {
        "nb": "engangskostnad per ny plass",
        "en": "one-off cost per new place",
    },
    "field:priority": {"nb": "rekkefølge for tildeling", "en": "order of allocation"},
    "field:coverage": {"nb": "åpningstid", "en": "hours on duty"},
    "field:cost_per_resident_day": {
        "nb": "kostnad per fulgt beboer per dag",
        "en": "cost per resident followed a day",
    },
    "field:cost_per_place_day": {"nb": "kostnad per plass per dag", "en": "cost per place a day"},
    "field:cost_per_bed_day": {"nb": "kostnad per seng per døgn", "en": "cost per bed a day"},
    "field:caseload": {"nb": "antall som kan følges samtidig", "en": "caseload"},
    "field:days": {"nb": "dager", "en": "days"},
    "field:from_hour": {"nb": "fra klokken", "en": "from hour"},
    "field:to_hour": {"nb": "til klokken", "en": "to hour"},
    "field:support": {"nb": "støttenivå", "en": "support level"},
    "field_unit:capacity": {"nb": "plasser", "en": "places"},
    "field_unit:beds": {"nb": "senger", "en": "beds"},
    "field_unit:existing_places": {"nb": "plasser", "en": "places"},
    "field_unit:new_place_cost": {"nb": "kr", "en": "NOK"},
    "field_unit:cost_per_resident_day": {"nb": "kr per dag", "en": "NOK a day"},
    "field_unit:cost_per_place_day": {"nb": "kr per dag", "en": "NOK a day"},
    "field_unit:cost_per_bed_day": {"nb": "kr per døgn", "en": "NOK a day"},
    "field_unit:caseload": {"nb": "personer", "en": "residents"},
    "field_unit:from_hour": {"nb": "klokkeslett", "en": "hour"},
    "field_unit:to_hour": {"nb": "klokkeslett", "en": "hour"},
    "field_unit:priority": {"nb": "søkere etter grunn", "en": "applicants by reason"},
    "field_unit:days": {"nb": "ukedager", "en": "weekdays"},
    "title": {
        "nb": "Budsjetthøring: hva hvert tiltak gir og koster",
        "en": "Budget hearing: what each what-if buys and what it costs",
    },
    "subtitle": {
        "nb": "{base} sammenlignet med {whatifs} · {replications} · {years} observerte år",
        "en": "{base} compared with {whatifs} · {replications} · {years} observed years",
    },
    "summary": {"nb": "Sammendrag", "en": "Summary"},
    "count:what-if": {"nb": "{n} tiltak|{n} tiltak", "en": "{n} what-if|{n} what-ifs"},
    "count:replication": {
        "nb": "{n} replikasjon|{n} replikasjoner",
        "en": "{n} replication|{n} replications",
    },
    "replications_precise": {
        "nb": "Antall replikasjoner: {n}, kjørt til hver hovedendring var innenfor ±{target} av "
        "grunnscenarioets nivå og holdt seg der i {look} replikasjoner til (Hoad, Robinson og "
        "Davies 2010).",
        "en": "Replications: {n}, run until every headline change was within ±{target} of the "
        "base's level and stayed so for {look} more (Hoad, Robinson and Davies 2010).",
    },
    "replications_few": {
        "nb": "Bare {replications}: endringer som er funnet, kan forsvinne med flere. Kjør med "
        "--precision 0.05 for å kjøre til hovedendringene er innenfor ±5 % av grunnscenarioet.",
        "en": "Only {replications}: changes found may vanish with more. Run with "
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
        "nb": "{replications} replikasjoner; båndbredde ∝ flyttinger per år (gjennomsnitt over replikasjonene); tilbud slått sammen i grupper",
        "en": "{replications} replications; band width ∝ moves per year (mean over the replications); places grouped",
    },
    "footnote_means": {
        "nb": "{replications} replikasjoner; gjennomsnitt over replikasjonene (uten intervall)",
        "en": "{replications} replications; means over the replications (no interval)",
    },
    "group_referred": {"nb": "henvist (ny)", "en": "referred (new)"},
    "group_homeless": {"nb": "bostedsløs", "en": "homeless"},
    "group_temporary": {"nb": "midlertidig bolig", "en": "temporary housing"},
    "group_housing": {
        "nb": "bolig (egen, kommunal, Housing First)",
        "en": "housing (own, municipal, Housing First)",
    },
    "group_staffed": {"nb": "bemannet bolig", "en": "staffed housing"},
    "group_care": {"nb": "krisesenger og institusjoner", "en": "crisis beds and institutions"},
    "group_exited": {"nb": "ut av tjenestene", "en": "left the services"},
    "from": {"nb": "Fra", "en": "From"},
    "to": {"nb": "Til", "en": "To"},
    "chart_waiting": {
        "nb": "Ventelister over tid: søkere uten bolig og søkere som har bolig",
        "en": "Waiting lists over time: applicants without a home and applicants who are housed",
    },
    "footnote_waiting": {
        "nb": "{replications} replikasjoner; gjennomsnitt per måned over replikasjonene; ▲ vokser: listen vokser gjennom hele den observerte perioden",
        "en": "{replications} replications; monthly means over the replications; ▲ grows: the list grows through the whole observed period",
    },
    "grows": {"nb": "vokser", "en": "grows"},
    "on_list": {"nb": "På listen", "en": "On the list"},
    "without_home": {"nb": "uten bolig", "en": "without a home"},
    "housed": {"nb": "har bolig (vil flytte)", "en": "housed (transfer)"},
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
    "turn_aways_per_year": {
        "nb": "Forespørsler avvist per år",
        "en": "Requests turned away a year",
    },
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
        "nb": "Flyttinger per år mellom grupper av tilbud, {scenario}",
        "en": "Moves per year between groups of places, {scenario}",
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
    "kind_discharge_ready": {
        "nb": "utskrivningsklare pasienter",
        "en": "patients ready for discharge",
    },
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
    names: Mapping[str, str] = field(default_factory=dict)
    """Display names of places, teams (``unit.team``), units and coverages by code name."""
    scenarios: Mapping[str, str] = field(default_factory=dict)
    """Display names of the scenarios by label (a file's stem)."""

    def __post_init__(self) -> None:
        if self.code not in LANGUAGES:
            raise ValueError(f"language {self.code!r}: expected one of {', '.join(LANGUAGES)}")

    def t(self, key: str, **values: object) -> str:
        """The text of ``key`` in this language, with ``values`` filled in."""
        entry = CATALOGUE.get(key)
        text = entry[self.code] if entry else key
        return text.format(**values) if values else text

    def count(self, n: int, noun: str) -> str:
        """``n`` and the noun in the singular or plural (``1 replikasjon``, ``3 replikasjoner``)."""
        one, many = self.t(f"count:{noun}").split("|")
        return (one if abs(n) == 1 else many).format(n=n)

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
        """A place's display name (its label), else the code name made readable."""
        return self.names.get(name) or name.replace("_", " ")

    def scenario(self, label: str) -> str:
        """A scenario's display name (its label or ``name``), else the label itself."""
        return self.scenarios.get(label) or label

    def named(self, names: Mapping[str, str], scenarios: Mapping[str, str]) -> Language:
        """This language with display names for places and scenarios."""
        return replace(self, names=dict(names), scenarios=dict(scenarios))
