"""jobgate: publisher."""
