"""Compile the SQL of the listings' fast path from the catalog's own statements.

    python -m takevault.catalog.compile_listings

rewrites `listing_sql.py` next to this file. The fast path (`fast_reader.py`) runs that SQL
through the standard `sqlite3` module or psycopg, so a listing does not import SQLAlchemy; the
SQL itself is never written by hand: each entry is one of `catalog.py`'s statements, compiled
for SQLite (named parameters) and for PostgreSQL (psycopg's dialect, casts and all), so each
database gets the SQL the normal path would send it. `tests/catalog/test_listing_sql.py`
compiles them again and fails when the committed module differs, so a changed catalog query
cannot leave the fast path behind.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import psycopg

from takevault.catalog import catalog as cat
from takevault.catalog import listing
from takevault.models import Project, TakeFilter

TARGET = Path(__file__).with_name("listing_sql.py")
HEADER = '''"""SQL of the listings' fast path, compiled from the catalog's statements: do not edit.

Regenerate with `python -m takevault.catalog.compile_listings` (see there); a test fails when
this file and the catalog's statements differ. By dialect, then name, each entry: the SQL
(named parameters, `:x` or `%(x)s`; a list parameter `x` appears as `__[POSTCOMPILE_x]`), the
result columns with how SQLAlchemy would read each from that driver ("datetime", "json", "bool"
or "" for as handed over), the values of the parameters the statement binds itself, and how each
list parameter is written once per value (`{}` for the value's name).
"""

from __future__ import annotations

from typing import Any

Statement = tuple[str, tuple[tuple[str, str], ...], dict[str, Any], dict[str, str]]

STATEMENTS: dict[str, dict[str, Statement]] = {
'''

Statement = tuple[str, tuple[tuple[str, str], ...], dict[str, Any], dict[str, str]]
DIALECTS = ("sqlite", "postgresql")


def _scratch(dialect: str) -> cat.Catalog:
    # `_matching_ids` only asks the catalog for its dialect: the engine is made, never connected.
    return cat.Catalog("sqlite://" if dialect == "sqlite" else "postgresql+psycopg://compile@localhost/compile")


def statements(dialect: str = "sqlite") -> dict[str, sa.ClauseElement]:
    """The statements the fast path runs on `dialect`, by name, built exactly as the catalog builds them."""
    # The project is a bind parameter where the catalog puts the project row's id.
    project_id: sa.BindParameter[int] = sa.bindparam("project_id")
    project = Project(id=cast(int, project_id), name="")
    scratch = _scratch(dialect)
    try:
        # A whole listing (catalog/listing.py): the shots in edit order with their take counters (of
        # one shot for `takes --shot`, its id where the catalog puts the ids the code names), then
        # the takes of one group of shots at a time.
        group = listing._statement(scratch, project, TakeFilter(), None, grouped=True)
    finally:
        scratch.close()
    shots = listing._SHOTS_WITH_COUNTER.where(listing.shots.c.project_id == project_id)
    return {
        "schema_revision": cat._SCHEMA_REVISION,
        "project_by_name": cat._PROJECT_BY_NAME,
        "shots_by_code": cat._SHOTS_BY_CODE,
        "shots_by_section_code": cat._SHOTS_BY_SECTION_CODE,
        "takes_by_id": cat._TAKES_BY_ID,
        "takes_by_shot_number": cat._TAKES_BY_SHOT_NUMBER,
        "listing_shots": shots,
        "listing_shots_of_shot": shots.where(listing.shots.c.id.in_([sa.bindparam("shot_id")])),
        "listing_group": group,
        "any_link": cat._ANY_LINK,
        "links_from_take": cat._LINKS_FROM_TAKE,
        "links_to_take": cat._LINKS_TO_TAKE,
        "versions_of_take": cat._VERSIONS_OF_TAKE,
        "events": cat.events_select(project_id),
        "events_of_take": cat.events_select(project_id, take_id=sa.bindparam("take_id")),
    }


def _kind(type_: Any, dialect: str) -> str:
    """How SQLAlchemy reads a column of this type from `dialect`'s driver: the fast path reads it the same way.

    SQLite hands back text for timestamps and JSON; psycopg decodes both itself, and SQLAlchemy then
    passes them through, but for the catalog's own readers, which decode text whatever the driver."""
    if dialect == "postgresql":
        return {cat._IsoDateTime: "datetime", cat._JsonText: "json"}.get(type(type_), "")
    if isinstance(type_, (sa.DateTime, cat._IsoDateTime)):
        return "datetime"
    if isinstance(type_, (sa.JSON, cat._JsonText)):
        return "json"
    if isinstance(type_, sa.Boolean):
        return "bool"
    return ""


def _dialect(name: str) -> Any:
    if name == "sqlite":
        return sqlite.dialect(paramstyle="named")
    return psycopg.dialect()


def compiled(statement: sa.ClauseElement, dialect: str = "sqlite") -> Statement:
    found = statement.compile(dialect=_dialect(dialect))
    sql = str(found)
    columns: tuple[tuple[str, str], ...] = ()
    if isinstance(statement, sa.Select):
        columns = tuple((str(c.key), _kind(c.type, dialect)) for c in statement.selected_columns)
    own = {name: value for name, value in found.params.items() if value is not None}
    return sql, columns, own, _expanding(found, sql)


def _expanding(found: Any, sql: str) -> dict[str, str]:
    """Each list parameter's text for one value, `{}` standing for the value's name: what SQLAlchemy
    writes once per value in place of `__[POSTCOMPILE_name]` (with the driver's cast on PostgreSQL)."""
    out = {}
    for bind in found.binds.values():
        if not bind.expanding:
            continue
        name = found.bind_names[bind]
        prefix, suffix = sql.split(f"__[POSTCOMPILE_{name}]")
        one = found._process_parameters_for_postcompile({name: [0]}, _populate_self=False).statement
        element = one[len(prefix) : len(one) - len(suffix)]
        if not (one.startswith(prefix) and one.endswith(suffix)) or element.count(f"{name}_1") != 1:
            raise AssertionError(f"cannot tell how {name!r} is written once per value")
        out[name] = element.replace(f"{name}_1", "{}")
    return out


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
    for dialect in DIALECTS:
        out.append(f"    {dialect!r}: {{\n")
        for name, statement in statements(dialect).items():
            sql, columns, own, expanding = compiled(statement, dialect)
            out.append(f"        {name!r}: (\n")
            lines = [f"            {piece!r}" for piece in _sql_lines(sql)]
            out.append("\n".join(lines) + ",\n            (\n")
            out += [f"                {column!r},\n" for column in columns]
            out.append(f"            ),\n            {own!r},\n            {expanding!r},\n        ),\n")
        out.append("    },\n")
    out.append("}\n")
    return "".join(out)


def main() -> int:
    TARGET.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {TARGET}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
