"""The classify_lines contract."""

from __future__ import annotations

import io
import json

from normalizer.rome.cli import classify_lines

KEYS = {"code_rome", "code_fiche", "code_ogr", "appellation", "score", "method", "alternatives"}


def run(lines: list[str]) -> list[dict[str, object]]:
    out = io.StringIO()
    n = classify_lines(lines, out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert n == len(lines) == len(rows)
    return rows


def test_order_and_fields() -> None:
    rows = run(
        [
            json.dumps({"title": "Conducteur / Conductrice de poids lourd", "naf": "49.41A"})
            + "\n",
            "Préparateur de commandes (H/F)\n",
            json.dumps(
                {"title": "Développeur web", "description": "Développement PHP et JavaScript."}
            ),
        ]
    )
    assert [r["code_rome"] for r in rows] == ["N4101", "N1103", "M1805"]
    for r in rows:
        assert set(r) >= KEYS
        assert isinstance(r["alternatives"], list) and len(r["alternatives"]) >= 3
        assert set(r["alternatives"][0]) == {"code_rome", "score"}


def test_bare_title_and_bad_json() -> None:
    rows = run(['{"title": "Boulanger"', '"Boulanger"', "Boulanger", "42", "[1, 2]"])
    assert [r["code_rome"] for r in rows[:3]] == ["D1102"] * 3
    # A line without any word still gets its (null) answer.
    assert rows[3]["code_rome"] is None and rows[4]["code_rome"] is None


def test_empty_lines_give_nulls() -> None:
    rows = run(["", "\n", "   \n", "{}", '{"title": ""}', "Boulanger"])
    for r in rows[:5]:
        assert r["code_rome"] is None and r["code_fiche"] is None and r["code_ogr"] is None
        assert r["appellation"] is None and r["score"] == 0.0 and r["alternatives"] == []
    assert rows[5]["code_rome"] == "D1102"


def test_source_code_field() -> None:
    rows = run([json.dumps({"title": "Développeur", "source_code": "M1855"})])
    assert (rows[0]["code_rome"], rows[0]["code_fiche"], rows[0]["method"]) == (
        "M1805",
        "M1855",
        "source",
    )


def test_held_below_threshold_with_reason() -> None:
    lines = ["Boulanger", "Recherche partenaires", ""]
    out = io.StringIO()
    classify_lines(lines, out, hold_below=0.99)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["held"] for r in rows] == [r["score"] < 0.99 for r in rows[:2]] + [True]
    assert rows[2]["held_reason"] == "ROME confidence 0.00 below 0.99"
    out = io.StringIO()
    classify_lines(lines[:1], out, hold_below=0.0)
    first = json.loads(out.getvalue())
    assert (first["held"], first["held_reason"]) == (False, None)
    low = next(r for r in rows if r["held"] and r["code_rome"])
    assert low["held_reason"].endswith(f"(best guess {low['code_rome']})")


def test_batches_keep_order() -> None:
    lines = ["Boulanger", "", "Préparateur de commandes (H/F)", "{}", "Boulanger"] * 3
    one, many = io.StringIO(), io.StringIO()
    assert classify_lines(lines, one) == classify_lines(lines, many, batch=4) == len(lines)
    assert one.getvalue() == many.getvalue()
    assert [json.loads(x)["code_rome"] for x in many.getvalue().splitlines()][:5] == [
        "D1102",
        None,
        "N1103",
        None,
        "D1102",
    ]
