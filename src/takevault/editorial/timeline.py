"""Timelines of starred takes through OpenTimelineIO: `.otio`, and EDL / FCP 7 XML via the OTIO adapters.

Rates stay exact as far as each format allows. OTIO keeps a rate as a double,
so 24000/1001 is stored as 23.976023976023978 (the nearest double), and
`exact_rate` recovers the fraction when reading back. FCP XML writes NTSC rates
as `timebase 24 + ntsc TRUE`, which reads back to the same double. An EDL
carries no rate at all: it is written in the timeline's rate and must be read
with that rate (`read_timeline(path, rate=...)`). Both EDL and FCP XML hold one
rate per sequence, so clips at another rate are conformed to it here (the same
length to the nearest frame), never left to the adapters, which would write an
EDL event whose source and record lengths differ.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio

from takevault.errors import InvalidInputError

FORMATS: dict[str, tuple[str, str]] = {
    "otio": ("otio_json", ".otio"),
    "edl": ("cmx_3600", ".edl"),
    "fcpxml": ("fcp_xml", ".xml"),
}
"""Our format name -> (OTIO adapter name, usual suffix). EDL and FCP XML adapters come from OpenTimelineIO-Plugins."""

METADATA_KEY = "takevault"

_LABELS = {"otio": "OTIO", "edl": "EDL", "fcpxml": "FCP XML"}

_COMMON_RATES = (
    Fraction(24000, 1001),
    Fraction(30000, 1001),
    Fraction(60000, 1001),
    Fraction(48000, 1001),
    Fraction(120000, 1001),
)


@dataclass(frozen=True)
class TimelineClip:
    """One starred take version placed on the timeline."""

    name: str
    target_url: str
    fps: Fraction
    frames: int
    metadata: dict[str, Any] = field(default_factory=dict)
    markers: tuple[dict[str, Any], ...] = ()
    """Review notes as markers: `name`, `frame_in`, `frame_out` (inclusive, in the clip's frames), `comment`,
    `color` (an OTIO marker colour such as RED), `metadata`."""


def exact_rate(rate: float) -> Fraction:
    """The exact frame rate behind an OTIO double: 23.976023976023978 -> 24000/1001, 25.0 -> 25."""
    for known in _COMMON_RATES:
        if abs(float(known) - rate) < 1e-9:
            return known
    return Fraction(rate).limit_denominator(1001)


def timeline_rate(clips: Sequence[TimelineClip]) -> Fraction:
    """The sequence rate: the rate most clips share (the first clip's on a tie)."""
    if not clips:
        raise InvalidInputError("There are no clips to put on a timeline; star a take of each shot first.")
    counts = Counter(c.fps for c in clips)
    best = max(counts.values())
    return next(c.fps for c in clips if counts[c.fps] == best)


def build_timeline(name: str, clips: Sequence[TimelineClip]) -> otio.schema.Timeline:
    """One video track, clips back to back in the order given, each at its own exact rate and frame count."""
    rate = timeline_rate(clips)
    timeline = otio.schema.Timeline(name=name, global_start_time=otio.opentime.RationalTime(0, float(rate)))
    timeline.metadata[METADATA_KEY] = {"rate": _fraction_text(rate), "clips": len(clips)}
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    for clip in clips:
        if clip.frames <= 0:
            raise InvalidInputError(f"{clip.name} has no frames in its media info; probe it again before exporting.")
        fps = float(clip.fps)
        span = otio.opentime.TimeRange(otio.opentime.RationalTime(0, fps), otio.opentime.RationalTime(clip.frames, fps))
        reference = otio.schema.ExternalReference(target_url=clip.target_url, available_range=span)
        item = otio.schema.Clip(name=clip.name, media_reference=reference, source_range=span)
        item.metadata[METADATA_KEY] = {**clip.metadata, "fps": _fraction_text(clip.fps), "frames": clip.frames}
        for mark in clip.markers:
            first = max(0, min(int(mark["frame_in"]), clip.frames - 1))
            last = max(first, min(int(mark.get("frame_out", first)), clip.frames - 1))
            marker = otio.schema.Marker(
                name=str(mark["name"]),
                marked_range=otio.opentime.TimeRange(
                    otio.opentime.RationalTime(first, fps), otio.opentime.RationalTime(last - first + 1, fps)
                ),
                color=mark.get("color", otio.schema.MarkerColor.RED),
                metadata={METADATA_KEY: dict(mark.get("metadata") or {})},
            )
            if mark.get("comment"):
                marker.comment = str(mark["comment"])
            item.markers.append(marker)
        track.append(item)
    return timeline


def write_timeline(timeline: otio.schema.Timeline, path: Path, fmt: str) -> list[str]:
    """Write through the OTIO adapter of `fmt`; returns warnings about what the format cannot hold."""
    if fmt not in FORMATS:
        raise InvalidInputError(f"Unknown timeline format {fmt!r}; use one of {', '.join(FORMATS)}.")
    adapter, _suffix = FORMATS[fmt]
    warnings: list[str] = []
    rate = exact_rate(timeline.global_start_time.rate)
    if fmt in ("edl", "fcpxml"):
        timeline, conformed = _conform(timeline, rate)
        if conformed:
            warnings.append(
                f"{_LABELS[fmt]} holds one rate per sequence, so clips at other rates are conformed to "
                f"{_fraction_text(rate)} fps keeping their length to the nearest frame "
                f"({', '.join(conformed)}); the .otio export keeps each clip's own rate."
            )
    if fmt == "edl":
        warnings.append(f"EDL files carry no frame rate; open this one at {_fraction_text(rate)} fps.")
    kwargs: dict[str, Any] = {"rate": float(rate)} if fmt == "edl" else {}
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        otio.adapters.write_to_file(timeline, str(tmp), adapter_name=adapter, **kwargs)
        tmp.replace(path)
    except OSError as exc:
        msg = f"Could not write the timeline to {path} ({exc.strerror}); pick a writable path."
        raise InvalidInputError(msg) from exc
    except otio.exceptions.OTIOError as exc:
        raise InvalidInputError(f"OpenTimelineIO could not write {fmt} ({exc}); try the .otio format.") from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    return warnings


def _conform(timeline: otio.schema.Timeline, rate: Fraction) -> tuple[otio.schema.Timeline, list[str]]:
    """A copy whose clips all use the sequence `rate`, as EDL and FCP 7 XML need.

    The adapters would otherwise mix rates within one event (an EDL whose source and
    record durations differ, which no reader accepts); the media's own rate and
    length stay in each media reference.
    """
    conformed: list[str] = []
    copy = timeline.deepcopy()
    for clip in copy.find_clips():
        own = exact_rate(clip.source_range.duration.rate)
        if own == rate:
            continue
        frames = round(clip.source_range.duration.value)
        new = max(1, round(Fraction(frames) * rate / own))
        clip.source_range = otio.opentime.TimeRange(
            otio.opentime.RationalTime(0, float(rate)), otio.opentime.RationalTime(new, float(rate))
        )
        for marker in clip.markers:  # review-note markers move with the clip's new frame count
            start = round(Fraction(round(marker.marked_range.start_time.value)) * rate / own)
            length = max(1, round(Fraction(round(marker.marked_range.duration.value)) * rate / own))
            marker.marked_range = otio.opentime.TimeRange(
                otio.opentime.RationalTime(min(start, new - 1), float(rate)),
                otio.opentime.RationalTime(length, float(rate)),
            )
        conformed.append(f"{clip.name} ({_rate_text(own)} fps, {frames} frames → {new})")
    return copy, conformed


def _rate_text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else _fraction_text(value)


def read_timeline(path: Path, *, rate: Fraction | None = None) -> otio.schema.Timeline:
    """Read a timeline back with OTIO (an EDL needs the rate it was written at)."""
    kwargs: dict[str, Any] = {}
    if Path(path).suffix.lower() == ".edl":
        kwargs["rate"] = float(rate or 24)
    return otio.adapters.read_from_file(str(path), **kwargs)


def format_for_path(path: Path) -> str:
    """Guess our format name from a file suffix."""
    suffix = Path(path).suffix.lower()
    for fmt, (_adapter, known) in FORMATS.items():
        if suffix == known:
            return fmt
    raise InvalidInputError(f"Cannot tell the timeline format of {path}; name it .otio, .edl or .xml.")


def _fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"
