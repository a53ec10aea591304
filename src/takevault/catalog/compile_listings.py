"""Compile the SQL of the listings' fast path from the catalog's own statements.

    python -m takevault.catalog.compile_listings

rewrites `listing_sql.py` next to this file. The fast path (`sqlite_reader.py`) runs that SQL
through the standard `sqlite3` module, so a listing does not import SQLAlchemy; the SQL itself is
never written by hand: each entry is one of `catalog.py`'s statements, compiled for SQLite with
named parameters. `tests/catalog/test_listing_sql.py` compiles them again and fails when the
committed module differs, so a changed catalog query cannot leave the fast path behind.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from takevault.catalog import catalog as cat
from takevault.catalog import listing
from takevault.models import Project, TakeFilter

TARGET = Path(__file__).with_name("listing_sql.py")
HEADER = '''"""SQL of the listings' fast path, compiled from the catalog's statements: do not edit.

Regenerate with `python -m takevault.catalog.compile_listings` (see there); a test fails when
this file and the catalog's statements differ. Each entry: the SQL (named parameters; an
expanding list parameter `x` appears as `__[POSTCOMPILE_x]`), the result columns with how
SQLAlchemy would read each ("datetime", "json", "bool" or "" for as stored) and the values of
the parameters the statement binds itself.
"""

from __future__ import annotations

from typing import Any

STATEMENTS: dict[str, tuple[str, tuple[tuple[str, str], ...], dict[str, Any]]] = {
'''


def statements() -> dict[str, sa.ClauseElement]:
    """The statements the fast path runs, by name, built exactly as the catalog builds them."""
    # The project is a bind parameter where the catalog puts the project row's id.
    project = Project(id=cast(int, sa.bindparam("project_id")), name="")
    scratch = cat.Catalog("sqlite://")  # `_matching_ids` only asks it for its dialect
    try:
        # The whole listing's select (catalog/listing.py), in edit order, and its number of rows.
        listed = listing._statement(scratch, project, TakeFilter(), None, grouped=False)
        count = scratch._matching_ids(project, TakeFilter(), None, None, None, None, base=cat._TAKE_COUNT)
        # `takes --shot`: the shot's id where the catalog puts the ids of the shots the code names.
        one_shot = [cast(int, sa.bindparam("shot_id"))]
        of_shot = listing._statement(scratch, project, TakeFilter(), one_shot, grouped=False)
        shot_count = scratch._matching_ids(project, TakeFilter(), one_shot, None, None, None, base=cat._TAKE_COUNT)
    finally:
        scratch.close()
    return {
        "schema_revision": cat._SCHEMA_REVISION,
        "project_by_name": cat._PROJECT_BY_NAME,
        "shots_by_code": cat._SHOTS_BY_CODE,
        "shots_by_section_code": cat._SHOTS_BY_SECTION_CODE,
        "takes_by_id": cat._TAKES_BY_ID,
        "takes_by_shot_number": cat._TAKES_BY_SHOT_NUMBER,
        "listed_takes_count": count,
        "listed_takes": listed,
        "listed_takes_of_shot_count": shot_count,
        "listed_takes_of_shot": of_shot,
        "any_link": cat._ANY_LINK,
        "links_from_take": cat._LINKS_FROM_TAKE,
        "links_to_take": cat._LINKS_TO_TAKE,
        "versions_of_take": cat._VERSIONS_OF_TAKE,
        "events": cat.events_select(sa.bindparam("project_id")),
        "events_of_take": cat.events_select(sa.bindparam("project_id"), take_id=sa.bindparam("take_id")),
    }


def _kind(type_: Any) -> str:
    """How SQLAlchemy reads a column of this type from SQLite: the fast path reads it the same way."""
    if isinstance(type_, (sa.DateTime, cat._IsoDateTime)):
        return "datetime"
    if isinstance(type_, (sa.JSON, cat._JsonText)):
        return "json"
    if isinstance(type_, sa.Boolean):
        return "bool"
    return ""


def compiled(statement: sa.ClauseElement) -> tuple[str, tuple[tuple[str, str], ...], dict[str, Any]]:
    found = statement.compile(dialect=sqlite.dialect(paramstyle="named"))
    columns: tuple[tuple[str, str], ...] = ()
    if isinstance(statement, sa.Select):
        columns = tuple((str(c.key), _kind(c.type)) for c in statement.selected_columns)
    own = {name: value for name, value in found.params.items() if value is not None}
    return str(found), columns, own


def _sql_lines(sql: str) -> list[str]:
    pieces = []
    for line in sql.splitlines(keepends=True):
        pieces += textwrap.wrap(
            line, 96, drop_whitespace=False, replace_whitespace=False, break_long_words=False, break_on_hyphens=False
        )
    if "".join(pieces) != sql:
        raise AssertionError("the SQL did not survive being cut into lines")
    return pieces


def render() -> str:
    """The text of `listing_sql.py`."""
    out = [HEADER]
    for name, statement in statements().items():
        sql, columns, own = compiled(statement)
        out.append(f"    {name!r}: (\n")
        lines = [f"        {piece!r}" for piece in _sql_lines(sql)]
        out.append("\n".join(lines) + ",\n        (\n")
        out += [f"            {column!r},\n" for column in columns]
        out.append(f"        ),\n        {own!r},\n    ),\n")
    out.append("}\n")
    return "".join(out)


def main() -> int:
    TARGET.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {TARGET}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
