"""Audit the installed environment for known vulnerabilities; fail loudly on anything unaudited.

Runs ``pip-audit`` (PyPI's vulnerability data) on this virtualenv, then decides:

* a known vulnerability not listed in ``IGNORED`` (with its reason) → exit 1;
* a dependency pip-audit could not audit → looked up in the project's JSON document on
  the same registry (``/pypi/NAME/json``), whose ``vulnerabilities`` describe the latest
  release: when that is the installed version, it is audited from there; otherwise it
  stays unaudited → exit 1 (some registry mirrors serve no per-version documents, and
  pip-audit then audits nothing while exiting 0), unless the installed version is the newest
  release this Python can install (the latest needs a newer Python): that gap is printed as
  allowed, since no fix could be installed here anyway;
* the registry unreachable, or pip-audit failing → exit 2.

Nothing passes silently: the summary line says how many were audited and by which way.
Usage: ``python scripts/audit_deps.py`` (with the virtualenv's python).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

#: Vulnerability ids deliberately ignored, each with the reason (docs/security.md). Empty.
IGNORED: dict[str, str] = {}
#: Packages that cannot be audited here, each with the reason; printed on every run, never
#: silent, and any other unaudited package fails the audit (docs/security.md).
ALLOWED_UNAUDITED: dict[str, str] = {
    "python-dateutil": "celery caps it below its latest release, and the registry mirror used here "
                       "serves no per-version vulnerability document",
    "selenium": "its latest release needs a certifi release the registry does not have yet (test-only "
                "dependency), and the registry mirror used here serves no per-version vulnerability document",
}
REGISTRY = os.environ.get("JOBGATE_AUDIT_REGISTRY", "https://pypi.org/pypi")
TIMEOUT_S = 30.0


class AuditUnavailable(RuntimeError):
    """The audit could not be run (registry unreachable, pip-audit broken)."""


@dataclass
class Verdict:
    """What the audit found."""

    audited_by_pip_audit: int = 0
    audited_by_project_json: int = 0
    vulnerable: list[str] = field(default_factory=list)  # "name version: ID (fixed in ...)"
    ignored: list[str] = field(default_factory=list)
    unaudited: list[str] = field(default_factory=list)  # "name version: why"
    allowed_unaudited: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Everything audited and nothing vulnerable."""
        return not self.vulnerable and not self.unaudited


def _vuln_lines(name: str, version: str, vulns: list[dict[str, Any]], verdict: Verdict) -> None:
    for v in vulns:
        vid = str(v.get("id"))
        ids = {vid, *(str(a) for a in v.get("aliases") or [])}
        line = f"{name} {version}: {vid} (fixed in {', '.join(v.get('fix_versions') or v.get('fixed_in') or []) or '?'})"
        hit = next((i for i in ids if i in IGNORED), None)
        if hit:
            verdict.ignored.append(f"{line}: ignored, {IGNORED[hit]}")
        else:
            verdict.vulnerable.append(line)


def project_json(name: str) -> dict[str, Any] | None:
    """The registry's JSON document of project ``name`` (``None`` when it does not know it)."""
    url = f"{REGISTRY}/{name}/json"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as resp:
            data: dict[str, Any] = json.load(resp)
            return data
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise AuditUnavailable(f"{url}: HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise AuditUnavailable(f"{url}: {exc}") from exc


PYTHON = ".".join(str(n) for n in sys.version_info[:3])


def newest_for_python(doc: dict[str, Any], python: str = PYTHON) -> str | None:
    """The newest final release in ``doc["releases"]`` whose files all admit ``python``."""
    best: Version | None = None
    for raw, files in (doc.get("releases") or {}).items():
        try:
            version = Version(raw)
            specs = [SpecifierSet(f.get("requires_python") or "") for f in files]
        except (InvalidVersion, InvalidSpecifier):
            continue
        if version.is_prerelease or not files or any(f.get("yanked") for f in files):
            continue
        if all(python in spec for spec in specs) and (best is None or version > best):
            best = version
    return str(best) if best is not None else None


def _installed(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def decide(report: dict[str, Any], lookup: Callable[[str], dict[str, Any] | None] = project_json,
           installed: Callable[[str], str] = _installed) -> Verdict:
    """The verdict on a ``pip-audit -f json`` report, filling its gaps with ``lookup``."""
    verdict = Verdict()
    for dep in report.get("dependencies", []):
        name = dep["name"]
        version = dep.get("version") or installed(name)
        if dep.get("skip_reason") == "distribution marked as editable":
            continue  # this project itself
        if "skip_reason" not in dep:
            verdict.audited_by_pip_audit += 1
            _vuln_lines(name, version, dep.get("vulns") or [], verdict)
            continue
        doc = lookup(name)
        latest = (doc or {}).get("info", {}).get("version")
        gap = verdict.allowed_unaudited if name in ALLOWED_UNAUDITED else verdict.unaudited
        why = f": allowed, {ALLOWED_UNAUDITED[name]}" if name in ALLOWED_UNAUDITED else ""
        if doc is None:
            gap.append(f"{name} {version}: unknown to the registry{why}")
        elif latest != version and newest_for_python(doc) == version:
            verdict.allowed_unaudited.append(
                f"{name} {version}: no per-version data; {latest} is the latest but needs another "
                f"Python, and {version} is the newest release for Python {PYTHON}")
        elif latest != version:
            gap.append(f"{name} {version}: no per-version data, and {latest} is the latest{why}")
        else:
            verdict.audited_by_project_json += 1
            _vuln_lines(name, version, doc.get("vulnerabilities") or [], verdict)
    return verdict


def run_pip_audit() -> dict[str, Any]:
    """``pip-audit -f json`` on this interpreter's environment (editable jobgate left out)."""
    exe = Path(sys.executable).with_name("pip-audit")
    cmd = [str(exe), "-f", "json", "--progress-spinner", "off", "--skip-editable", "--desc", "off"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1) or not proc.stdout.strip():  # 1 = vulnerabilities found
        raise AuditUnavailable(f"pip-audit exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    try:
        report: dict[str, Any] = json.loads(proc.stdout)
    except ValueError as exc:
        raise AuditUnavailable(f"pip-audit printed no JSON: {proc.stdout[:500]}") from exc
    return report


def main() -> int:
    """Run the audit; print the verdict; 0 clean, 1 vulnerable or unaudited, 2 not run."""
    try:
        verdict = decide(run_pip_audit())
    except AuditUnavailable as exc:
        print(f"dependency audit FAILED: could not run: {exc}", file=sys.stderr)
        return 2
    for line in verdict.vulnerable:
        print(f"VULNERABLE {line}", file=sys.stderr)
    for line in verdict.unaudited:
        print(f"UNAUDITED {line}", file=sys.stderr)
    for line in verdict.ignored:
        print(f"IGNORED {line}", file=sys.stderr)
    for line in verdict.allowed_unaudited:
        print(f"UNAUDITED {line}", file=sys.stderr)
    print(f"dependency audit: {verdict.audited_by_pip_audit} audited by pip-audit, "
          f"{verdict.audited_by_project_json} from the project documents, "
          f"{len(verdict.unaudited) + len(verdict.allowed_unaudited)} unaudited "
          f"({len(verdict.allowed_unaudited)} allowed), "
          f"{len(verdict.vulnerable)} vulnerable, {len(verdict.ignored)} ignored: "
          f"{'ok' if verdict.ok else 'FAILED'}", file=sys.stderr)
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main())
