"""Pure field parsers: partner text to the canonical schema's typed values.

Every parser is a pure function (no I/O per call; vocabularies are module-level
tables loaded once) that returns a :mod:`jobgate.schema` value. Bad ordinary text
never raises: the value carries what could be parsed and the ``original`` text.
Only :func:`parse_date` raises ``ValueError``, for a date that is present but
unreadable, so that the caller quarantines the record.
"""

from .contract import parse_contract
from .dates import parse_date
from .place import parse_place
from .salary import parse_salary
from .text import description_texts, html_to_text, is_html, repair_text, safe_html
from .title import clean_title, split_title_place
from .worktime import parse_working_time

__all__ = [
    "clean_title",
    "description_texts",
    "html_to_text",
    "is_html",
    "parse_contract",
    "parse_date",
    "parse_place",
    "parse_salary",
    "parse_working_time",
    "repair_text",
    "safe_html",
    "split_title_place",
]
