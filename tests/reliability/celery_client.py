"""Send one partner's chain (fetch → normalize → dedup → publish) through the broker and wait.

Run as ``python -m tests.reliability.celery_client CONFIG PARTNER`` with
``JOBGATE_BROKER_URL`` set: in its own process, because the Celery app keeps
its broker and result connections for the life of a process, and every test
has its own ``redis-server``.
"""

from __future__ import annotations

import json
import sys

from jobgate.config import load_settings
from scheduler.celery_app import configure, partner_chain


def main(argv: list[str]) -> int:
    config, partner = argv
    configure(load_settings(config))
    result = partner_chain(partner).apply_async().get(timeout=600)
    print(json.dumps(result))
    return 0 if isinstance(result, dict) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
