"""Shared helpers of the security tests: two partners with their own keys, an operator, a cycle."""

from __future__ import annotations

from pathlib import Path

from tests.ops.helpers import PARTNERS

A_KEY = "a-key-Zq3v9XkPq2"  # recognisable values: the no-leak tests look for them
B_KEY = "b-key-Wm7t4LrNs8"
OPERATOR = ("operator-Jx5", "op-pass-Rk81Vq")
CV_AT = "2026-11-20T10:00:00+00:00"


def write_partners_config(tmp_path: Path, db_url: str, extra: str = "") -> Path:
    """France Travail plus two receiving partners, A (courrier-regional) and B (hellowork),
    each with its own key variable; B's feed carries one malformed record (quarantine)."""
    bad = tmp_path / "hellowork.xml"
    good = (PARTNERS / "hellowork.xml").read_text(encoding="utf-8")
    bad.write_text(good.replace("<root>", "<root>\n<job><job_id>no-title-1</job_id></job>", 1), encoding="utf-8")
    text = f"""
[database]
url = "{db_url}"

[[partners]]
name = "france-travail"
connector = "francetravail"
url = "{PARTNERS / 'france-travail-offres.json'}"
rank = 1
public_service = true

[[partners]]
name = "courrier-regional"
connector = "rss"
url = "{PARTNERS / 'courrier-regional.rss'}"
rank = 40
receives = ["offers", "cvs"]
api_key_env = "SEC_TEST_A_KEY"

[[partners]]
name = "hellowork"
connector = "xml"
dialect = "hellowork"
url = "{bad}"
rank = 30
receives = ["offers", "cvs"]
api_key_env = "SEC_TEST_B_KEY"
"""
    path = tmp_path / "jobgate.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


def cv_json(cid: str, consents: dict[str, bool], *, visibility: str = "anonymous") -> dict[str, object]:
    """A CV with personal data everywhere anonymisation must reach."""
    return {
        "candidate_id": cid, "visibility": visibility, "consents": consents, "consents_at": CV_AT,
        "title": "Comptable", "summary": f"Je suis Élodie Dupré ({cid}), joignable au 06 12 34 56 78.",
        "skills": ["Sage"], "rome_codes": ["M1203"],
        "place": {"commune": "Montreuil", "postcode": "93100"},
        "contact": {"first_name": "Élodie", "last_name": "Dupré", "email": "elodie.dupre@gmail.com",
                    "phone": "06 12 34 56 78", "address": "12 rue des Lilas, 93100 Montreuil"},
        "birth_date": "1990-04-12",
    }
