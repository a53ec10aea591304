"""A comparison's progress as one count with a total, so a bar can show an ETA through every step.

The count is in decoded frames. The steps after decoding (alignment, the causes of changed
segments, the sound, the pictures) are given a weight in frames too, from what they cost
against decoding on the benchmark pair, so the bar does not sit full while they run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ALIGN_SHARE = 0.05  # cuts and alignment, per frame of both sides, against decoding a 1080p frame
SOUND_SHARE = 0.05  # reading both sides' sound, loudness, sync and pieces, per frame of both sides
EXPLAIN_FRAMES = 60  # per changed segment: its pairs are sought and decoded at working size
PICTURES_FRAMES = 100  # all the pictures together (the worst pairs decoded, plots drawn)


class Steps:
    """Ticks a progress callback and, when it can take them (the CLI's bar), its total and step names."""

    def __init__(self, progress: Callable[[int], None] | None, frames: int, pictures: bool) -> None:
        self._tick = progress or (lambda n: None)
        self._set_total: Callable[[int], Any] | None = getattr(progress, "set_total", None)
        self._describe: Callable[[str], Any] | None = getattr(progress, "set_description", None)
        self.frames = frames
        self.weights = {"align": round(ALIGN_SHARE * frames), "sound": round(SOUND_SHARE * frames)}
        if pictures:
            self.weights["pictures"] = PICTURES_FRAMES
        self._announce()

    @property
    def total(self) -> int:
        return self.frames + sum(self.weights.values())

    def _announce(self) -> None:
        if self._set_total is not None and self.frames:
            self._set_total(self.total)

    def tick(self, n: int = 1) -> None:
        self._tick(n)

    def decoded(self, frames: int) -> None:
        """The first pass is over: the count of frames it really read (a header can be wrong)."""
        self.frames = frames
        self._announce()

    def more_frames(self, frames: int, step: str) -> None:
        """A second pass decodes `frames` more."""
        self.frames += frames
        self._announce()
        self.start(step)

    def add(self, step: str, weight: int) -> None:
        """A step whose size is known only now (the causes, once the changed segments are known)."""
        self.weights[step] = weight
        self._announce()

    def start(self, description: str) -> None:
        if self._describe is not None:
            self._describe(description)

    def done(self, step: str) -> None:
        self._tick(self.weights.get(step, 0))
