"""The Kaplan–Meier estimate of housing retention equals scipy's on any data.

``forlopsim.metrics.retention`` computes the estimate by scipy's own operations instead of
calling ``scipy.stats.ecdf`` (importing ``scipy.stats`` costs each worker process about 60 MB);
this property test holds it to scipy's values, bit for bit, over many generated samples with
ties, censoring and evaluation times before, at and after the observed durations.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from forlopsim.metrics.retention import _survival

durations = st.lists(
    st.tuples(
        st.sampled_from([0.0, 1.0, 2.5, 7.0, 30.0, 365.25]) | st.floats(0.0, 2000.0), st.booleans()
    ),
    min_size=1,
    max_size=60,
)
times = st.lists(
    st.sampled_from([0.0, 1.0, 30.0, 365.25, 1095.75]) | st.floats(-10.0, 3000.0),
    min_size=1,
    max_size=8,
)


@settings(max_examples=300)
@given(sample=durations, at=times)
def test_survival_equals_scipy_ecdf(sample, at):
    d = np.array([x for x, _ in sample])
    lost = np.array([e for _, e in sample])
    data = stats.CensoredData(uncensored=d[lost], right=d[~lost])
    # scipy's ecdf needs an event; without one the curve stays at 1
    expected = stats.ecdf(data).sf.evaluate(np.asarray(at)) if lost.any() else np.ones(len(at))
    got = _survival(d, lost)(np.asarray(at, dtype=float))
    np.testing.assert_array_equal(got, expected)
