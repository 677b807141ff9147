"""SQL only through bound parameters: no value is ever formatted into SQL text.

Static check over every module of the gateway (and the benchmarks): a string built by
f-string, ``str.format`` or ``%`` whose literal part looks like SQL, and any SQL call
(``text``, ``execute``, ``exec_driver_sql``, ``scalar(s)``) whose statement is built by
concatenation, is refused unless its function is listed in ``REVIEWED`` with the reason
it is safe: what is interpolated is an identifier or a placeholder chosen by the code,
never a value. Values go in as ``:name`` parameters.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGES = ["jobgate", "connectors", "publisher", "scheduler", "normalizer", "dedup", "bench", "scripts"]
SQL_WORDS = re.compile(r"\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|WHERE|JOIN|ORDER BY|GROUP BY|"
                       r"CREATE (TABLE|INDEX|DATABASE|TRIGGER)|DROP (TABLE|INDEX|TRIGGER|DATABASE)|"
                       r"ALTER TABLE|PRAGMA|VACUUM)\b")
SQL_CALLS = {"text", "execute", "exec_driver_sql", "scalar", "scalars"}
#: (module path, function) → why what it interpolates is never a value.
REVIEWED: dict[tuple[str, str], str] = {
    ("jobgate/search.py", "index_catalogue"): "IN list of generated placeholders :c0..:cN; ids are bound",
    ("jobgate/search.py", "commune_centre"): "column name chosen from a fixed pair by the code; value bound as :v",
    ("jobgate/search.py", "search_offers"): "WHERE clauses, joins and ORDER BY are fixed fragments; "
                                            "values bound (:ct0.., :la1, :smin, :since, :lim...)",
    ("jobgate/search.py", "_cube_facets"): "facet column names from the FACETS constant; values bound",
    ("jobgate/search.py", "_scan_facets"): "fixed fragments and the FACET_SCAN_LIMIT constant; values bound",
    ("jobgate/migrations/versions/0004_search.py", "downgrade"): "trigger names from a constant tuple",
    ("jobgate/search.py", "_walk_newest"): "the page's fixed WHERE fragments and TSV_MATCH; values bound "
                                           "(:budget, :lim, the filters' own)",
    ("jobgate/search.py", "_band_size"): "the BAND_INDEX_MAX constant; latitudes bound as :a, :b",
    ("jobgate/storage/rawbulk.py", "upsert_prepared"): "DBAPI placeholders (? or %s) chosen by dialect and "
                                                       "repeated per chunk; every value is a bound parameter",
    ("jobgate/storage/rawbulk.py", "touch_prepared"): "DBAPI placeholders chosen by dialect; values bound",
    ("dedup/bulk.py", "insert_rows"): "table and column names from the dedup writer's constants; DBAPI "
                                      "placeholders or COPY rows carry every value",
    ("dedup/bulk.py", "update_rows"): "table, key and column names from the dedup writer's constants; "
                                      "values bound through DBAPI placeholders",
    ("bench/api_bench.py", "grow"): "benchmark fixture growth: SQL fragments chosen by dialect; counts bound "
                                    "as :n, :k, :rows",
}


def _functions(tree: ast.AST) -> dict[ast.AST, str]:
    owner: dict[ast.AST, str] = {}

    def visit(node: ast.AST, name: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else name
            owner[child] = inner
            visit(child, inner)

    visit(tree, "<module>")
    return owner


def _literal(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_literal(v) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _literal(node.left) + _literal(node.right)
    return ""


def findings(path: Path, rel: str, *, reviewed: bool = True) -> Iterator[tuple[int, str, str]]:
    """(line, function, what) of every SQL built by formatting in one file (``reviewed``:
    leave out the functions of :data:`REVIEWED`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    owner = _functions(tree)
    for node in ast.walk(tree):
        what = None
        if isinstance(node, ast.JoinedStr) and any(isinstance(v, ast.FormattedValue) for v in node.values):
            if SQL_WORDS.search(_literal(node)):
                what = "f-string SQL"
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
              and SQL_WORDS.search(_literal(node.func.value))):
            what = "str.format SQL"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and SQL_WORDS.search(_literal(node.left)):
            what = "%-formatted SQL"
        elif isinstance(node, ast.Call) and node.args:
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in SQL_CALLS and isinstance(node.args[0], ast.BinOp) and SQL_WORDS.search(_literal(node.args[0])):
                what = f"{name}() of a concatenated statement"
        if what:
            fn = owner.get(node, "<module>")
            if not reviewed or ((rel, fn) not in REVIEWED and (rel, "*") not in REVIEWED):
                yield node.lineno, fn, what  # type: ignore[attr-defined]


def _files() -> Iterator[tuple[Path, str]]:
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            if ".venv" not in path.parts:
                yield path, path.relative_to(ROOT).as_posix()


def test_no_value_formatted_into_sql() -> None:
    bad = [f"{rel}:{line} in {fn}(): {what}" for path, rel in _files() for line, fn, what in findings(path, rel)]
    assert not bad, "format values as bound parameters (:name), not into SQL text:\n" + "\n".join(bad)


def test_reviewed_entries_are_still_needed() -> None:
    """A reviewed exception that covers nothing any more is removed, not left to cover new code."""
    raw = {(rel, fn) for path, rel in _files() for _, fn, _ in findings(path, rel, reviewed=False)}
    files = {rel for rel, _ in raw}
    stale = [k for k in REVIEWED if k not in raw and not (k[1] == "*" and k[0] in files)]
    assert not stale, stale


@pytest.mark.parametrize(("code", "caught"), [
    ('s.execute(text(f"SELECT * FROM offers WHERE id = {oid}"))', True),
    ('s.execute(text("SELECT * FROM offers WHERE id = \'%s\'" % oid))', True),
    ('s.execute(text("SELECT * FROM offers WHERE id = {}".format(oid)))', True),
    ('s.execute(text("SELECT * FROM offers WHERE id = " + oid))', True),
    ('s.execute(text("SELECT * FROM offers WHERE id = :id"), {"id": oid})', False),
    ('log.info(f"fetched {n} offers")', False),
])
def test_the_check_catches_formatting(tmp_path: Path, code: str, caught: bool) -> None:
    f = tmp_path / "m.py"
    f.write_text(f"def q(s, oid, n, log):\n    {code}\n", encoding="utf-8")
    assert bool(list(findings(f, "m.py"))) is caught
