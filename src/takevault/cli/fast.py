"""The listings' fast path: `takes`, `show`, `history` and `log` without SQLAlchemy.

`FastListings` answers the same calls as `Vault` (`iter_listed_takes`, `take`, `history`,
`iter_events`) for the plain case only: no filter on `takes` but `--shot`, a reference without `@vN`, a
vault with a local store and a `sqlite:///` or `postgresql+psycopg://` catalog, a schema at this
takevault's head. Anything else, and every error before the first row (an unknown take or shot, an
ambiguous code, a missing project, a busy, damaged or unreachable catalog), raises `NotCovered`
before a line is printed, and the command asks the `Vault` instead: one answer, one set of error
sentences. Whole listings then stream (catalog/fast_reader.py); a database error met after their
first row is the catalog's own one-sentence `CatalogError`. The command's options
are parsed by Typer either way; only where the rows come from differs. Set
TAKEVAULT_NO_FAST_PATH=1 to always use the normal path.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

from takevault.catalog.fast_reader import FastReader, NotCovered
from takevault.config import find_vault_root, load_config
from takevault.errors import TakevaultError
from takevault.models import Event, ListedTake, Take, TakeFilter, TakeVersion
from takevault.refs import check_code, parse_ref, parse_shot

_SQLITE = "sqlite:///"
_POSTGRESQL = ("postgresql://", "postgresql+psycopg://", "postgres://")
_PLAIN_LISTING = TakeFilter()


class FastListings:
    """Listing reads of one vault's project straight from its catalog."""

    def __init__(self, reader: FastReader, project: str) -> None:
        self._reader = reader
        self._project = reader.project(project)

    @classmethod
    def open(cls, vault_path: Path | None, project: str) -> FastListings:
        """The fast reads of the vault `Vault.open(vault_path, project=project)` would open; NotCovered if none."""
        try:
            check_code(project, "project")
            config = load_config(find_vault_root(vault_path))
            url, store = config.catalog_url, config.store_url
        except TakevaultError as exc:
            raise NotCovered(exc.message) from exc
        if not store.startswith("file:"):
            raise NotCovered("not a local store")
        reader = _reader(url)
        try:
            reader.check_schema()
            return cls(reader, project)
        except BaseException:
            reader.close()
            raise

    def close(self) -> None:
        self._reader.close()

    # -- the calls of `Vault` the listings make ---------------------------------------------
    def iter_listed_takes(self, where: TakeFilter | None = None) -> Iterator[ListedTake]:
        """As `Vault.iter_listed_takes` with no filter, or with only `shot` naming one shot."""
        where = where or _PLAIN_LISTING
        if dataclasses.replace(where, shot=None) != _PLAIN_LISTING:
            raise NotCovered("a filtered listing")
        if where.shot is None:
            return self._reader.listed_takes(self._project)
        try:
            section, code = parse_shot(where.shot)
        except TakevaultError as exc:
            raise NotCovered(exc.message) from exc
        return self._reader.listed_takes(self._project, self._one_shot(section, code))

    def _one_shot(self, section: str | None, code: str) -> int:
        """The id of the one shot `code` (or `section/code`) names, as `lookup.shots_named` finds it."""
        shots = self._reader.find_shots(self._project, code, section)
        if section is None and len(shots) > 1:
            # A bare code names the shot outside any section when there is one.
            shots = [s for s in shots if s.section is None] or shots
        if len(shots) != 1:
            raise NotCovered("no such shot, or a code of several shots")
        return shots[0].id

    def take(self, ref: str) -> Take:
        """As `Vault.take` (see `vault/lookup.py`'s `resolve`), for a reference that names one take."""
        try:
            parsed = parse_ref(ref)
        except TakevaultError as exc:
            raise NotCovered(exc.message) from exc
        if parsed.version is not None:
            raise NotCovered("a version of a take")
        if parsed.take_id is not None:
            found = self._reader.take_by_id(self._project, parsed.take_id)
        else:
            assert parsed.shot is not None and parsed.number is not None
            shot_id = self._one_shot(parsed.section, parsed.shot)
            found = self._reader.take_by_shot_number(self._project, shot_id, parsed.number)
        if not found:
            raise NotCovered("no such take")
        return found[0]

    def history(self, ref: str) -> list[TakeVersion]:
        return self._reader.versions(self.take(ref).id)

    def iter_events(self, *, take: str | None = None) -> Iterator[Event]:
        take_id = None
        if take is not None:
            try:
                parsed = parse_ref(take)
            except TakevaultError as exc:
                raise NotCovered(exc.message) from exc
            # As `Vault.iter_events`: a take's id finds its log lines even after the take was purged.
            take_id = parsed.take_id or self.take(take).id
        return self._reader.events(self._project, take_id)


def _reader(url: str) -> FastReader:
    """The fast reader of a catalog URL the normal path would open the same way; NotCovered if none."""
    if url.startswith(_SQLITE):
        path = url[len(_SQLITE) :]
        if "?" in path or not Path(path).is_file():
            raise NotCovered("not a local SQLite file")
        from takevault.catalog.sqlite_reader import SqliteReader

        return SqliteReader(path)
    if url.startswith(_POSTGRESQL):
        try:
            from takevault.catalog.pg_reader import PostgresReader
        except ImportError as exc:
            raise NotCovered("no psycopg") from exc
        return PostgresReader(url)
    raise NotCovered("not a catalog the fast path reads")


__all__ = ["FastListings", "NotCovered"]
