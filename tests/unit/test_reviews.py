"""services/reviews.py: the review request's due rule (once, from 14 days after registration)."""

from __future__ import annotations

import datetime as dt

from fakturowo_ui.services.reviews import review_due


def test_review_from_14_days_after_registration():
    registered = dt.date(2026, 11, 23)
    assert not review_due(dt.date(2026, 12, 6), registered)
    assert review_due(dt.date(2026, 12, 7), registered)
    assert review_due(dt.date(2027, 6, 1), registered)
