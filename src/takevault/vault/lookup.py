"""What every take use case stands on: the project row, the event row, shot, take and version lookup.

Plain functions over a `Vault` (`lookup.take_only(vault, ref, "star")`), not methods of it: they
are helpers of the use cases, not verbs of the vault.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from takevault.catalog.catalog import now
from takevault.catalog.rows import NewEvent
from takevault.errors import BadReferenceError, NotFoundError
from takevault.models import ANY_TAKE, Project, Shot, Take, TakeVersion
from takevault.vault.refs import TakeRef, parse_ref, take_name

if TYPE_CHECKING:
    from takevault.vault import Vault


NO_PROJECT_YET = -1
"""Id of a project nobody has written to: every query on it finds nothing."""


def project_row(vault: Vault) -> Project:
    """This vault's project for reading. Reading never creates it, so a mistyped --project
    shows an empty project instead of adding one to the vault; the first write does."""
    if vault._project_row is not None:
        return vault._project_row
    found = vault.catalog.find_project(vault.project)
    if found is None:
        if vault.known_project:
            names = ", ".join(p.name for p in vault.catalog.list_projects()) or "none yet"
            raise NotFoundError(
                f"No project named {vault.project!r} in this vault (it has: {names}); check the project name, "
                "or add a section or shot to start it."
            )
        return Project(id=NO_PROJECT_YET, name=vault.project)
    vault._project_row = found
    return found


def project_row_for_write(vault: Vault) -> Project:
    if vault._project_row is None:
        vault._project_row = vault.catalog.ensure_project(vault.project)
    return vault._project_row


def event(vault: Vault, action: str, take: Take | None = None, shot: str | None = None, **details: Any) -> NewEvent:
    """The log line of `action` by this vault's user, on `take` (or a shot), with its details."""
    if take is not None:
        details.setdefault("ref", take.ref)
    return NewEvent(
        project_id=project_row_for_write(vault).id,
        at=now(),
        user=vault.user,
        action=action,
        take_id=take.id if take else None,
        shot=shot if shot is not None else (shot_path(take) if take else None),
        details=details,
    )


def shots_named(vault: Vault, section: str | None, code: str) -> list[Shot]:
    """Shots that `code` (or `section/code`) names; a bare code means the shot with no section when there is one,
    because that shot's path, and the refs of its takes, are the bare code."""
    found = vault.catalog.find_shots(project_row(vault), code, section)
    if section is None and len(found) > 1:
        loose = [s for s in found if s.section is None]
        return loose or found
    return found


def one_shot(vault: Vault, section: str | None, code: str, *, example: str | None = None) -> Shot:
    found = shots_named(vault, section, code)
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
def resolve(vault: Vault, ref: str | TakeRef) -> tuple[Take, TakeRef]:
    parsed = ref if isinstance(ref, TakeRef) else parse_ref(ref)
    if parsed.take_id is not None:
        by_id = vault.catalog.take_by_id(project_row(vault), parsed.take_id)
        if by_id is None:
            raise NotFoundError(f"No take has the id {parsed.take_id}; find takes with 'takevault takes'.")
        return by_id, parsed
    assert parsed.shot is not None and parsed.number is not None
    # The usual case in one statement; the shot and then its take only to say what is wrong.
    take = vault.catalog.take_at(project_row(vault), parsed.section, parsed.shot, parsed.number)
    if take is not None:
        return take, parsed
    with vault.catalog.reading():  # the shot and then its take: one read transaction
        return _by_shot_and_number(vault, parsed), parsed


def _by_shot_and_number(vault: Vault, parsed: TakeRef) -> Take:
    assert parsed.shot is not None and parsed.number is not None
    example = f"SEQ01/{parsed.shot}/{take_name(parsed.number)}"
    shot = one_shot(vault, parsed.section, parsed.shot, example=example)
    found = vault.catalog.query_takes(project_row(vault), ANY_TAKE, shot_ids=[shot.id], number=parsed.number)
    if not found:
        raise NotFoundError(
            f"Shot {shot.path} has no take {take_name(parsed.number)}; "
            f"list its takes with 'takevault takes --shot {shot.path}'."
        )
    return found[0]


def take_only(vault: Vault, ref: str, command: str) -> Take:
    take, parsed = resolve(vault, ref)
    if parsed.version is not None:
        raise BadReferenceError(
            f"'{command}' works on a whole take, not one version; drop the '@v{parsed.version}' from {ref!r}."
        )
    return take


def version(vault: Vault, take: Take, number: int) -> TakeVersion:
    """Version `number` of the take, or one sentence naming the versions it has."""
    for found in vault.catalog.versions(take.id):
        if found.number == number:
            return found
    raise NotFoundError(
        f"{take.ref} has no version v{number}; it has v1 to v{take.current.number} "
        f"(see 'takevault history {take.ref}')."
    )


def shot_path(take: Take) -> str:
    """`SEQ01/SH010`, or the bare code of a shot outside any section."""
    return f"{take.section}/{take.shot}" if take.section else take.shot
