"""The default rule registry, in the order of certification.md."""

from __future__ import annotations

from . import rules_discrimination, rules_fraud, rules_identity, rules_language, rules_pay
from .engine import Registry

__all__ = ["RULES"]

#: Every declared rule, in report order (identity, form, discrimination, pay, fraud).
RULES = Registry(
    [
        *(r for r in rules_identity.RULES if r.id != "FEE-06"),
        *rules_language.RULES,
        *rules_discrimination.RULES,
        *rules_pay.RULES,
        *rules_fraud.RULES,
        *(r for r in rules_identity.RULES if r.id == "FEE-06"),
    ]
)
