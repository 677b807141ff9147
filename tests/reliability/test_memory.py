"""Issue #8: memory stays bounded on hostile input, measured on a real ``jobgate run --once``.

The cycle under fault runs in a child process; its peak resident memory comes
from ``os.wait4`` (that child alone). The bound is a correctness bound, not a
timing one: a gzip bomb, a 50 MB description or an entity bomb must not grow
the process much past a normal cycle's footprint.
"""

from __future__ import annotations

from typing import Any

import pytest

from jobgate.storage import Store
from tests.connectors.simulated_partner import Handler, Reply, gzip_bomb
from tests.reliability.hostile import KINDS, MARKER, Scenario, document, record_outcome
from tests.reliability.test_faults import BOMB

#: Peak RSS a cycle of six small partners may reach under any fault (a normal one is about 200 MB).
BOUND_MB = 400
BIG = 50 * 1024**2


def _big_description(scenario: Scenario) -> Any:
    def fault(kind: str, good: Handler) -> Handler:
        offers = scenario.offers(kind)
        offers[6]["description"] = MARKER + "x" * BIG
        reply = document(kind, offers)
        return lambda req: reply
    return fault


def _gzip_bomb(scenario: Scenario) -> Any:
    bomb = gzip_bomb(1024**3)  # 1 GiB of zeros in about 1 MB
    return lambda kind, good: (lambda req: Reply(200, bomb, {"Content-Encoding": "gzip"}))


def _entity_bomb(scenario: Scenario) -> Any:
    def fault(kind: str, good: Handler) -> Handler:
        if kind not in ("xml", "rss"):
            return good
        offers = scenario.offers(kind)
        offers[2]["intitule"] = "TITLE-REF"
        reply = document(kind, offers, prolog=BOMB.format(pad="x" * 70_000))
        body = reply.body.replace(b"TITLE-REF", b"&j;")
        return lambda req: Reply(200, body, reply.headers)
    return fault


def _nothing(scenario: Scenario) -> Any:
    return lambda kind, good: good


CASES = {
    "no fault (baseline)": (_nothing, None, ()),
    "50 MB description": (_big_description, {"xml": "over lxml's 10 MB", "rss": "byte limit",
                                               "csv": "a field over the 500000-character limit",
                                               "*": "field 'description'"}, KINDS),
    "gzip bomb (1 GiB)": (_gzip_bomb, {"*": "compression bomb"}, KINDS),
    "entity expansion bomb": (_entity_bomb, {"*": "entity declarations are refused"}, ("xml", "rss")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_peak_memory_of_a_cycle_under_fault(case: str, scenario_store: tuple[Scenario, Store]) -> None:
    scenario, store = scenario_store
    make, reasons, kinds = CASES[case]
    scenario.use_database(scenario.db_url, scenario.tmp_path, deadline_s=120.0)  # 50 MB on a busy machine
    scenario.inject(make(scenario))
    peak = scenario.run_subprocess()
    assert peak < BOUND_MB, f"{case}: peak RSS {peak:.0f} MB"
    for kind in kinds:
        assert reasons is not None
        out = scenario.check(store, kind, reasons.get(kind, reasons["*"]), leaks=(MARKER, "xxxxxxxxxxxxxxxx"))
        out.peak_rss_mb = round(peak)
        record_outcome(out, case, f"test_peak_memory_of_a_cycle_under_fault[{case}]")
    if not kinds:
        print(f"baseline peak RSS {peak:.0f} MB")
