"""The registry of declared rules and :func:`certify`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING

from jobgate.schema import (
    CanonicalOffer,
    Certification,
    CertificationStatus,
    Finding,
    Severity,
)

from .model import Context, PartnerContract, Rule, Scope

if TYPE_CHECKING:
    from normalizer.sirene import SireneLookup

__all__ = ["OFF", "Registry", "certify", "parse_overrides"]

#: Override value that disables a rule (or one of its variants) for a partner.
OFF = "OFF"

_DEFAULT_CONTRACT = PartnerContract()


class Registry:
    """An ordered, id-keyed collection of :class:`Rule` declarations.

    Args:
        rules: the rules, in the order findings are reported.

    Raises:
        ValueError: two rules share an id.
    """

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self._rules: dict[str, Rule] = {}
        for rule in rules:
            self.add(rule)

    def add(self, rule: Rule) -> Rule:
        """Register ``rule``; its id must be new."""
        if rule.id in self._rules:
            raise ValueError(f"duplicate certification rule id {rule.id!r}")
        self._rules[rule.id] = rule
        return rule

    def __getitem__(self, rule_id: str) -> Rule:
        return self._rules[rule_id]

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._rules

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)

    def ids(self) -> list[str]:
        """Rule ids in registration order."""
        return list(self._rules)


def parse_overrides(
    overrides: Mapping[str, str] | None, registry: Registry
) -> dict[str, Severity | None]:
    """Validate per-partner overrides: ``{"RULE" or "RULE:variant": "REJECT"|"WARN"|"INFO"|"OFF"}``.

    Returns a mapping to a :class:`Severity`, or ``None`` for ``OFF``.

    Raises:
        ValueError: an unknown rule id or severity, naming the offending key.
    """
    out: dict[str, Severity | None] = {}
    for key, value in (overrides or {}).items():
        rule_id = key.split(":", 1)[0]
        if rule_id not in registry:
            raise ValueError(f"override for unknown certification rule {key!r}")
        v = str(value).strip().upper()
        if v == OFF:
            out[key] = None
            continue
        try:
            out[key] = Severity(v)
        except ValueError:
            raise ValueError(
                f"override {key!r}: severity must be REJECT, WARN, INFO or OFF, not {value!r}"
            ) from None
    return out


def certify(
    offer: CanonicalOffer,
    *,
    overrides: Mapping[str, str] | None = None,
    contract: PartnerContract | None = None,
    today: date | None = None,
    rules: Registry | None = None,
    sirene: SireneLookup | None = None,
) -> Certification:
    """Run every certification rule on ``offer`` and collect every finding.

    Rules never stop at the first problem: the returned certification lists all
    findings, and its status is ``rejected`` if any finding is REJECT, ``warning`` if
    any is WARN, ``certified`` otherwise.

    Public-service offers (``offer.public_service`` or ``offer.origin == "1"``) were
    certified by France Travail: structured-field rules (:attr:`Scope.STRUCTURE`:
    identity, place, dates) are skipped, and free-text and pay rules still run but
    their findings are capped at WARN, so such an offer is never rejected here but a
    human still sees a suspicious wording.

    Args:
        offer: the canonical offer to check (not modified).
        overrides: per-partner severities by rule id, or ``"RULE:variant"`` for one
            sub-case; ``"OFF"`` disables it. Overrides apply before the public-service cap.
        contract: what the partner's contract and feed guarantee (see
            :class:`PartnerContract`); defaults to a partner with no special terms.
        today: reference date for freshness; defaults to today's date.
        rules: the registry to run; defaults to :data:`RULES`.
        sirene: the SIRENE lookup for ID-02; without one ID-02 says nothing.

    Returns:
        The certification with its status and findings (rule order, deduplicated).

    Raises:
        ValueError: an override names an unknown rule or severity.
    """
    if rules is None:
        from .registry import RULES

        rules = RULES
    resolved = parse_overrides(overrides, rules)
    ctx = Context(offer, contract or _DEFAULT_CONTRACT, today or date.today(), sirene)
    public = offer.public_service or offer.origin == "1"
    findings: list[Finding] = []
    seen: set[tuple[str, str | None, str | None]] = set()
    for rule in rules:
        if public and rule.scope is Scope.STRUCTURE:
            continue
        if resolved.get(rule.id, Severity.INFO) is None and rule.id in resolved:
            continue
        for hit in rule.detect(ctx):
            key = (rule.id, hit.field, hit.evidence)
            if key in seen:
                continue
            seen.add(key)
            severity: Severity | None = hit.severity or rule.severity
            vkey = f"{rule.id}:{hit.variant}" if hit.variant else None
            if vkey is not None and vkey in resolved:
                severity = resolved[vkey]
            elif rule.id in resolved:
                severity = resolved[rule.id]
            if severity is None:
                continue
            if public and severity is Severity.REJECT:
                severity = Severity.WARN
            findings.append(
                Finding(
                    id=rule.id,
                    severity=severity,
                    message=hit.message or rule.message,
                    basis=rule.basis,
                    field=hit.field,
                    evidence=hit.evidence,
                )
            )
    severities = {f.severity for f in findings}
    if Severity.REJECT in severities:
        status = CertificationStatus.REJECTED
    elif Severity.WARN in severities:
        status = CertificationStatus.WARNING
    else:
        status = CertificationStatus.CERTIFIED
    return Certification(status=status, findings=findings)
