"""jobgate: normalizer."""
