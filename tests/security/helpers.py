"""Shared helpers of the security tests: two partners with their own keys, an operator, a cycle."""

from __future__ import annotations

from pathlib import Path

from tests.ops.helpers import PARTNERS, write_config

A_KEY = "a-key-Zq3v9XkPq2"  # recognisable values: the no-leak tests look for them
B_KEY = "b-key-Wm7t4LrNs8"
OPERATOR = ("operator-Jx5", "op-pass-Rk81Vq")
CV_AT = "2026-11-20T10:00:00+00:00"


def write_partners_config(tmp_path: Path, db_url: str, extra: str = "") -> Path:
    """The operations tests' configuration (France Travail, courrier-regional, hellowork) with
    A (courrier-regional) and B (hellowork) both receiving offers and CVs, each with its own
    key variable; B's feed carries one record without a title (quarantined)."""
    bad = tmp_path / "hellowork.xml"
    good = (PARTNERS / "hellowork.xml").read_text(encoding="utf-8")
    bad.write_text(good.replace("<root>", "<root>\n<job><job_id>no-title-1</job_id></job>", 1), encoding="utf-8")
    path = write_config(tmp_path, db_url, broken=False)
    text = path.read_text(encoding="utf-8")
    changes = [
        ('rank = 40\nreceives = ["offers"]', 'rank = 40\nreceives = ["offers", "cvs"]\napi_key_env = "SEC_TEST_A_KEY"'),
        (f"url = \"{PARTNERS / 'hellowork.xml'}\"\nrank = 30",
         f'url = "{bad}"\nrank = 30\nreceives = ["offers", "cvs"]\napi_key_env = "SEC_TEST_B_KEY"'),
    ]
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
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
