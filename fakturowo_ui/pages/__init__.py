"""One module per route: layout only; behaviour lives in fakturowo_ui/state."""
