"""Date parsing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalizer.fields import parse_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-19T12:49:48.000Z", datetime(2024, 1, 19, 12, 49, 48, tzinfo=UTC)),
        ("2025-11-13T22:47:20.057Z", datetime(2025, 11, 13, 22, 47, 20, 57000, tzinfo=UTC)),
        ("2025-11-24T10:18:17+00:00", datetime(2025, 11, 24, 10, 18, 17, tzinfo=UTC)),
        # naive values are Paris local time (CEST in September, CET in winter)
        ("2025-09-09 00:00:00", datetime(2025, 9, 8, 22, 0, tzinfo=UTC)),
        ("2025-10-03T09:19:58.77", datetime(2025, 10, 3, 7, 19, 58, 770000, tzinfo=UTC)),
        ("2025-02-22", datetime(2025, 2, 21, 23, 0, tzinfo=UTC)),
        ("2024-01-30 23:21:39", datetime(2024, 1, 30, 22, 21, 39, tzinfo=UTC)),
        ("Mon, 06 Jan 2025 10:00:00 +0100", datetime(2025, 1, 6, 9, 0, tzinfo=UTC)),
        ("Mon, 06 Jan 2025 10:00:00 GMT", datetime(2025, 1, 6, 10, 0, tzinfo=UTC)),
        ("11/12/2025 10:41:41", datetime(2025, 12, 11, 9, 41, 41, tzinfo=UTC)),
        ("11/12/2025", datetime(2025, 12, 10, 23, 0, tzinfo=UTC)),
        ("20260101", datetime(2025, 12, 31, 23, 0, tzinfo=UTC)),
        ("2025-03-06 07:32:43 UTC", datetime(2025, 3, 6, 7, 32, 43, tzinfo=UTC)),
        ("13 novembre 2025", datetime(2025, 11, 12, 23, 0, tzinfo=UTC)),
        (1736157600, datetime(2025, 1, 6, 10, 0, tzinfo=UTC)),
        (1736157600.5, datetime(2025, 1, 6, 10, 0, 0, 500000, tzinfo=UTC)),
        ("1736157600", datetime(2025, 1, 6, 10, 0, tzinfo=UTC)),
        (1736157600000, datetime(2025, 1, 6, 10, 0, tzinfo=UTC)),  # milliseconds
        (datetime(2025, 1, 6, 10, 0), datetime(2025, 1, 6, 9, 0, tzinfo=UTC)),
    ],
)
def test_parse_date(value, expected):
    result = parse_date(value)
    assert result == expected
    assert result is not None and result.tzinfo is UTC


@pytest.mark.parametrize("value", [None, "", "   "])
def test_empty(value):
    assert parse_date(value) is None


@pytest.mark.parametrize("value", ["garbage", "32/13/2025", "0000-00-00", "2025-13-01",
                                   "demain", "1850-01-01", True])
def test_unparseable_raises(value):
    with pytest.raises(ValueError, match="unparseable date"):
        parse_date(value)


@given(st.text(max_size=40))
def test_only_value_errors(text):
    try:
        result = parse_date(text)
    except ValueError:
        return
    assert result is None or result.tzinfo is UTC


@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 1, 1),
                    timezones=st.just(UTC)))
def test_iso_round_trip(moment):
    assert parse_date(moment.isoformat()) == moment
