"""`star` and `unstar`: the shot's one pointer to its chosen take."""

from __future__ import annotations

from takevault.errors import ConflictError
from takevault.models import ANY_TAKE, Shot, Take
from takevault.vault.takebase import TakeBase


class StarMixin(TakeBase):
    """Move or clear a shot's star; the event log remembers which version was starred when."""

    def star(self, ref: str) -> Take:
        """Make this take the shot's chosen one (the star moves away from any other take)."""
        take = self._take_only(ref, "star")
        if take.deleted:
            raise ConflictError(f"{take.ref} is deleted; restore it with 'takevault restore {take.ref}' to star it.")
        shot = self.shot(_shot_path(take))
        self.catalog.set_star(shot.id, take.id, self._event("star", take, take_id=take.id, version=take.current.number))
        return self.take(take.id)

    def unstar(self, shot: str) -> Shot:
        """Clear the shot's star; no-op when it has none."""
        target = self.shot(shot)
        if target.starred_take_id is None:
            return target
        starred = self.catalog.query_takes(self._project, ANY_TAKE, take_ids=[target.starred_take_id])
        event = self._event(
            "unstar",
            starred[0] if starred else None,
            shot=target.path,
            take_id=target.starred_take_id,
            version=starred[0].current.number if starred else None,
        )
        self.catalog.set_star(target.id, None, event)
        return self.shot(shot)


def _shot_path(take: Take) -> str:
    return f"{take.section}/{take.shot}" if take.section else take.shot
