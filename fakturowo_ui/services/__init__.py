"""The domain in plain Python: no Reflex imports below this package."""
