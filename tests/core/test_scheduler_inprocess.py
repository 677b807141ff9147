"""The embedded scheduler: partners are fetched when due, and only then."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jobgate.config import load_settings
from jobgate.storage import Store
from scheduler.inprocess import due_partners, run_forever
from tests.conftest import EXAMPLES


def test_schedule_drives_fetches(store: Store) -> None:
    settings = load_settings(EXAMPLES / "jobgate.toml")
    names = [p.name for p in settings.partners]
    assert due_partners(store, settings) == names
    sleeps: list[float] = []
    run_forever(store, settings, sleep=sleeps.append, max_ticks=2)
    assert sleeps == [settings.scheduler.tick_seconds] * 2
    # The first tick fetched everyone; the second found nobody due (schedule is 60 min).
    assert all(len(store.runs(n)) == 1 for n in names)
    assert due_partners(store, settings) == []
    later = datetime.now(UTC) + timedelta(minutes=61)
    assert due_partners(store, settings, now=later) == names
