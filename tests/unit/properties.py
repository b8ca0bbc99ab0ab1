"""Settings shared by the property tests (tests/unit/test_properties_*.py).

A moderate number of examples keeps the suite quick on a 2-core machine; no deadline, since a busy
machine makes timings meaningless; no example database, so nothing is written into the work tree
(a failure prints its falsifying example and the @reproduce_failure line to rerun it).
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

FAST = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
