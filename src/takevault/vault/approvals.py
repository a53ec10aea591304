"""Approvals: the review decision on each take version, by whom and when.

pending (no decision yet) / changes_requested / approved. The star stays the
editorial pick; an approval says a reviewer accepted that exact version, so a
new version starts pending again. Decisions are kept as a history; a version's
state is its latest decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from takevault.catalog import approvals as rows
from takevault.catalog.catalog import now
from takevault.catalog.rows import NewApproval
from takevault.catalog.schema import APPROVAL_STATES
from takevault.errors import ConflictError, InvalidInputError, NotFoundError
from takevault.models import Take, TakeVersion
from takevault.vault import lookup

if TYPE_CHECKING:
    from takevault.vault import Vault

if TYPE_CHECKING:
    from takevault.vault.editorial import Selection  # editorial imports this module

MAX_COMMENT = 10_000


@dataclass(frozen=True)
class Approval:
    take_id: str
    ref: str
    version: int
    state: str
    by: str | None = None
    at: datetime | None = None
    comment: str | None = None
    history: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "take_id": self.take_id,
            "ref": self.ref,
            "version": self.version,
            "state": self.state,
            "by": self.by,
            "at": self.at.isoformat() if self.at else None,
            "comment": self.comment,
            "history": list(self.history),
        }


def check_state(state: str) -> str:
    if state not in APPROVAL_STATES:
        raise InvalidInputError(f"{state!r} is not an approval state; use one of {', '.join(APPROVAL_STATES)}.")
    return state


def set_approval(vault: Vault, ref: str, state: str, *, comment: str | None = None) -> Approval:
    """Record the decision `state` on the version `ref` names (else the take's current version)."""
    check_state(state)
    if comment is not None and len(comment) > MAX_COMMENT:
        raise InvalidInputError(f"The comment is {len(comment)} characters long; keep it under {MAX_COMMENT}.")
    take, version = vault.resolve_version(ref)
    if take.deleted:
        raise ConflictError(f"{take.ref} is deleted; restore it with 'takevault restore {take.ref}' to decide on it.")
    decision = NewApproval(
        take_id=take.id,
        version=version.number,
        state=state,
        comment=(comment or "").strip() or None,
        decided_by=vault.user,
        decided_at=now(),
    )
    rows.decide(vault.catalog, decision, lookup.event(vault, "approval", take, version=version.number, state=state))
    return vault.approval(f"{take.id}@v{version.number}")


def approval(vault: Vault, ref: str) -> Approval:
    """The state of one take version (its current version without `@vN`)."""
    take, version = vault.resolve_version(ref)
    return approvals_of(vault, [take])[take.id].get(version.number) or Approval(
        take.id, f"{take.ref}@v{version.number}", version.number, "pending"
    )


def approvals(vault: Vault, ref: str) -> list[Approval]:
    """The state of every version of the take, newest version first."""
    take = lookup.take_only(vault, ref, "approvals")
    found = approvals_of(vault, [take])[take.id]
    return [
        found.get(v.number) or Approval(take.id, f"{take.ref}@v{v.number}", v.number, "pending")
        for v in vault.catalog.versions(take.id)
    ]


def current_approvals(vault: Vault, takes: list[Take]) -> dict[str, Approval]:
    """take id -> the state of its current version, for cards and filters."""
    found = approvals_of(vault, takes)
    return {
        t.id: found[t.id].get(t.current.number)
        or Approval(t.id, f"{t.ref}@v{t.current.number}", t.current.number, "pending")
        for t in takes
    }


def takes_by_approval(vault: Vault, state: str, **filters: Any) -> list[Take]:
    """The takes (matching `filters`, as `takes()`) whose current version is in `state`."""
    check_state(state)
    takes = vault.takes(**filters)
    states = vault.current_approvals(takes)
    return [t for t in takes if states[t.id].state == state]


def approvals_of(vault: Vault, takes: list[Take]) -> dict[str, dict[int, Approval]]:
    refs = {t.id: t.ref for t in takes}
    out: dict[str, dict[int, Approval]] = {t.id: {} for t in takes}
    history: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for row in rows.history(vault.catalog, list(refs)):
        key = (row["take_id"], row["version"])
        history.setdefault(key, []).append(
            {
                "state": row["state"],
                "by": row["decided_by"],
                "at": row["decided_at"].isoformat(),
                "comment": row["comment"],
            }
        )
        out[row["take_id"]][row["version"]] = Approval(
            take_id=row["take_id"],
            ref=f"{refs[row['take_id']]}@v{row['version']}",
            version=row["version"],
            state=row["state"],
            by=row["decided_by"],
            at=row["decided_at"],
            comment=row["comment"],
            history=tuple(history[key]),
        )
    return out


def require_approved(vault: Vault, selection: Selection) -> Selection:
    """Keep only the picks of an export selection whose exact version is approved; say which were left out."""
    if not selection.picks:
        return selection
    kept, left = split_approved(vault, selection.picks)
    if not kept:
        raise nothing_approved()
    selection.picks = kept
    if left:
        selection.warnings.append(left_out_warning(left))
    return selection


def split_approved(
    vault: Vault, picks: list[tuple[Take, TakeVersion]]
) -> tuple[list[tuple[Take, TakeVersion]], list[str]]:
    """The picks whose exact version is approved, and the references (`ref@vN`) of the others."""
    states = approvals_of(vault, [t for t, _v in picks])
    kept: list[tuple[Take, TakeVersion]] = []
    left: list[str] = []
    for take, version in picks:
        found = states[take.id].get(version.number)
        if found is not None and found.state == "approved":
            kept.append((take, version))
        else:
            left.append(f"{take.ref}@v{version.number}")
    return kept, left


def nothing_approved() -> NotFoundError:
    return NotFoundError(
        "None of the chosen take versions is approved; approve them with 'takevault approve TAKE@vN' "
        "or export without --approved."
    )


def left_out_warning(left: list[str]) -> str:
    return f"Left out, not approved: {', '.join(left)}."
