"""jobgate: jobgate."""
