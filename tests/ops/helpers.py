"""Shared helpers of the operations tests: small configurations over the bundled example
payloads, and a real ``redis-server`` (the Celery broker)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT

PARTNERS = EXAMPLES / "partners"


def write_config(tmp_path: Path, db_url: str, *, broken: bool = True, extra: str = "",
                 schedules: dict[str, float] | None = None) -> Path:
    """A configuration with three working partners and, if ``broken``, one whose file is missing.

    ``schedules`` gives some working partners their ``schedule_minutes`` (others keep the default).
    """
    minutes = {name: f"schedule_minutes = {m}\n" for name, m in (schedules or {}).items()}
    text = f"""
[database]
url = "{db_url}"

[[partners]]
name = "france-travail"
connector = "francetravail"
url = "{PARTNERS / 'france-travail-offres.json'}"
rank = 1
public_service = true
{minutes.get('france-travail', '')}
[[partners]]
name = "courrier-regional"
connector = "rss"
url = "{PARTNERS / 'courrier-regional.rss'}"
rank = 40
receives = ["offers"]
{minutes.get('courrier-regional', '')}
[[partners]]
name = "hellowork"
connector = "xml"
dialect = "hellowork"
url = "{PARTNERS / 'hellowork.xml'}"
rank = 30
{minutes.get('hellowork', '')}"""
    if broken:
        text += f"""
[[partners]]
name = "broken-board"
connector = "xml"
url = "{tmp_path / 'missing' / 'feed.xml'}"
"""
    path = tmp_path / "jobgate.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A fresh ``redis-server`` on a free loopback port (no persistence); its URL."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server missing: apt-get install redis-server (.ci/run does)"
    port = _free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 20
    while True:
        try:
            if client.ping():
                break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(10)


def start_jobgate(tmp_path: Path, command: str, config: Path, broker_url: str, db_url: str,
                  *args: str) -> subprocess.Popen[bytes]:
    """Start ``jobgate COMMAND --config CONFIG ARGS`` (worker, beat) in ``tmp_path``; output in COMMAND.log."""
    env = {**os.environ, "JOBGATE_BROKER_URL": broker_url, "PYTHONPATH": str(ROOT), "JOBGATE_DATABASE_URL": db_url}
    with (tmp_path / f"{command}.log").open("wb") as log:
        return subprocess.Popen([sys.executable, "-m", "jobgate.cli", command, "--config", str(config), *args],
                                cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen[bytes], timeout: float = 60) -> int | None:
    """SIGTERM (Celery's warm shutdown), then SIGKILL if it does not exit in time; the exit code, or None if killed."""
    proc.terminate()
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
        return None
