"""The take text index: what it holds, how it is kept up to date, and how a search reads it.

One row per take in `take_search` holds the words of its name, shot code and name,
note, status, tags and the positive prompt of its current version's workflow PNG.
Database triggers keep it true whatever writes the takes (add, set, PNG attach,
rebuild), so no write path has to remember it. SQLite indexes it with FTS5, PostgreSQL
with a GIN index over a `simple` tsvector. Both answer the same question: every word
of the search begins a word of the take's text (any order, any case).

The search text never reaches the index's query language: it is cut into words
here and each word is quoted, so `"`, `*`, `NEAR` or unbalanced parentheses are
plain text, never syntax.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from takevault.errors import InvalidInputError

MAX_SEARCH_CHARS = 500
"""Longer text is not a search a person types; refuse it instead of building a huge query."""

MAX_SEARCH_WORDS = 32

_WORD = re.compile(r"[^\W_]+")


def search_words(text: str) -> list[str]:
    """The words a search text asks for, lower-cased; a clear error when there are none or too many."""
    if len(text) > MAX_SEARCH_CHARS:
        raise InvalidInputError(
            f"The search text is {len(text):,} characters long; searches take at most {MAX_SEARCH_CHARS} "
            "characters, so search for a few distinctive words instead."
        )
    words = list(dict.fromkeys(w.lower() for w in _WORD.findall(text)))
    if not words:
        if text.strip():
            raise InvalidInputError(
                f"The search text {text!r} has no letters or digits to look for; search for words "
                "from a take's name, note, tags or prompt."
            )
        raise InvalidInputError(
            "The search text is empty; give a word from a take's name, note, tags or prompt, or search for nothing."
        )
    if len(words) > MAX_SEARCH_WORDS:
        raise InvalidInputError(
            f"The search text has {len(words)} different words; searches take at most {MAX_SEARCH_WORDS}, "
            "so keep the few most distinctive ones."
        )
    return words


def matching_take_ids(dialect: str, words: list[str]) -> sa.Select:
    """A select of the ids of takes whose text has a word starting with each of `words`."""
    if dialect == "sqlite":
        # Each word quoted, with a prefix star: FTS5 reads the quotes as one literal token.
        query = " ".join(f'"{w}"*' for w in words)
        return (
            sa.select(sa.column("take_id"))
            .select_from(sa.table("take_search"))
            .where(
                sa.text("id IN (SELECT rowid FROM take_search_fts WHERE take_search_fts MATCH :fts_query)").bindparams(
                    fts_query=query
                )
            )
        )
    # Words are letters and digits only, so ':*' prefix terms joined by '&' are always a valid tsquery.
    query = " & ".join(f"{w}:*" for w in words)
    return (
        sa.select(sa.column("take_id"))
        .select_from(sa.table("take_search"))
        .where(sa.text("document @@ to_tsquery('simple', :ts_query)").bindparams(ts_query=query))
    )


# -- the index itself, for the migration ------------------------------------------------

SQLITE_DOCUMENT = """
    t.name || ' ' || s.code || ' ' || coalesce(s.name, '') || ' ' || coalesce(t.note, '') || ' '
    || coalesce(t.status, '') || ' ' || coalesce(t.tags, '') || ' '
    || coalesce((SELECT json_extract(v.params, '$.generation.positive') FROM take_versions v
                 WHERE v.take_id = t.id AND json_valid(v.params) ORDER BY v.number DESC LIMIT 1), '')
