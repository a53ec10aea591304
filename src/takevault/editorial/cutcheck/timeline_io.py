"""Editors' timelines in and out through OpenTimelineIO's adapters: OTIO, CMX 3600 EDL, FCP 7 XML, FCPXML, AAF.

A file's format is told by its suffix, and when the suffix says nothing (or
lies) by its first bytes, so a failure can say which format the file is (or
that it is none of them).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import opentimelineio as otio

from takevault.editorial.timeline import METADATA_KEY, exact_rate
from takevault.errors import InvalidInputError

# Our name -> (OTIO adapter, suffixes, label). The EDL, FCP 7 XML, FCPXML and AAF adapters are
# the OpenTimelineIO-Plugins packages (otio-cmx3600-adapter, otio-fcp-adapter,
# otio-fcpx-xml-adapter, otio-aaf-adapter).
CUT_FORMATS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "otio": ("otio_json", (".otio",), "OTIO"),
    "edl": ("cmx_3600", (".edl",), "CMX 3600 EDL"),
    "fcp7": ("fcp_xml", (".xml",), "FCP 7 XML"),
    "fcpxml": ("fcpx_xml", (".fcpxml",), "FCPXML"),
    "aaf": ("AAF", (".aaf",), "AAF"),
}

_AAF_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file, as AAF files are


@dataclass(frozen=True)
class CutClip:
    """One clip of a video track, as plain data: where it sits, which source frames it uses, what it points at."""

    index: int  # 1-based, in track then time order
    track: str
    name: str
    record_in: int  # sequence frames
    record_out: int  # exclusive
    source_in: int  # frames of the media, at `rate`
    source_out: int  # exclusive
    rate: Fraction  # the clip's source rate
    media_path: Path | None
    media_url: str | None
    reel: str | None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def frames(self) -> int:
        return self.source_out - self.source_in


@dataclass
class Cut:
    path: Path
    fmt: str
    name: str
    rate: Fraction
    timeline: otio.schema.Timeline
    clips: list[CutClip]
    otio_clips: list[otio.schema.Clip]


def sniff_format(path: Path) -> str | None:
    """Our format name from the first bytes of the file, or None when it looks like no timeline."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None
    if head.startswith(_AAF_MAGIC):
        return "aaf"
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if text.startswith("{") and '"OTIO_SCHEMA"' in text:
        return "otio"
    if "<fcpxml" in text:
        return "fcpxml"
    if "<xmeml" in text:
        return "fcp7"
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if lines and (lines[0].upper().startswith("TITLE:") or any(_is_edl_event(ln) for ln in lines[:12])):
        return "edl"
    return None


def _is_edl_event(line: str) -> bool:
    parts = line.split()
    return len(parts) >= 8 and parts[0].isdigit() and parts[-1].count(":") == 3


def format_of(path: Path) -> str:
    """The format by suffix, checked against the content (a `.xml` that is FCPXML is read as FCPXML)."""
    sniffed = sniff_format(path)
    suffix = path.suffix.lower()
    by_suffix = next((name for name, (_a, sufs, _l) in CUT_FORMATS.items() if suffix in sufs), None)
    if sniffed is not None:
        return sniffed
    if by_suffix is None:
        raise InvalidInputError(
            f"{path.name} is not a timeline takevault can read (neither OTIO, CMX 3600 EDL, FCP 7 XML, FCPXML "
            "nor AAF); export the cut from the editing software in one of those formats."
        )
    return by_suffix


def label(fmt: str) -> str:
    return CUT_FORMATS[fmt][2]


