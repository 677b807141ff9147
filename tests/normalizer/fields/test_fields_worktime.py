"""Working time parsing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalizer.fields import parse_working_time


@pytest.mark.parametrize(
    ("text", "converted", "full_time", "hours"),
    [
        ("35H Travail en journée", None, True, 35.0),
        ("35H/semaine\nTravail en journée", "Temps plein", True, 35.0),
        ("Temps partiel - 24H/semaine\nTravail en journée", "Temps partiel", False, 24.0),
        ("37H30/semaine\nTravail en journée", "Temps plein", True, 37.5),
        ("Temps partiel - 17H30/semaine\nTravail en journée", "Temps partiel", False, 17.5),
        ("36H45/semaine", None, True, 36.75),
        ("35 H  Travail en journée", None, True, 35.0),
        ("35H Horaires normaux", None, True, 35.0),
        ("Temps plein", None, True, None),
        ("Temps partiel", None, False, None),
        ("temps partiel", None, False, None),
        ("24H/semaine", None, False, 24.0),
        ("FULL_TIME", None, True, None),
        ("PART_TIME", None, False, None),
        ("Full time", None, True, None),
        ("temps partiel 80%", None, False, 28.0),
        ("mi-temps", None, False, 17.5),
        (None, "Temps plein", True, None),
        (None, None, None, None),
        ("Travail posté (2x8, 3x8, 5x8, etc.)", None, None, None),
    ],
)
def test_parse_working_time(text, converted, full_time, hours):
    wt = parse_working_time(text, converted)
    assert (wt.full_time, wt.hours_per_week) == (full_time, hours)


def test_converted_label_wins():
    # FT says part time even though 35 h would otherwise mean full time
    assert parse_working_time("35H Travail en journée", "Temps partiel").full_time is False


def test_original_kept():
    assert parse_working_time(" 39H Autre ").original == "39H Autre"
    assert parse_working_time(None, "Temps plein").original == "Temps plein"


@given(st.text(max_size=60), st.one_of(st.none(), st.text(max_size=20)))
def test_never_raises(text, converted):
    wt = parse_working_time(text, converted)
    assert wt.hours_per_week is None or 0 < wt.hours_per_week <= 70
