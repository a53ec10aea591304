"""Sections, shots, takes and their history: finding and listing them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

from takevault.catalog.search import search_words
from takevault.errors import BadReferenceError, InvalidInputError, NotFoundError
from takevault.models import Event, ListedTake, Section, Shot, Take, TakeFilter, TakeVersion
from takevault.vault import lookup
from takevault.vault.refs import check_code, parse_ref, parse_shot

if TYPE_CHECKING:
    from takevault.vault import Vault


# -- sections and shots -------------------------------------------------
def add_section(vault: Vault, code: str, *, name: str | None = None, order: int | None = None) -> Section:
    check_code(code, "section")
    return vault.catalog.add_section(lookup.project_row_for_write(vault), code, name, order)


def list_sections(vault: Vault) -> list[Section]:
    return vault.catalog.list_sections(lookup.project_row(vault))


def add_shot(
    vault: Vault,
    code: str,
    *,
    section: str | None = None,
    name: str | None = None,
    order: int | None = None,
    description: str | None = None,
) -> Shot:
    check_code(code, "shot")
    if section is not None:
        check_code(section, "section")
    return vault.catalog.add_shot(
        lookup.project_row_for_write(vault), code, section=section, name=name, order=order, description=description
    )


def list_shots(vault: Vault, *, section: str | None = None) -> list[Shot]:
    return vault.catalog.list_shots(lookup.project_row(vault), section)


def shot(vault: Vault, code_or_path: str) -> Shot:
    """A shot by `SH010` or `SEQ01/SH010`; a code used in several sections needs its section."""
    section, code = parse_shot(code_or_path)
    return lookup.one_shot(vault, section, code)


def take(vault: Vault, ref: str) -> Take:
    """The take a reference names (deleted ones too); an `@vN` must name one of its versions."""
    take, parsed = lookup.resolve(vault, ref)
    if parsed.version is not None:
        lookup.version(vault, take, parsed.version)
    return take


def resolve_version(vault: Vault, ref: str) -> tuple[Take, TakeVersion]:
    """The take and the version `@vN` names, else its current version."""
    take, parsed = lookup.resolve(vault, ref)
    if parsed.version is None:
        return take, take.current
    return take, lookup.version(vault, take, parsed.version)


def takes(vault: Vault, where: TakeFilter | None = None, **filters: Any) -> list[Take]:
    """Takes matching every filter given, ordered by section, shot and take number.

    Give a `TakeFilter`, or its fields as keywords (`takes(shot="SH010", starred=True)`)."""
    return list(vault.iter_takes(where, **filters))


def iter_takes(vault: Vault, where: TakeFilter | None = None, **filters: Any) -> Iterator[Take]:
    """Like `takes`, but streamed from the catalog: the first take comes before the last is read.

    Bad filters (unknown shot or section, rating out of range, an unusable search) are refused
    before the first take is yielded."""
    where, shot_ids = _checked(vault, _filter(where, filters))
    return vault.catalog.iter_takes(lookup.project_row(vault), where, shot_ids=shot_ids)


def iter_listed_takes(vault: Vault, where: TakeFilter | None = None, **filters: Any) -> Iterator[ListedTake]:
    """What `iter_takes` streams, as flat `ListedTake` rows (no version records, media JSON or PNG
    parameters): what whole listings and their JSON need, read several times faster."""
    where, shot_ids = _checked(vault, _filter(where, filters))
    return vault.catalog.iter_listed_takes(lookup.project_row(vault), where, shot_ids=shot_ids)


def _checked(vault: Vault, where: TakeFilter) -> tuple[TakeFilter, list[int] | None]:
    """The filter checked (one sentence for each kind of bad value) and its shot's ids."""
    shot_ids = None
    if where.shot is not None:
        shot_section, code = parse_shot(where.shot)
        found = lookup.shots_named(vault, shot_section, code)
        if not found:
            raise NotFoundError(f"Shot {where.shot} does not exist; list shots with 'takevault shot list'.")
        shot_ids = [s.id for s in found]
    if where.section is not None:
        vault.catalog.section(lookup.project_row(vault), where.section)
    if where.min_rating is not None and not 0 <= where.min_rating <= 5:
        raise InvalidInputError(f"The minimum rating {where.min_rating} is out of range; give a number from 0 to 5.")
    if where.search is not None:
        search_words(where.search)
    return where, shot_ids


def history(vault: Vault, ref: str) -> list[TakeVersion]:
    """Every version of the take, newest first."""
    take = vault.take(ref)
    return vault.catalog.versions(take.id)


def events(
    vault: Vault, *, take: str | None = None, since: datetime | None = None, until: datetime | None = None
) -> list[Event]:
    """The event log, oldest first; `take` narrows it to one take (by reference)."""
    return list(vault.iter_events(take=take, since=since, until=until))


def iter_events(
    vault: Vault, *, take: str | None = None, since: datetime | None = None, until: datetime | None = None
) -> Iterator[Event]:
    """Like `events`, streamed from the catalog."""
    take_id = None
    if take is not None:
        try:
            parsed = parse_ref(take)
        except BadReferenceError:
            raise
        # A purged take is gone from the catalog but its id still finds its log lines.
        take_id = parsed.take_id or vault.take(take).id
    return vault.catalog.iter_events(lookup.project_row(vault), take_id=take_id, since=since, until=until)


def _filter(where: TakeFilter | None, filters: dict[str, Any]) -> TakeFilter:
    if where is not None and filters:
        raise TypeError("give a TakeFilter or filter keywords, not both")
    if where is not None:
        return where
    unknown = set(filters) - {f.name for f in fields(TakeFilter)}
    if unknown:
        raise TypeError(f"unknown take filter {sorted(unknown)[0]!r}")
    return TakeFilter(**filters)