"""


def _sqlite_refresh(where: str) -> str:
    return (
        f"DELETE FROM take_search WHERE take_id IN (SELECT t.id FROM takes t WHERE {where});\n"
        f"INSERT INTO take_search (take_id, document) SELECT t.id, {SQLITE_DOCUMENT} "
        f"FROM takes t JOIN shots s ON s.id = t.shot_id WHERE {where};"
    )


SQLITE_DDL = [
    "CREATE TABLE take_search (id INTEGER PRIMARY KEY, take_id VARCHAR(36) NOT NULL UNIQUE, document TEXT NOT NULL)",
    "CREATE VIRTUAL TABLE take_search_fts USING fts5(document, content='take_search', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    # The FTS table follows take_search (external content: the text is stored once).
    "CREATE TRIGGER take_search_fts_ai AFTER INSERT ON take_search BEGIN "
    "INSERT INTO take_search_fts (rowid, document) VALUES (new.id, new.document); END",
    "CREATE TRIGGER take_search_fts_ad AFTER DELETE ON take_search BEGIN "
    "INSERT INTO take_search_fts (take_search_fts, rowid, document) VALUES ('delete', old.id, old.document); END",
    # take_search follows the rows its text comes from.
    "CREATE TRIGGER take_search_takes_ai AFTER INSERT ON takes BEGIN " + _sqlite_refresh("t.id = new.id") + " END",
    "CREATE TRIGGER take_search_takes_au AFTER UPDATE OF name, note, status, tags, shot_id ON takes BEGIN "
    + _sqlite_refresh("t.id = new.id")
    + " END",
    "CREATE TRIGGER take_search_takes_ad AFTER DELETE ON takes BEGIN "
    "DELETE FROM take_search WHERE take_id = old.id; END",
    "CREATE TRIGGER take_search_versions_ai AFTER INSERT ON take_versions BEGIN "
    + _sqlite_refresh("t.id = new.take_id")
    + " END",
    "CREATE TRIGGER take_search_versions_au AFTER UPDATE OF params ON take_versions BEGIN "
    + _sqlite_refresh("t.id = new.take_id")
    + " END",
    "CREATE TRIGGER take_search_versions_ad AFTER DELETE ON take_versions BEGIN "
    + _sqlite_refresh("t.id = old.take_id")
    + " END",
    "CREATE TRIGGER take_search_shots_au AFTER UPDATE OF code, name ON shots BEGIN "
    + _sqlite_refresh("t.shot_id = new.id")
    + " END",
    # Takes that exist before the index.
    f"INSERT INTO take_search (take_id, document) SELECT t.id, {SQLITE_DOCUMENT} "
    "FROM takes t JOIN shots s ON s.id = t.shot_id",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS take_search_shots_au",
    "DROP TRIGGER IF EXISTS take_search_versions_ad",
    "DROP TRIGGER IF EXISTS take_search_versions_au",
    "DROP TRIGGER IF EXISTS take_search_versions_ai",
    "DROP TRIGGER IF EXISTS take_search_takes_ad",
    "DROP TRIGGER IF EXISTS take_search_takes_au",
    "DROP TRIGGER IF EXISTS take_search_takes_ai",
    "DROP TRIGGER IF EXISTS take_search_fts_ad",
    "DROP TRIGGER IF EXISTS take_search_fts_ai",
    "DROP TABLE IF EXISTS take_search_fts",
    "DROP TABLE IF EXISTS take_search",
]

# Non-alphanumerics become spaces first, so the tsvector holds plain words (the parser would
# otherwise keep 'SH010/video_03' whole as a file path).
PG_DOCUMENT = """
    to_tsvector('simple', regexp_replace(lower(concat_ws(' ', t.name, s.code, s.name, t.note, t.status, t.tags::text,
        (SELECT v.params -> 'generation' ->> 'positive' FROM take_versions v
         WHERE v.take_id = t.id ORDER BY v.number DESC LIMIT 1))), '[^[:alnum:]]+', ' ', 'g'))
