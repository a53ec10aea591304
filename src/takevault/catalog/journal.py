"""The catalog journal: every committed write transaction as the row images it left.

Why row images and not operations: replaying "what each row looked like after the
change" needs no knowledge of the use case that made it, so a new column or table
is journaled without touching this module, and replay is idempotent (the last image
of a row wins; a deletion removes it). Ids are kept verbatim, so foreign keys and
the event log's order come back exactly.

How it is captured, in one place: `Catalog.write()` opens a `Changes` collector on
its connection; SQLAlchemy hooks note the primary keys of every row an INSERT,
UPDATE or DELETE touches; just before COMMIT the current images of those rows are
read inside the same transaction and stored as one `journal` row, whose `seq` is
taken after every lock the transaction holds (so two transactions that touched the
same row are numbered in commit order). After the commit the entry is written to the
store as `.takevault/journal/<seq>.json` (see `vault/journal.py`).

The crash windows: a transaction that does not commit leaves no entry anywhere (a
change the user saw fail never comes back); a crash between COMMIT and the store
write leaves a `journal` row with no object, which `fsck` reports and
`fsck --repair` writes from the row. The first entry of a catalog (a new vault, or
one made before the journal existed) is a baseline: the images of every row.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from takevault.catalog.schema import journal, metadata

JOURNAL_PREFIX = ".takevault/journal/"
FORMAT = 1
_INFO_KEY = "takevault.journal"
_CHUNK = 500


NOT_JOURNALED = {journal.name, "jobs", "web_sessions", "guest_sessions"}
"""Tables whose rows are not what the vault holds but how it is being used right now: the journal
itself, job progress (a heartbeat a second would flood the store), and login sessions (they expire;
a rebuilt vault asks people to sign in again)."""


def journaled_tables() -> list[sa.Table]:
    """Every catalog table whose rows a rebuild must give back, parents before children."""
    return [t for t in metadata.sorted_tables if t.name not in NOT_JOURNALED]


def journal_key(seq: int) -> str:
    return f"{JOURNAL_PREFIX}{seq:012d}.json"


def seq_of_key(key: str) -> int | None:
    """The sequence number a journal object key names, None for any other key."""
    if not key.startswith(JOURNAL_PREFIX) or not key.endswith(".json"):
        return None
    digits = key[len(JOURNAL_PREFIX) : -len(".json")]
    return int(digits) if digits.isdigit() else None


@dataclass
class Changes:
    """Primary keys touched by one write transaction, per table."""

    touched: dict[str, set[tuple]] = field(default_factory=lambda: defaultdict(set))
    paused: bool = False


def install(engine: sa.Engine) -> None:
    """Hook the engine so write transactions opened by `begin()` record what they touch."""
    sa.event.listen(engine, "before_execute", _before_execute, retval=True)
    sa.event.listen(engine, "after_execute", _after_execute)


def begin(conn: sa.Connection) -> Changes:
    changes = Changes()
    conn.info[_INFO_KEY] = changes
    return changes


def end(conn: sa.Connection) -> None:
    # `Connection.info` lives with the pooled DBAPI connection: clear it so the next user starts clean.
    conn.info.pop(_INFO_KEY, None)


def _active(conn: sa.Connection) -> Changes | None:
    changes = conn.info.get(_INFO_KEY)
    if changes is None or changes.paused:
        return None
    return changes


_NAMES = {t.name for t in journaled_tables()}


def _before_execute(conn: sa.Connection, clause: Any, multiparams: Any, params: Any, options: Any) -> Any:
    changes = _active(conn)
    if changes is None or getattr(getattr(clause, "table", None), "name", None) not in _NAMES:
        return clause, multiparams, params
    table = clause.table
    if isinstance(clause, sa.Insert):
        if clause._returning:
            # RETURNING hides the keys from inserted_primary_key: ask for them as defaults and hand the
            # caller's RETURNING columns back as supplemental columns (the result reads the same).
            wanted = clause._returning
            clause = clause._clone()
            clause._returning = ()
            clause = clause.return_defaults(*table.primary_key.columns, supplemental_cols=wanted)
        elif not clause._return_defaults:
            # Ask for the new keys back, also for a many-row insert (SQLAlchemy's insertmanyvalues).
            clause = clause.return_defaults(*table.primary_key.columns)
        return clause, multiparams, params
    if not isinstance(clause, (sa.Update, sa.Delete)):
        return clause, multiparams, params
    # Which rows will change, read before the statement runs (an UPDATE may change its own WHERE column).
    query = sa.select(*table.primary_key.columns)
    if clause.whereclause is not None:
        query = query.where(clause.whereclause)
    changes.paused = True
    try:
        rows = conn.execute(query).all()
    finally:
        changes.paused = False
    changes.touched[table.name].update(tuple(r) for r in rows)
    return clause, multiparams, params


def _after_execute(conn: sa.Connection, clause: Any, multiparams: Any, params: Any, options: Any, result: Any) -> None:
    changes = _active(conn)
    if changes is None or not isinstance(clause, sa.Insert):
        return
    table = clause.table
    if getattr(table, "name", None) not in _NAMES:
        return
    rows = result.inserted_primary_key_rows
    if any(r is None or any(v is None for v in r) for r in rows):
        raise RuntimeError(f"the journal could not learn the keys of rows inserted into {table.name}")
    changes.touched[table.name].update(tuple(r) for r in rows)


def finish(conn: sa.Connection, changes: Changes) -> tuple[int, str] | None:
    """Store the entry of this transaction in the `journal` table; (seq, payload) or None if nothing changed."""
    changes.paused = True
    baseline = conn.execute(sa.select(journal.c.seq).limit(1)).first() is None
    if not baseline and not any(changes.touched.values()):
        return None
    images: dict[str, list[dict[str, Any]]] = {}
    deleted: dict[str, list[list[Any]]] = {}
    for table in journaled_tables():
        if baseline:
            found = [dict(r) for r in conn.execute(sa.select(table)).mappings()]
        else:
            keys = changes.touched.get(table.name)
            if not keys:
                continue
            found = list(_rows_by_key(conn, table, sorted(keys, key=repr)))
            present = {_key_of(table, row) for row in found}
            gone = [list(k) for k in sorted(keys - present, key=repr)]
            if gone:
                deleted[table.name] = gone
        if found:
            images[table.name] = [_encode_row(row) for row in found]
    at = datetime.now(UTC)
    payload = json.dumps(
        {"format": FORMAT, "at": at.isoformat(), "baseline": baseline, "rows": images, "deleted": deleted},
        separators=(",", ":"),
        sort_keys=True,
    )
    seq = conn.execute(sa.insert(journal).values(at=at, payload=payload).returning(journal.c.seq)).scalar_one()
    return int(seq), payload


def _rows_by_key(conn: sa.Connection, table: sa.Table, keys: Sequence[tuple]) -> Iterator[dict[str, Any]]:
    pk = list(table.primary_key.columns)
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        if len(pk) == 1:
            where = pk[0].in_([k[0] for k in chunk])
        else:
            where = sa.or_(*(sa.and_(*(c == v for c, v in zip(pk, k, strict=True))) for k in chunk))
        yield from (dict(r) for r in conn.execute(sa.select(table).where(where)).mappings())


def _key_of(table: sa.Table, row: dict[str, Any]) -> tuple:
    return tuple(row[c.name] for c in table.primary_key.columns)


def _encode_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}


def decode_row(table: sa.Table, row: dict[str, Any]) -> dict[str, Any]:
    """A journal image back to values for `table` (timestamps are ISO strings in the JSON)."""
    out: dict[str, Any] = {}
    for name, value in row.items():
        column = table.c.get(name)
        if column is None:
            continue  # a column a later schema dropped
        if value is not None and isinstance(column.type, sa.DateTime):
            value = datetime.fromisoformat(value)
        out[name] = value
    return out


@dataclass
class Folded:
    """The catalog state a run of journal entries describes: the last image of every row."""

    rows: dict[str, dict[tuple, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    entries: int = 0

    def apply(self, payload: dict[str, Any]) -> None:
        self.entries += 1
        by_name = {t.name: t for t in journaled_tables()}
        if payload.get("baseline"):
            # A baseline is the whole catalog at that moment: rows it lacks were gone by then.
            self.rows.clear()
        for name, keys in (payload.get("deleted") or {}).items():
            for key in keys:
                self.rows[name].pop(tuple(key), None)
        for name, images in (payload.get("rows") or {}).items():
            table = by_name.get(name)
            if table is None:
                continue
            for image in images:
                self.rows[name][tuple(image.get(c.name) for c in table.primary_key.columns)] = image

    def tables(self) -> Iterable[tuple[sa.Table, list[dict[str, Any]]]]:
        for table in journaled_tables():
            images = self.rows.get(table.name) or {}
            yield table, [decode_row(table, image) for image in images.values()]


def parse(payload: str | bytes) -> dict[str, Any]:
    data = json.loads(payload)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not a takevault journal entry of a known format")
    return data


# -- the catalog side of rebuild and fsck ---------------------------------------
# These work on the engine directly, outside `Catalog.write()`: replaying the journal must not journal.


def content_counts(engine: sa.Engine) -> dict[str, int]:
    """Rows per table that a user made (a bare project row, as a new vault has, does not count)."""
    with engine.connect() as conn:
        return {
            t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for t in journaled_tables()
            if t.name != "projects"
        }


def catalog_seqs(engine: sa.Engine) -> set[int]:
    with engine.connect() as conn:
        return {int(r[0]) for r in conn.execute(sa.select(journal.c.seq))}


def catalog_payloads(engine: sa.Engine, seqs: Iterable[int]) -> Iterator[tuple[int, str]]:
    wanted = sorted(seqs)
    with engine.connect() as conn:
        for start in range(0, len(wanted), _CHUNK):
            query = sa.select(journal.c.seq, journal.c.payload).where(journal.c.seq.in_(wanted[start : start + _CHUNK]))
            yield from ((int(s), p) for s, p in conn.execute(query.order_by(journal.c.seq)))


def set_aside(engine: sa.Engine) -> str:
    """Copy the whole catalog somewhere it stays untouched; returns where."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    if engine.dialect.name == "sqlite":
        database = engine.url.database or ""
        target = f"{database}.before-rebuild-{stamp}"
        raw = engine.raw_connection()  # VACUUM cannot run inside the transaction SQLAlchemy would open
        try:
            raw.cursor().execute("VACUUM INTO ?", (target,))
        finally:
            raw.close()
        return target
    schema = f"takevault_before_rebuild_{stamp.lower()}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        for name in [*(t.name for t in metadata.sorted_tables), "alembic_version"]:
            conn.exec_driver_sql(f'CREATE TABLE "{schema}"."{name}" AS TABLE "{name}"')
    return f"PostgreSQL schema {schema}"


