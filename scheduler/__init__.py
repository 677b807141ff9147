"""jobgate: scheduler."""