"""

# Functions outlive the tables (a catalog whose tables were lost keeps them), so they are replaced, not created.
PG_DDL = [
    "CREATE TABLE take_search (take_id VARCHAR(36) PRIMARY KEY "
    "REFERENCES takes (id) ON DELETE CASCADE, document tsvector NOT NULL)",
    "CREATE INDEX ix_take_search_document ON take_search USING gin (document)",
    "CREATE OR REPLACE FUNCTION take_search_refresh(tid VARCHAR) RETURNS void LANGUAGE sql AS $$ "
    f"INSERT INTO take_search (take_id, document) SELECT t.id, {PG_DOCUMENT} "
    "FROM takes t JOIN shots s ON s.id = t.shot_id WHERE t.id = tid "
    "ON CONFLICT (take_id) DO UPDATE SET document = EXCLUDED.document $$",
    "CREATE OR REPLACE FUNCTION take_search_takes_trg() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN PERFORM take_search_refresh(NEW.id); RETURN NULL; END $$",
    "CREATE TRIGGER take_search_takes AFTER INSERT OR UPDATE OF name, note, status, tags, shot_id ON takes "
    "FOR EACH ROW EXECUTE FUNCTION take_search_takes_trg()",
    "CREATE OR REPLACE FUNCTION take_search_versions_trg() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF TG_OP = 'DELETE' THEN PERFORM take_search_refresh(OLD.take_id); "
    "ELSE PERFORM take_search_refresh(NEW.take_id); END IF; RETURN NULL; END $$",
    "CREATE TRIGGER take_search_versions AFTER INSERT OR DELETE OR UPDATE OF params ON take_versions "
    "FOR EACH ROW EXECUTE FUNCTION take_search_versions_trg()",
    "CREATE OR REPLACE FUNCTION take_search_shots_trg() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN PERFORM take_search_refresh(id) FROM takes WHERE shot_id = NEW.id; RETURN NULL; END $$",
    "CREATE TRIGGER take_search_shots AFTER UPDATE OF code, name ON shots "
    "FOR EACH ROW EXECUTE FUNCTION take_search_shots_trg()",
    f"INSERT INTO take_search (take_id, document) SELECT t.id, {PG_DOCUMENT} "
    "FROM takes t JOIN shots s ON s.id = t.shot_id",
]

PG_DROP = [
    "DROP TRIGGER IF EXISTS take_search_shots ON shots",
    "DROP TRIGGER IF EXISTS take_search_versions ON take_versions",
    "DROP TRIGGER IF EXISTS take_search_takes ON takes",
    "DROP FUNCTION IF EXISTS take_search_shots_trg()",
    "DROP FUNCTION IF EXISTS take_search_versions_trg()",
    "DROP FUNCTION IF EXISTS take_search_takes_trg()",
    "DROP TABLE IF EXISTS take_search",
    "DROP FUNCTION IF EXISTS take_search_refresh(VARCHAR)",
]

# -- bulk loads on PostgreSQL (migration 0007) --------------------------------------------
# A bulk insert fills the index once per take, set-wise, instead of once per inserted row from the
# triggers (a take and its versions refreshed its document three or four times): inside such a
# transaction the setting below is on, the row triggers return at once, and `PG_REFRESH_MANY`
# writes the documents of the batch's takes before the commit. The setting is local to the
# transaction, so every other writer keeps the triggers.

PG_DEFER_SETTING = "takevault.defer_take_search"


def _pg_deferrable(body: str) -> str:
    return f"IF current_setting('{PG_DEFER_SETTING}', true) = 'on' THEN RETURN NULL; END IF; {body}"


PG_DEFERRABLE_FUNCTIONS = [
    "CREATE OR REPLACE FUNCTION take_search_takes_trg() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN " + _pg_deferrable("PERFORM take_search_refresh(NEW.id); RETURN NULL;") + " END $$",
    "CREATE OR REPLACE FUNCTION take_search_versions_trg() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN "
    + _pg_deferrable(
        "IF TG_OP = 'DELETE' THEN PERFORM take_search_refresh(OLD.take_id); "
        "ELSE PERFORM take_search_refresh(NEW.take_id); END IF; RETURN NULL;"
    )
    + " END $$",
]

PG_PLAIN_FUNCTIONS = [
    "CREATE OR REPLACE FUNCTION take_search_takes_trg() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN PERFORM take_search_refresh(NEW.id); RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION take_search_versions_trg() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF TG_OP = 'DELETE' THEN PERFORM take_search_refresh(OLD.take_id); "
    "ELSE PERFORM take_search_refresh(NEW.take_id); END IF; RETURN NULL; END $$",
]
"""What migration 0004 made; 0007's downgrade puts it back."""

PG_DEFER_ON = f"SELECT set_config('{PG_DEFER_SETTING}', 'on', true)"
PG_DEFER_OFF = f"SELECT set_config('{PG_DEFER_SETTING}', 'off', true)"

PG_REFRESH_MANY = (
    f"INSERT INTO take_search (take_id, document) SELECT t.id, {PG_DOCUMENT} "
    "FROM takes t JOIN shots s ON s.id = t.shot_id WHERE t.id = ANY(:ids) "
    "ON CONFLICT (take_id) DO UPDATE SET document = EXCLUDED.document"
)
