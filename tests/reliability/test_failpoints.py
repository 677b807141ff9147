"""The fail point table: parsing, the N-th hit, inert when not armed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jobgate import failpoints
from jobgate.failpoints import FailpointError, configure, failpoint, parse


@pytest.fixture(autouse=True)
def disarmed() -> Iterator[None]:
    configure("")
    yield
    configure("")


def test_fires_on_the_nth_hit_only() -> None:
    configure("dedup.before_write=3:raise; normalize.after_batch=off")
    failpoint("dedup.before_write")
    failpoint("dedup.before_write")
    with pytest.raises(FailpointError, match=r"dedup\.before_write"):
        failpoint("dedup.before_write")
    failpoint("dedup.before_write")  # once only
    failpoint("normalize.after_batch")


def test_unarmed_points_do_nothing() -> None:
    for name in failpoints.POINTS:
        failpoint(name)


@pytest.mark.parametrize("spec", ["nope=kill", "dedup.before_write", "dedup.before_write=explode",
                                  "dedup.before_write=0:kill", "dedup.before_write=x:kill"])
def test_bad_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="JOBGATE_FAILPOINTS"):
        parse(spec)


def test_every_point_is_called_somewhere() -> None:
    from tests.conftest import ROOT

    sources = "".join(p.read_text() for d in ("connectors", "normalizer", "dedup", "jobgate", "publisher")
                      for p in (ROOT / d).rglob("*.py") if p.name != "failpoints.py")
    assert [n for n in failpoints.POINTS if f'failpoint("{n}")' not in sources] == []
