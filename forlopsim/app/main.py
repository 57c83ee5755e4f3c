"""The script ``streamlit run`` runs: the app's page (:func:`forlopsim.app.page.main`)."""

from forlopsim.app.page import main

main()
