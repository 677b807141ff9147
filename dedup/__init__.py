"""jobgate: dedup."""
