"""Run the ``jobgate`` command line, then print this process's peak resident memory (MB) on stderr.

``ru_maxrss`` cannot be used: Linux carries the parent's high-water mark
across fork and exec, so a child of a big test process reports the parent's
peak. ``VmHWM`` in ``/proc/self/status`` belongs to this program's own memory.
"""

from __future__ import annotations

import sys

from jobgate.cli import main


def peak_rss_mb() -> float:
    """``VmHWM`` of this process, in MB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


if __name__ == "__main__":
    code = main(sys.argv[1:])
    print(f"PEAK_RSS_MB {peak_rss_mb():.1f}", file=sys.stderr)
    sys.exit(code)
