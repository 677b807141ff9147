"""Fail points: deterministic crashes at named places, for the crash-recovery tests.

In the style of FreeBSD's fail points and the ``fail`` crate: the code calls
``failpoint("normalize.after_batch")`` at a stage boundary; nothing happens
unless the environment variable ``JOBGATE_FAILPOINTS`` names that point::

    JOBGATE_FAILPOINTS="normalize.after_batch=2:kill"
    JOBGATE_FAILPOINTS="fetch.after_page=kill;deliver.after_send=3:kill"

Each entry is ``NAME=[N:]ACTION``: the action runs on the ``N``-th time the
point is reached in this process (default 1) and only then. Actions:

* ``kill``: ``SIGKILL`` this process at once (no cleanup, no rollback, no
  ``finally``), the way an OOM killer or a pulled plug stops it;
* ``raise``: raise :class:`FailpointError` (for in-process tests);
* ``off``: nothing (to switch one point off in a longer list).

The table is read once, at import. With no variable set, a call is a dict
lookup on an empty dict. Every point in the code is listed in :data:`POINTS`.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass

ENV = "JOBGATE_FAILPOINTS"
ACTIONS = ("kill", "raise", "off")

#: Every fail point the code calls, with where it sits (docs/reliability.md has the table).
POINTS: dict[str, str] = {
    "fetch.before_state": "a page's records are stored, its partition state not yet saved",
    "fetch.after_page": "a page and its state are stored (fires once per page)",
    "normalize.before_commit": "a batch of offers is written, its transaction not committed",
    "normalize.after_batch": "a batch of offers is committed (fires once per batch)",
    "dedup.before_write": "clusters are computed, nothing of them written",
    "dedup.mid_write": "catalogue rows are written, source offers not yet re-attached; not committed",
    "index.after_batch": "a batch of the search index is committed, facets not rebuilt",
    "publish.after_partner": "a recipient's delivery log is committed, nothing pushed yet",
    "deliver.after_send": "a push was acknowledged by the partner, the outcome not recorded",
    "deliver.after_row": "a push outcome is recorded (fires once per row)",
}


class FailpointError(RuntimeError):
    """Raised by a fail point whose action is ``raise``."""


@dataclass
class _Point:
    action: str
    on_hit: int
    hits: int = 0


def parse(spec: str) -> dict[str, _Point]:
    """The fail point table of a ``JOBGATE_FAILPOINTS`` value.

    Raises:
        ValueError: an entry is malformed, names an unknown point or action.
    """
    table: dict[str, _Point] = {}
    for entry in spec.replace(",", ";").split(";"):
        entry = entry.strip()
        if not entry:
            continue
        name, sep, rule = entry.partition("=")
        name, rule = name.strip(), rule.strip()
        if not sep or name not in POINTS:
            raise ValueError(f"{ENV}: unknown fail point {name!r} (known: {', '.join(sorted(POINTS))})")
        count, _, action = rule.rpartition(":")
        if action not in ACTIONS or (count and not count.isdigit()) or count == "0":
            raise ValueError(f"{ENV}: {entry!r} is not NAME=[N:]ACTION with ACTION one of {', '.join(ACTIONS)}")
        if action != "off":
            table[name] = _Point(action, int(count or 1))
    return table


_ACTIVE: dict[str, _Point] = parse(os.environ.get(ENV, ""))


def failpoint(name: str) -> None:
    """Reach the fail point ``name``: inert unless ``JOBGATE_FAILPOINTS`` arms it."""
    point = _ACTIVE.get(name)
    if point is None:
        return
    point.hits += 1
    if point.hits != point.on_hit:
        return
    if point.action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    raise FailpointError(f"fail point {name} reached (hit {point.hits})")


def configure(spec: str) -> None:
    """Replace the table (in-process tests; a subprocess reads ``JOBGATE_FAILPOINTS``)."""
    _ACTIVE.clear()
    _ACTIVE.update(parse(spec))
