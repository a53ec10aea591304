"""What every take use case stands on: the project row, shot and take lookup, reading, the event log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from datetime import datetime
from typing import Any

from takevault.catalog.catalog import now
from takevault.catalog.search import search_words
from takevault.errors import BadReferenceError, InvalidInputError, NotFoundError
from takevault.models import ANY_TAKE, Event, Project, Section, Shot, Take, TakeFilter, TakeVersion
from takevault.vault.core import VaultCore
from takevault.vault.refs import TakeRef, check_code, parse_ref, parse_shot, take_name


class TakeBase(VaultCore):
    """Lookups and listings shared by the take use cases."""

    _NO_PROJECT_YET = -1
    """Id of a project nobody has written to: every query on it finds nothing."""

    @property
    def _project(self) -> Project:
        """This vault's project for reading. Reading never creates it, so a mistyped --project
        shows an empty project instead of adding one to the vault; the first write does."""
        known = self.__dict__.get("_project_row")
        if known is not None:
            return known
        found = self.catalog.find_project(self.project)
        if found is None:
            if self.known_project:
                names = ", ".join(p.name for p in self.catalog.list_projects()) or "none yet"
                raise NotFoundError(
                    f"No project named {self.project!r} in this vault (it has: {names}); check the project name, "
                    "or add a section or shot to start it."
                )
            return Project(id=self._NO_PROJECT_YET, name=self.project)
        self.__dict__["_project_row"] = found
        return found

    def _project_for_write(self) -> Project:
        if "_project_row" not in self.__dict__:
            self.__dict__["_project_row"] = self.catalog.ensure_project(self.project)
        return self.__dict__["_project_row"]

    def _event(self, action: str, take: Take | None = None, shot: str | None = None, **details: Any) -> dict:
        if take is not None:
            details.setdefault("ref", take.ref)
        return {
            "project_id": self._project_for_write().id,
            "at": now(),
            "user": self.user,
            "action": action,
            "take_id": take.id if take else None,
            "shot": shot if shot is not None else (_shot_path(take) if take else None),
            "details": details,
        }

    # -- sections and shots -------------------------------------------------
    def add_section(self, code: str, *, name: str | None = None, order: int | None = None) -> Section:
        check_code(code, "section")
        return self.catalog.add_section(self._project_for_write(), code, name, order)

    def list_sections(self) -> list[Section]:
        return self.catalog.list_sections(self._project)

    def add_shot(
        self,
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
        return self.catalog.add_shot(
            self._project_for_write(), code, section=section, name=name, order=order, description=description
        )

    def list_shots(self, *, section: str | None = None) -> list[Shot]:
        return self.catalog.list_shots(self._project, section)

    def shot(self, code_or_path: str) -> Shot:
        """A shot by `SH010` or `SEQ01/SH010`; a code used in several sections needs its section."""
        section, code = parse_shot(code_or_path)
        return self._one_shot(section, code)

    def _shots_named(self, section: str | None, code: str) -> list[Shot]:
        """Shots that `code` (or `section/code`) names; a bare code means the shot with no section when there is one,
        because that shot's path, and the refs of its takes, are the bare code."""
        found = self.catalog.find_shots(self._project, code, section)
        if section is None and len(found) > 1:
            loose = [s for s in found if s.section is None]
            return loose or found
        return found

    def _one_shot(self, section: str | None, code: str, *, example: str | None = None) -> Shot:
        found = self._shots_named(section, code)
        if not found:
            where = f"{section}/{code}" if section else code
            raise NotFoundError(
                f"Shot {where} does not exist; list shots with 'takevault shot list' "
                f"or add it with 'takevault shot add {code}{f' --section {section}' if section else ''}'."
            )
        if len(found) > 1:
            sections = ", ".join(s.section for s in found if s.section)
            first = found[0]
            sample = example or f"{first.section}/{code}"
            raise BadReferenceError(
                f"Shot code {code} exists in several sections ({sections}); add the section, e.g. {sample}."
            )
        return found[0]

    # -- takes ----------------------------------------------------------------
    def _resolve(self, ref: str | TakeRef) -> tuple[Take, TakeRef]:
        parsed = ref if isinstance(ref, TakeRef) else parse_ref(ref)
        if parsed.take_id is not None:
            found = self.catalog.query_takes(self._project, ANY_TAKE, take_ids=[parsed.take_id])
            if not found:
                raise NotFoundError(f"No take has the id {parsed.take_id}; find takes with 'takevault takes'.")
            return found[0], parsed
        assert parsed.shot is not None and parsed.number is not None
        example = f"SEQ01/{parsed.shot}/{take_name(parsed.number)}"
        shot = self._one_shot(parsed.section, parsed.shot, example=example)
        found = self.catalog.query_takes(self._project, ANY_TAKE, shot_ids=[shot.id], number=parsed.number)
        if not found:
            raise NotFoundError(
                f"Shot {shot.path} has no take {take_name(parsed.number)}; "
                f"list its takes with 'takevault takes --shot {shot.path}'."
            )
        return found[0], parsed

    def take(self, ref: str) -> Take:
        """The take a reference names (deleted ones too); an `@vN` must name one of its versions."""
        take, parsed = self._resolve(ref)
        if parsed.version is not None:
            self._version(take, parsed.version)
        return take

    def _take_only(self, ref: str, command: str) -> Take:
        take, parsed = self._resolve(ref)
        if parsed.version is not None:
            raise BadReferenceError(
                f"'{command}' works on a whole take, not one version; drop the '@v{parsed.version}' from {ref!r}."
            )
        return take

    def resolve_version(self, ref: str) -> tuple[Take, TakeVersion]:
        """The take and the version `@vN` names, else its current version."""
        take, parsed = self._resolve(ref)
        if parsed.version is None:
            return take, take.current
        return take, self._version(take, parsed.version)

    def _version(self, take: Take, number: int) -> TakeVersion:
        for version in self.catalog.versions(take.id):
            if version.number == number:
                return version
        raise NotFoundError(
            f"{take.ref} has no version v{number}; it has v1 to v{take.current.number} "
            f"(see 'takevault history {take.ref}')."
        )

    def takes(self, where: TakeFilter | None = None, **filters: Any) -> list[Take]:
        """Takes matching every filter given, ordered by section, shot and take number.

        Give a `TakeFilter`, or its fields as keywords (`takes(shot="SH010", starred=True)`)."""
        return list(self.iter_takes(where, **filters))

    def iter_takes(self, where: TakeFilter | None = None, **filters: Any) -> Iterator[Take]:
        """Like `takes`, but streamed from the catalog: the first take comes before the last is read.

        Bad filters (unknown shot or section, rating out of range, an unusable search) are refused
        before the first take is yielded."""
        where = _filter(where, filters)
        shot_ids = None
        if where.shot is not None:
            shot_section, code = parse_shot(where.shot)
            found = self._shots_named(shot_section, code)
            if not found:
                raise NotFoundError(f"Shot {where.shot} does not exist; list shots with 'takevault shot list'.")
            shot_ids = [s.id for s in found]
        if where.section is not None:
            self.catalog.section(self._project, where.section)
        if where.min_rating is not None and not 0 <= where.min_rating <= 5:
            raise InvalidInputError(
                f"The minimum rating {where.min_rating} is out of range; give a number from 0 to 5."
            )
        if where.search is not None:
            search_words(where.search)
        return self.catalog.iter_takes(self._project, where, shot_ids=shot_ids)

    def history(self, ref: str) -> list[TakeVersion]:
        """Every version of the take, newest first."""
        take = self.take(ref)
        return self.catalog.versions(take.id)

    def events(
        self, *, take: str | None = None, since: datetime | None = None, until: datetime | None = None
    ) -> list[Event]:
        """The event log, oldest first; `take` narrows it to one take (by reference)."""
        return list(self.iter_events(take=take, since=since, until=until))

    def iter_events(
        self, *, take: str | None = None, since: datetime | None = None, until: datetime | None = None
    ) -> Iterator[Event]:
        """Like `events`, streamed from the catalog."""
        take_id = None
        if take is not None:
            try:
                parsed = parse_ref(take)
            except BadReferenceError:
                raise
            # A purged take is gone from the catalog but its id still finds its log lines.
            take_id = parsed.take_id or self.take(take).id
        return self.catalog.iter_events(self._project, take_id=take_id, since=since, until=until)


def _filter(where: TakeFilter | None, filters: dict[str, Any]) -> TakeFilter:
    if where is not None and filters:
        raise TypeError("give a TakeFilter or filter keywords, not both")
    if where is not None:
        return where
    unknown = set(filters) - {f.name for f in fields(TakeFilter)}
    if unknown:
        raise TypeError(f"unknown take filter {sorted(unknown)[0]!r}")
    return TakeFilter(**filters)


def _shot_path(take: Take) -> str:
    return f"{take.section}/{take.shot}" if take.section else take.shot
