"""jobgate: connectors."""
