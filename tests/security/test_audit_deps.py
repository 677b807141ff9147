"""The dependency audit step (scripts/audit_deps.py) fails on a known vulnerability, on an
unaudited dependency and on an unreachable registry; it passes only a clean, complete audit."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_deps", ROOT / "scripts" / "audit_deps.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["audit_deps"] = module
    spec.loader.exec_module(module)
    return module


VULN = {"id": "PYSEC-2099-1", "aliases": ["CVE-2099-0001"], "fix_versions": ["2.0.1"]}


def _docs(**latest: tuple[str, list[dict[str, Any]]]) -> Any:
    def lookup(name: str) -> dict[str, Any] | None:
        if name not in latest:
            return None
        version, vulns = latest[name]
        return {"info": {"version": version}, "vulnerabilities": vulns}
    return lookup


def test_vulnerability_reported_by_pip_audit_fails(audit: ModuleType) -> None:
    report = {"dependencies": [{"name": "somepkg", "version": "2.0.0", "vulns": [VULN]},
                               {"name": "jobgate", "skip_reason": "distribution marked as editable"}]}
    v = audit.decide(report, _docs())
    assert not v.ok and v.vulnerable == ["somepkg 2.0.0: PYSEC-2099-1 (fixed in 2.0.1)"]


def test_gap_filled_from_the_project_document(audit: ModuleType) -> None:
    skipped = {"name": "somepkg", "skip_reason": "Dependency not found on PyPI and could not be audited"}
    clean = audit.decide({"dependencies": [skipped]}, _docs(somepkg=("2.0.0", [])), lambda n: "2.0.0")
    assert clean.ok and clean.audited_by_project_json == 1
    bad = audit.decide({"dependencies": [skipped]}, _docs(somepkg=("2.0.0", [VULN])), lambda n: "2.0.0")
    assert not bad.ok and bad.vulnerable
    old = audit.decide({"dependencies": [skipped]}, _docs(somepkg=("3.0.0", [])), lambda n: "2.0.0")
    assert not old.ok and old.unaudited == ["somepkg 2.0.0: no per-version data, and 3.0.0 is the latest"]
    unknown = audit.decide({"dependencies": [skipped]}, _docs(), lambda n: "2.0.0")
    assert not unknown.ok and "unknown to the registry" in unknown.unaudited[0]


def test_ignored_and_allowed_gaps_are_listed_never_silent(audit: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(audit.IGNORED, "CVE-2099-0001", "not reachable from jobgate (test)")
    v = audit.decide({"dependencies": [{"name": "somepkg", "version": "2.0.0", "vulns": [VULN]}]}, _docs())
    assert v.ok and v.ignored and "not reachable" in v.ignored[0]
    name = next(iter(audit.ALLOWED_UNAUDITED))
    v = audit.decide({"dependencies": [{"name": name, "skip_reason": "not found"}]},
                     _docs(**{name: ("99.0", [])}), lambda n: "1.0")
    assert v.ok and v.allowed_unaudited and not v.unaudited


def test_unreachable_registry_fails_loudly(audit: ModuleType, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(audit, "REGISTRY", "http://127.0.0.1:9/pypi")  # nothing listens on port 9
    monkeypatch.setattr(audit, "run_pip_audit", lambda: {"dependencies": [{"name": "somepkg", "skip_reason": "x"}]})
    assert audit.main() == 2
    assert "could not run" in capsys.readouterr().err


def test_newest_release_for_this_python_is_an_allowed_printed_gap(audit: ModuleType) -> None:
    skipped = {"name": "somepkg", "skip_reason": "not found"}

    def doc(installed_ok: bool) -> Any:
        files = {"3.0.0": [{"requires_python": ">=3.99"}], "2.0.0": [{"requires_python": ">=3.8"}],
                 "2.1.0rc1": [{"requires_python": ">=3.8"}],
                 "1.0.0": [{"requires_python": ">=3.8"}]}
        if not installed_ok:
            files["2.5.0"] = [{"requires_python": ">=3.8"}]  # a newer release we could install
        return lambda name: {"info": {"version": "3.0.0"}, "vulnerabilities": [], "releases": files}

    v = audit.decide({"dependencies": [skipped]}, doc(True), lambda n: "2.0.0")
    assert v.ok and not v.unaudited and "newest release for Python" in v.allowed_unaudited[0]
    v = audit.decide({"dependencies": [skipped]}, doc(False), lambda n: "2.0.0")
    assert not v.ok and v.unaudited == ["somepkg 2.0.0: no per-version data, and 3.0.0 is the latest"]
