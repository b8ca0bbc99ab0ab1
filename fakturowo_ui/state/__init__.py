"""Reflex states: thin, one per page or concern; they call services and hold what pages show."""
