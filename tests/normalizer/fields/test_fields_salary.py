"""Salary parsing and yearly equivalents."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalizer.fields import parse_salary
from normalizer.fields.salary import HOURS_PER_MONTH

HOURLY_YEAR = HOURS_PER_MONTH * 12


@pytest.mark.parametrize(
    ("text", "low", "high", "period", "yearly_min", "yearly_max"),
    [
        ("Mensuel de 2917.0 Euros sur 12.0 mois", 2917.0, 2917.0, "month", 35004.0, 35004.0),
        ("Mensuel de 1710,00 Euros à 1900,00 Euros sur 12 mois", 1710.0, 1900.0, "month",
         20520.0, 22800.0),
        ("Annuel de 26400,00 Euros sur 12 mois", 26400.0, 26400.0, "year", 26400.0, 26400.0),
        ("Horaire de 12,00 Euros", 12.0, 12.0, "hour", round(12 * HOURLY_YEAR, 2),
         round(12 * HOURLY_YEAR, 2)),
        ("Horaire de 11,07 Euros à 13,00 Euros sur 12 mois", 11.07, 13.0, "hour",
         round(11.07 * HOURLY_YEAR, 2), round(13 * HOURLY_YEAR, 2)),
        ("Mensuel de 2000.0 Euros sur 13.0 mois", 2000.0, 2000.0, "month", 26000.0, 26000.0),
        # "sur 1 mois" / "sur 24 mois" is the contract length, not payments a year
        ("Mensuel de 1850.0 Euros sur 1.0 mois", 1850.0, 1850.0, "month", 22200.0, 22200.0),
        ("Mensuel de 774.0 Euros à 1802.0 Euros sur 24.0 mois", 774.0, 1802.0, "month",
         9288.0, 21624.0),
        ("Annuel de 50000,00 Euros à 60000,00 Euros", 50000.0, 60000.0, "year", 50000.0, 60000.0),
        ("35K€ - 45K€ /an", 35000.0, 45000.0, "year", 35000.0, 45000.0),
        ("35 000 - 45 000 € par an", 35000.0, 45000.0, "year", 35000.0, 45000.0),
        ("11,88 €/h", 11.88, 11.88, "hour", round(11.88 * HOURLY_YEAR, 2),
         round(11.88 * HOURLY_YEAR, 2)),
        ("à partir de 2000€ brut mensuel", 2000.0, None, "month", 24000.0, None),
        ("jusqu'à 3000 € par mois", None, 3000.0, "month", None, 36000.0),
        ("18 - 22 k€ brut annuel", 18000.0, 22000.0, "year", 18000.0, 22000.0),
        ("A partir de 21 k€ brut annuel", 21000.0, None, "year", 21000.0, None),
        ("1 940 €", 1940.0, 1940.0, "month", 23280.0, 23280.0),
        ("20 400€/an + commissions", 20400.0, 20400.0, "year", 20400.0, 20400.0),
        ("450 € / jour", 450.0, 450.0, "day", 98100.0, 98100.0),
        ("800 € par semaine", 800.0, 800.0, "week", 41600.0, 41600.0),
        ("2000 € brut x 13 mois", 2000.0, 2000.0, "month", 26000.0, 26000.0),
        ("entre 1600€ et 1800e net", 1600.0, 1800.0, "month", 19200.0, 21600.0),
        ("11.88 e brut/heure", 11.88, 11.88, "hour", round(11.88 * HOURLY_YEAR, 2),
         round(11.88 * HOURLY_YEAR, 2)),
        ("6,640.00€", 6640.0, 6640.0, "month", 79680.0, 79680.0),
        ("11.88", 11.88, 11.88, "hour", round(11.88 * HOURLY_YEAR, 2),
         round(11.88 * HOURLY_YEAR, 2)),
        # mojibake "à" between the bounds (France Travail sample)
        ("Mensuel de 1600,00 Euros ï¿½ 1800,00 Euros sur 12 mois", 1600.0, 1800.0, "month",
         19200.0, 21600.0),
        # a yearly figure typed in FT's monthly field; an hourly field holding a month
        ("Mensuel de 32000.0 Euros à 39500.0 Euros sur 12.0 mois", 32000.0, 39500.0, "year",
         32000.0, 39500.0),
        ("Horaire de 1852.95 Euros sur 12 mois", 1852.95, 1852.95, "month", 22235.4, 22235.4),
    ],
)
def test_parse_salary(text, low, high, period, yearly_min, yearly_max):
    salary = parse_salary(text)
    assert (salary.min, salary.max, salary.period) == (low, high, period)
    assert (salary.yearly_min, salary.yearly_max) == (yearly_min, yearly_max)
    assert salary.original == text
    assert salary.currency == "EUR"


@pytest.mark.parametrize(
    "text",
    ["selon profil", "A négocier", "Salaire selon profil", "Selon CCN 66", "CCN 1966",
     "Selon  grille CCN66 du 15/03/1966", "dont 13e mois + allocation vacances",
     "SELON CONVENTION CCNEAC IDDC 1285", "Annuel de", "", "base 35H + HS", "N/A"],
)
def test_no_amount(text):
    salary = parse_salary(text)
    assert salary.min is None and salary.max is None and salary.period is None
    assert salary.original == (text.strip() or None)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # Jooble salary{min,max,currency,rate}
        ({"min_value": "33000.000", "max_value": "37000.000", "currency": "EUR", "period": ""},
         (33000.0, 37000.0, "year", 33000.0, 37000.0)),
        ({"min_value": "", "max_value": "", "currency": "", "period": ""},
         (None, None, None, None, None)),
        ({"min_value": 12, "period": "Horaire"}, (12.0, None, "hour", round(12 * HOURLY_YEAR, 2),
                                                   None)),
        ({"min_value": 1800, "max_value": 2000, "period": "monthly"},
         (1800.0, 2000.0, "month", 21600.0, 24000.0)),
        ({"min_value": 400, "max_value": 600, "period": "day"},
         (400.0, 600.0, "day", 87200.0, 130800.0)),
    ],
)
def test_structured(kwargs, expected):
    salary = parse_salary(None, **kwargs)
    assert (salary.min, salary.max, salary.period, salary.yearly_min, salary.yearly_max) == expected


def test_structured_values_win_over_text():
    salary = parse_salary("selon profil 2000", min_value="2500", max_value="2800")
    assert (salary.min, salary.max) == (2500.0, 2800.0)


@pytest.mark.parametrize(("currency", "iso"), [("euro", "EUR"), ("€", "EUR"), ("USD", "USD"),
                                               ("$", "USD"), ("CHF", "CHF")])
def test_currency(currency, iso):
    assert parse_salary("3000", currency=currency).currency == iso


def test_currency_from_text():
    assert parse_salary("£40,000.00 per year").currency == "GBP"


@given(st.text(max_size=120))
def test_never_raises_on_text(text):
    parse_salary(text)


_AMOUNTS = st.one_of(st.none(), st.floats(min_value=0.5, max_value=500000, allow_nan=False))
_PERIODS = st.sampled_from([None, "hour", "day", "week", "month", "year", "Mensuel", "bogus"])


@given(_AMOUNTS, _AMOUNTS, _PERIODS, st.sampled_from([None, "sur 13 mois", "35k€", "/h"]))
def test_yearly_consistent_with_min_max(low, high, period, text):
    salary = parse_salary(text, min_value=low, max_value=high, period=period)
    if salary.min is not None and salary.max is not None:
        assert salary.min <= salary.max
        assert salary.yearly_min is not None and salary.yearly_max is not None
        assert salary.yearly_min <= salary.yearly_max
    for amount, yearly in ((salary.min, salary.yearly_min), (salary.max, salary.yearly_max)):
        assert (amount is None) == (yearly is None)
        if amount is not None and yearly is not None:
            assert salary.period in {"hour", "day", "week", "month", "year"}
            assert yearly >= amount - 0.01


@given(st.floats(min_value=1, max_value=1e6, allow_nan=False))
def test_heuristic_period(value):
    period = parse_salary(None, min_value=value).period
    assert period == ("hour" if value < 100 else "month" if value < 10000 else "year")
