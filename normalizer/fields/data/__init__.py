"""Reference tables for the field parsers (plain Python dicts, loaded once at import)."""
