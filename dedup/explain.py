"""Why two source records are, or are not, one catalogue offer (``jobgate dedup --explain``).

For a pair of records of the store, named by offer id or ``partner:external_id``:
which blocking rules put them together (shared keys and the size of their
blocks in ``dedup_keys``, against the rule's cap), every comparison's score and
which ones veto the pair, the match decision and its weight, and what the
chaining guards say about joining the two records' current clusters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dedup.engine import DedupError, merge_refusal
from dedup.model import DEFAULT_MODEL, DedupModel, DedupRecord, match_strength
from dedup.stage import KEY_MASK, load_offers, to_record
from jobgate.config import Settings
from jobgate.schema import OfferStatus
from jobgate.storage import Store
from jobgate.storage.models import DedupKey, Offer


@dataclass
class RuleEvidence:
    """What one blocking rule says of the pair."""

    rule: str
    shared_keys: int  # keys both records have under this rule
    smallest_block: int | None  # offers holding the shared key with the fewest holders (dedup_keys)
    cap: int
    pairs_them: bool  # a shared key whose block is within the cap


@dataclass
class PairExplanation:
    """The whole explanation of one pair (``to_dict`` for JSON, ``text`` for people)."""

    a: dict[str, Any]
    b: dict[str, Any]
    same_cluster: bool  # in the store now
    blocking: list[RuleEvidence] = field(default_factory=list)
    scores: dict[str, float | None] = field(default_factory=dict)
    vetoes: list[str] = field(default_factory=list)
    match: bool = False
    weight: float = 0.0
    guard: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain data, for ``--format json``."""
        return asdict(self)

    def text(self) -> str:
        """A readable report."""

        def who(r: Mapping[str, Any]) -> str:
            return f"#{r['offer_id']} {r['partner']}:{r['external_id']} ({r['status']}, cluster {r['cluster']})"

        lines = [f"A  {who(self.a)}", f"B  {who(self.b)}",
                 f"same catalogue offer now: {'yes' if self.same_cluster else 'no'}", "", "blocking:"]
        for e in self.blocking:
            if not e.shared_keys:
                lines.append(f"  {e.rule:<26} no shared key")
                continue
            verdict = "pairs them" if e.pairs_them else "blocks over the cap: skipped"
            lines.append(f"  {e.rule:<26} {e.shared_keys} shared key(s), smallest block {e.smallest_block} "
                         f"(cap {e.cap}): {verdict}")
        if not any(e.pairs_them for e in self.blocking):
            lines.append("  -> no rule pairs them: they are never compared")
        lines += ["", "comparisons:"]
        for name, v in self.scores.items():
            veto = "  VETO" if name in self.vetoes else ""
            lines.append(f"  {name:<14} {'-' if v is None else f'{v:.3f}'}{veto}")
        decision = "match" if self.match else "no match"
        lines += ["", f"decision: {decision} (weight {self.weight:.2f})", f"chaining guard: {self.guard}"]
        return "\n".join(lines)


def _find(s: Session, ref: str) -> Any:
    """One offer row by id or ``partner:external_id``."""
    if ref.isdigit():
        where = Offer.id == int(ref)
    elif ":" in ref:
        partner, ext = ref.split(":", 1)
        where = (Offer.partner == partner) & (Offer.external_id == ext)
    else:
        raise DedupError(f"record {ref!r}: give an offer id or partner:external_id")
    rows = load_offers(s, where)
    if not rows:
        raise DedupError(f"record {ref!r} not found")
    return rows[0]


def _describe(row: Any) -> dict[str, Any]:
    return {"offer_id": row.id, "partner": row.partner, "external_id": row.external_id, "status": row.status,
            "cluster": row.cluster_id}


def _blocking(s: Session, model: DedupModel, a: DedupRecord, b: DedupRecord) -> list[RuleEvidence]:
    out = []
    for ri, rule in enumerate(model.blocking):
        ka, kb = ({k & KEY_MASK for k in rule.keys_of([r])[0]} for r in (a, b))
        shared = sorted(ka & kb)
        cap = rule.max_block or model.max_block_size
        sizes = []
        for k in shared:
            n = s.scalar(select(func.count()).select_from(DedupKey).where(DedupKey.rule == ri, DedupKey.key == k))
            sizes.append(max(int(n or 0), 2))  # the pair itself, even before its keys are persisted
        smallest = min(sizes) if sizes else None
        out.append(RuleEvidence(rule.name, len(shared), smallest, cap, smallest is not None and smallest <= cap))
    return out


def explain_pair(
    store: Store, settings: Settings, ref_a: str, ref_b: str, model: DedupModel = DEFAULT_MODEL
) -> PairExplanation:
    """Explain whether records ``ref_a`` and ``ref_b`` (offer id or ``partner:external_id``) are one job.

    Raises:
        DedupError: a record is not found.
    """
    ranks = {p.name: p.rank for p in settings.partners}
    with store.session() as s:
        row_a, row_b = _find(s, ref_a), _find(s, ref_b)
        ra, rb = (to_record(r.id, r.data, ranks.get(r.partner, 50), r.cluster_id) for r in (row_a, row_b))
        out = PairExplanation(a=_describe(row_a), b=_describe(row_b),
                              same_cluster=bool(row_a.cluster_id) and row_a.cluster_id == row_b.cluster_id)
        out.blocking = _blocking(s, model, ra, rb)
        out.scores = model.scores(ra, rb)
        out.vetoes = [c.name for c in model.comparisons if c.veto_below is not None
                      and (v := out.scores.get(c.name)) is not None and v < c.veto_below]
        matched = model.match(ra, rb)
        out.match = matched is not None
        out.weight = match_strength(out.scores)
        published = OfferStatus.PUBLISHED.value
        if row_a.status != published or row_b.status != published:
            out.guard = "not applied: only published offers are clustered"
        elif out.same_cluster:
            out.guard = "passed: they are in one cluster"
        else:
            members = []
            for row in (row_a, row_b):
                rows = load_offers(s, (Offer.cluster_id == row.cluster_id) & (Offer.status == published)) \
                    if row.cluster_id else [row]
                members.append([to_record(r.id, r.data, ranks.get(r.partner, 50), r.cluster_id) for r in rows])
            refusal = merge_refusal(model, members[0], members[1])
            sizes = f"clusters of {len(members[0])} and {len(members[1])} records"
            if refusal:
                out.guard = f"refuses joining their {sizes}: {refusal}"
            elif out.match:
                out.guard = f"would allow joining their {sizes} (run `jobgate dedup` if the catalogue is stale)"
            else:
                out.guard = f"would allow joining their {sizes}, but the pair is not a match"
    return out