def read_cut(path: Path | str, *, rate: Fraction | None = None) -> Cut:
    """Read every clip of every video track; raises one sentence when the file cannot be read."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise InvalidInputError(f"{path} does not exist; give the path of the timeline file exported from the edit.")
    fmt = format_of(path)
    adapter = CUT_FORMATS[fmt][0]
    kwargs: dict[str, Any] = {"rate": float(rate or 24)} if fmt == "edl" else {}
    try:
        timeline = otio.adapters.read_from_file(str(path), adapter_name=adapter, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the adapters raise anything from OTIOError to KeyError on a broken file
        reason = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
        raise InvalidInputError(
            f"{path.name} looks like {label(fmt)} but OpenTimelineIO could not read it ({reason}); "
            "export the timeline again from the editing software."
        ) from None
    if isinstance(timeline, otio.schema.SerializableCollection):
        timelines = list(timeline.find_children(descended_from_type=otio.schema.Timeline, shallow_search=True))
        if not timelines:
            raise InvalidInputError(f"{path.name} ({label(fmt)}) holds no sequence; export the cut's sequence itself.")
        timeline = timelines[0]
    if not isinstance(timeline, otio.schema.Timeline):
        raise InvalidInputError(f"{path.name} ({label(fmt)}) holds no timeline; export the cut's sequence itself.")
    video = list(timeline.video_tracks())
    if not video:
        raise InvalidInputError(
            f"{path.name} ({label(fmt)}) has no video track; export the sequence with its picture tracks."
        )
    seq_rate = _sequence_rate(timeline, rate)
    clips: list[CutClip] = []
    otio_clips: list[otio.schema.Clip] = []
    for n, track in enumerate(video, start=1):
        for item in track.find_clips(shallow_search=True):
            clips.append(_clip(item, len(clips) + 1, track.name or f"V{n}", path.parent, seq_rate))
            otio_clips.append(item)
    if not clips:
        raise InvalidInputError(f"{path.name} ({label(fmt)}) has no clips on its video tracks; nothing to check.")
    return Cut(path, fmt, timeline.name or path.stem, seq_rate, timeline, clips, otio_clips)


def _sequence_rate(timeline: otio.schema.Timeline, given: Fraction | None) -> Fraction:
    if given:
        return given
    start = timeline.global_start_time
    if start is not None and start.rate > 0:
        return exact_rate(start.rate)
    for clip in timeline.find_clips():
        return exact_rate(clip.range_in_parent().duration.rate)
    return Fraction(24)


def _clip(item: otio.schema.Clip, index: int, track: str, base: Path, seq_rate: Fraction) -> CutClip:
    src = item.trimmed_range()
    rate = exact_rate(src.duration.rate)
    rec = item.range_in_parent()
    rec_in = round(rec.start_time.rescaled_to(float(seq_rate)).value)
    rec_len = round(rec.duration.rescaled_to(float(seq_rate)).value)
    ref = item.media_reference
    url = getattr(ref, "target_url", None) or None
    meta = item.metadata
    # OTIO hands metadata as its own AnyDictionary, not a dict.
    cmx = meta.get("cmx_3600")
    reel = cmx.get("reel") if hasattr(cmx, "get") else None
    ours = meta.get(METADATA_KEY)
    return CutClip(
        index=index,
        track=track,
        name=item.name or "",
        record_in=rec_in,
        record_out=rec_in + rec_len,
        source_in=round(src.start_time.value),
        source_out=round(src.start_time.value) + round(src.duration.value),
        rate=rate,
        media_path=_local_path(url, base),
        media_url=url,
        reel=reel,
        metadata={str(k): v for k, v in ours.items()} if hasattr(ours, "items") else {},
    )


def _local_path(url: str | None, base: Path) -> Path | None:
    """The file a media URL names, if it is on this machine; relative paths are read from the timeline's folder."""
    if not url:
        return None
    parsed = urlparse(url)
    if parsed.scheme in ("http", "https", "s3"):
        return None
    raw = unquote(parsed.path) if parsed.scheme == "file" else url
    candidate = Path(raw)
    if not candidate.is_absolute():
        candidate = base / candidate
    with contextlib.suppress(OSError):
        if candidate.is_file():
            return candidate
    return None


def write_cut(timeline: otio.schema.Timeline, path: Path, fmt: str, rate: Fraction) -> None:
    """Write through the adapter of `fmt` to a temporary name, then move it into place."""
    adapter = CUT_FORMATS[fmt][0]
    kwargs: dict[str, Any] = {}
    if fmt == "edl":
        kwargs["rate"] = float(rate)
    if fmt == "aaf":
        kwargs["use_empty_mob_ids"] = True
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        otio.adapters.write_to_file(timeline, str(tmp), adapter_name=adapter, **kwargs)
        tmp.replace(path)
    except OSError as exc:
        raise InvalidInputError(
            f"Could not write the timeline to {path} ({exc.strerror}); pick a writable path."
        ) from None
    except Exception as exc:  # noqa: BLE001 - each adapter raises its own error types
        raise InvalidInputError(
            f"OpenTimelineIO could not write {label(fmt)} ({exc}); write an .otio timeline instead."
        ) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def format_for_out(path: Path, input_fmt: str) -> str:
    """The format to write OUT in: by its suffix, else the input's."""
    suffix = path.suffix.lower()
    for name, (_a, sufs, _l) in CUT_FORMATS.items():
        if suffix in sufs:
            return name
    raise InvalidInputError(
        f"Cannot tell which timeline format to write from {path.name}; end it in .otio or "
        f"{CUT_FORMATS[input_fmt][1][0]} (the input's format)."
    )
