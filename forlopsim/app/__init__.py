"""The planner's app (``forlopsim app``): change a scenario's levers, run, read the report.

A local Streamlit app (the optional extra ``forlopsim[app]``). The modules do one job each and
only :mod:`.page`, :mod:`.render` and :mod:`.main` import Streamlit, so the rest is tested
without it:

* :mod:`.settings` — the defaults the app starts with (and the test hooks that shorten runs);
* :mod:`.sources` — the base scenario: a file of the scenarios folder, or an uploaded one;
* :mod:`.levers` — what a planner may change, with the report's words and units;
* :mod:`.whatif` — the what-if made from the levers, and its YAML file;
* :mod:`.runs` — one run at a time in the background, cancellable, cached;
* :mod:`.results` — the report's blocks, charts and files for a finished run;
* :mod:`.texts` — the app's own words, in Norwegian and English.
"""
