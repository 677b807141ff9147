"""docker-compose.yml wiring (Docker cannot run here, so the file itself is checked)."""

from __future__ import annotations

from pathlib import Path

import yaml

from jobgate.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[2]


def test_services_and_wiring() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) >= {"postgres", "redis", "api", "worker", "beat"}
    for name in ("api", "worker", "beat"):
        svc = services[name]
        assert svc["build"] == "."
        env = svc["environment"]
        assert env["JOBGATE_DATABASE_URL"].startswith("postgresql+psycopg://") and "@postgres:5432/" in env["JOBGATE_DATABASE_URL"]
        assert env["JOBGATE_BROKER_URL"].startswith("redis://redis:6379")
        assert set(svc["depends_on"]) == {"postgres", "redis"}
        assert svc["command"][0] == "jobgate" and svc["command"][1] in COMMANDS
    assert services["api"]["ports"] == ["8000:8000"]
    assert services["worker"]["command"][1] == "worker" and services["beat"]["command"][1] == "beat"
    assert "healthcheck" in services["postgres"] and "healthcheck" in services["redis"]


def test_dockerfile_installs_every_package() -> None:
    text = (ROOT / "Dockerfile").read_text()
    for pkg in ("jobgate", "connectors", "normalizer", "dedup", "publisher", "scheduler"):
        assert f"COPY {pkg} ./{pkg}" in text
    assert "pip install" in text and "USER jobgate" in text
