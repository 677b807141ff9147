"""The canonical schema as JSON Schema (written to docs/offer.schema.json)."""

from __future__ import annotations

import json

from jobgate.schema import CatalogueOffer


def schema_json() -> str:
    """JSON Schema of the catalogue offer (which includes the canonical offer)."""
    schema = CatalogueOffer.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://jobgate.example/schema/offer.json"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
