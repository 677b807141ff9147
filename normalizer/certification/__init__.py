"""Certification of canonical offers against docs/certification.md.

Each check of the spec is a declared :class:`Rule` (id, default severity, legal
basis, message, detector) in the :data:`RULES` registry; :func:`certify` runs them all
and collects every finding::

    from normalizer.certification import PartnerContract, certify

    cert = certify(offer, overrides={"DISC-SEX:gendered_title": "INFO"},
                   contract=PartnerContract(siret_required=True))
    cert.status, [f.id for f in cert.findings]

Decisions beyond the spec (see docs/certification-results.md):

- a missing SIRET is INFO unless the partner contract requires it (REJECT); a present
  but invalid or dummy SIRET is REJECT;
- public-service offers (``public_service`` or origin "1") skip the structured rules
  and have REJECT findings capped at WARN;
- "no salary stated" is ``PAY-01`` (WARN, spec open point 5); pay under the SMIC is
  ``TRUE-02`` as in the spec.
"""

from .engine import OFF, Registry, certify, parse_overrides
from .model import Context, Hit, PartnerContract, Pattern, Rule, Scope, pattern, text_detector
from .registry import RULES
from .text import normalise_text

__all__ = [
    "OFF",
    "RULES",
    "Context",
    "Hit",
    "PartnerContract",
    "Pattern",
    "Registry",
    "Rule",
    "Scope",
    "certify",
    "normalise_text",
    "parse_overrides",
    "pattern",
    "text_detector",
]
