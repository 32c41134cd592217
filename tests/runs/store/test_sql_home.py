"""Only the run store writes SQL: no statement text anywhere else in backend/ or workers/."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
STORE = ROOT / "backend" / "runs" / "store"
# Statement openings as they appear in SQL text (upper case, as every statement of ours is written).
STATEMENT = re.compile(r"\b(SELECT\s+\S|INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM|WITH\s+\w+\s+AS\s*\()")


def _sources() -> list[Path]:
    files = [*ROOT.joinpath("backend").rglob("*.py"), *ROOT.joinpath("workers").rglob("*.py")]
    return [f for f in files if STORE not in f.parents and "migrations" not in f.parts]


def test_sql_home_is_the_run_store_only() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _sources()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if STATEMENT.search(line)
    ]
    assert found == []


def test_sql_home_check_finds_a_statement() -> None:
    assert STATEMENT.search('cursor.execute("SELECT 1")')
    assert STATEMENT.search('sql = f"UPDATE {table} SET status = %s"')
    assert not STATEMENT.search("# select the rows, then update them")
    assert [path for path in _sources() if path.name == "queries.py"] == []