def restore(engine: sa.Engine, folded: Folded, entries: Sequence[tuple[int, str]]) -> None:
    """Empty the catalog and load the folded state plus the journal rows, in one transaction."""
    tables = list(folded.tables())
    deferred = {t.name: [c.parent.name for c in t.foreign_keys if c.constraint.use_alter] for t, _ in tables}
    with engine.connect() as conn, conn.begin():
        for table, _ in tables:
            if deferred[table.name]:
                conn.execute(sa.update(table).values(**dict.fromkeys(deferred[table.name])))
        conn.execute(sa.delete(journal))
        for table, _ in reversed(tables):
            conn.execute(sa.delete(table))
        for table, rows in tables:
            if not rows:
                continue
            later = deferred[table.name]
            # Columns whose foreign key points forward (a shot's star names a take) are set after every insert.
            first = [{**r, **dict.fromkeys(later)} for r in rows] if later else rows
            for start in range(0, len(first), _CHUNK):
                conn.execute(sa.insert(table), list(first[start : start + _CHUNK]))
        for table, rows in tables:
            pk = list(table.primary_key.columns)
            for column in deferred[table.name]:
                for row in rows:
                    if row.get(column) is not None:
                        conn.execute(
                            sa.update(table).where(*(c == row[c.name] for c in pk)).values(**{column: row[column]})
                        )
        for start in range(0, len(entries), _CHUNK):
            chunk = entries[start : start + _CHUNK]
            conn.execute(
                sa.insert(journal),
                [{"seq": s, "at": datetime.fromisoformat(json.loads(p)["at"]), "payload": p} for s, p in chunk],
            )
        if engine.dialect.name == "postgresql":
            _reset_sequences(conn)


def _reset_sequences(conn: sa.Connection) -> None:
    """Ids came back verbatim; the next insert must not reuse one."""
    for table in [*journaled_tables(), journal]:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, sa.Integer):
            continue
        name, column = table.name, pk[0].name
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{name}\"', '{column}'), "
            f'COALESCE(MAX("{column}"), 1), MAX("{column}") IS NOT NULL) FROM "{name}"'
        )
