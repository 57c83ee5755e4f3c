"""The script ``streamlit run`` runs: the app's page (:func:`forlopsim.app.page.main`).

Streamlit runs it as ``__main__``; the worker processes of a run (started with ``spawn``)
import it again as ``__mp_main__``, and must not draw the page.
"""

from forlopsim.app.page import main

if __name__ == "__main__":
    main()
