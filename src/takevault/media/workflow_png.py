"""Workflow PNGs: check one, write one, link one to its video, repair one, extract its workflow.

Statuses (see `models.PNG_STATUSES`):
- `present`: a valid PNG whose generation chunks (`prompt`, `workflow`, `parameters`,
  `invokeai_*`) parse and have the shape their tool writes;
- `thumbnail_only`: a valid image without any generation chunk;
- `missing`: no file; `placeholder`: a zero-byte file;
- `invalid`: damaged (not a PNG, truncated, CRC error, oversized text chunk, pixels
  that do not decompress) or a generation chunk that is not usable JSON;
- `stale`: its `takevault` chunk names another video than the one it should describe.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image, PngImagePlugin

from takevault.media.generation import summarize
from takevault.media.metadata_json import GENERATION_KEYWORDS, JSON_KEYWORDS, ParsedChunk, parse_chunk
from takevault.media.pngchunks import (
    MAX_TEXT_BYTES,
    MAX_TOTAL_TEXT_BYTES,
    PNG_SIGNATURE,
    TEXT_TYPES,
    PngStructureError,
    chunk_bytes,
    copy_with_text,
    decode_text_chunk,
    iter_chunks,
    scan_png,
)

LINK_KEYWORD = "takevault"
# Chunks that tell how the image was made come first, as ComfyUI writes them.
_ORDER = ("prompt", "workflow", "parameters", "invokeai_metadata", "invokeai_workflow", "invokeai_graph")


@dataclass
class PngCheck:
    """What a workflow PNG is and holds."""

    status: str
    reason: str | None = None
    width: int = 0
    height: int = 0
    texts: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    link: dict[str, Any] | None = None
    over_budget: bool = False  # a size bomb: refuse it rather than keep it for repair

    @property
    def generation(self) -> dict[str, Any]:
        return summarize(self.values)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reason": self.reason,
            "width": self.width,
            "height": self.height,
            "chunks": sorted(self.texts),
            "link": self.link,
        }


def inspect_png(path: Path | str | None, *, video_sha256: str | None = None) -> PngCheck:
    """Check one PNG file; `video_sha256` is the video it must describe (for `stale`). Never raises."""
    if path is None or not Path(path).exists():
        return PngCheck("missing", "no workflow PNG is stored for this version")
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return PngCheck("invalid", f"cannot be read ({exc.strerror or exc})")
    if size == 0:
        return PngCheck("placeholder", "the PNG is an empty (zero-byte) placeholder")
    scan = scan_png(path)
    check = PngCheck("present", width=scan.width, height=scan.height)
    problems: list[str] = []
    for chunk in scan.texts:
        if chunk.text is None:
            problems.append(chunk.error or f"text chunk {chunk.keyword!r} is unreadable")
            continue
        if chunk.keyword in check.texts:
            continue
        check.texts[chunk.keyword] = chunk.text
        parsed = parse_chunk(chunk.keyword, chunk.text)
        if parsed.ok:
            if chunk.keyword == LINK_KEYWORD:
                check.link = parsed.value
            elif chunk.keyword in GENERATION_KEYWORDS:
                check.values[chunk.keyword] = parsed.value
        elif chunk.keyword in JSON_KEYWORDS or chunk.keyword in GENERATION_KEYWORDS:
            problems.append(f"chunk {chunk.keyword!r} {parsed.error}")
    if scan.error:
        check.status, check.reason = "invalid", scan.error
        check.over_budget = scan.over_budget
    elif problems:
        check.status, check.reason = "invalid", problems[0]
    elif video_sha256 and check.link and check.link.get("video_sha256") != video_sha256:
        other = str(check.link.get("video_sha256"))[:12]
        named = check.link.get("ref") or check.link.get("take_id") or "another take"
        check.status = "stale"
        check.reason = f"it belongs to another video ({named}, sha256 {other}…), not this version's"
    elif not check.values:
        check.status, check.reason = "thumbnail_only", "a valid image without prompt or workflow"
    return check


def link_text(*, take_id: str, ref: str, version: int, video_sha256: str) -> str:
    """The `takevault` chunk: which take version and video bytes this PNG belongs to."""
    return json.dumps(
        {
            "take_id": take_id,
            "ref": ref,
            "version": version,
            "video_sha256": video_sha256,
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )


def _ordered(texts: dict[str, str]) -> list[tuple[str, str]]:
    first = [(k, texts[k]) for k in _ORDER if k in texts]
    return first + [(k, v) for k, v in texts.items() if k not in _ORDER]


def write_png(dest: Path | str, image: Image.Image, texts: dict[str, str], link: str | None = None) -> None:
    """Write `image` as a PNG with `texts` as text chunks (as ComfyUI does, via Pillow) and the link."""
    info = PngImagePlugin.PngInfo()
    for keyword, text in _ordered({k: v for k, v in texts.items() if k != LINK_KEYWORD}):
        info.add_text(keyword, text)
    if link is not None:
        info.add_text(LINK_KEYWORD, link)
    tmp = Path(dest).with_name(Path(dest).name + ".part")
    try:
        image.save(tmp, format="PNG", pnginfo=info, compress_level=4)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def relink(src: Path | str, dest: Path | str, link: str) -> bool:
    """Copy a PNG with a fresh `takevault` chunk, every other byte as it was.

    Returns False (and writes nothing) when `src` is too damaged to copy chunk by chunk.
    """
    buf = io.BytesIO()
    try:
        copy_with_text(Path(src), buf, {LINK_KEYWORD: link})
    except (PngStructureError, OSError):
        return False
    Path(dest).write_bytes(buf.getvalue())
    return True


@dataclass
class RepairReport:
    """What `repair_png` kept, corrected and lost."""

    kept: list[str] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    pixels: str = "kept"  # "kept" | "replaced" (a fresh still)

    def to_json(self) -> dict[str, Any]:
        return {
            "kept": self.kept,
            "fixed": self.fixed,
            "lost": self.lost,
            "restored": self.restored,
            "pixels": self.pixels,
        }


_IMAGE_CHUNKS = (b"IHDR", b"PLTE", b"tRNS", b"IDAT")


def salvage(path: Path | str) -> tuple[Image.Image | None, dict[str, ParsedChunk], RepairReport]:
    """Read what can be read from a damaged PNG: its pixels (if they decode) and every text chunk."""
    report = RepairReport()
    image_chunks: list[bytes] = []
    texts: dict[str, ParsedChunk] = {}
    path = Path(path)
    try:
        with path.open("rb") as fp:
            for chunk in iter_chunks(fp, strict=False):
                if chunk.type in TEXT_TYPES:
                    kept = sum(len(t.value) for t in texts.values() if isinstance(t.value, str))
                    if kept >= MAX_TOTAL_TEXT_BYTES:
                        report.lost.append(f"every text chunk after the first {MAX_TOTAL_TEXT_BYTES >> 20} MiB")
                        continue
                    _salvage_text(chunk, texts, report, MAX_TOTAL_TEXT_BYTES - kept)
                elif chunk.type in _IMAGE_CHUNKS and chunk.data is not None:
                    image_chunks.append(chunk_bytes(chunk.type, chunk.data))
    except PngStructureError as exc:
        report.lost.append(f"everything after the damage ({exc})")
    except OSError as exc:
        report.lost.append(f"the file could not be read ({exc.strerror or exc})")
    image = None
    if image_chunks:
        data = PNG_SIGNATURE + b"".join(image_chunks) + chunk_bytes(b"IEND", b"")
        try:
            with Image.open(io.BytesIO(data)) as opened:
                opened.load()
                image = opened.copy()
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            image = None
    return image, texts, report


def _salvage_text(chunk: Any, texts: dict[str, ParsedChunk], report: RepairReport, room: int) -> None:
    if chunk.data is None:
        report.lost.append(f"a {chunk.size / 1048576:.1f} MB {chunk.type.decode()} chunk over the text size limit")
        return
    decoded = decode_text_chunk(chunk.type, chunk.data, min(MAX_TEXT_BYTES, room))
    keyword = decoded.keyword
    if keyword == LINK_KEYWORD or keyword in texts:
        return
    if decoded.text is None:
        report.lost.append(f"chunk {keyword!r} ({decoded.error})")
        return
    parsed = parse_chunk(keyword, decoded.text)
    crc_note = " despite a CRC error, as its content parses" if not chunk.crc_ok else ""
    if parsed.ok:
        texts[keyword] = ParsedChunk(keyword, value=decoded.text)
        report.kept.append(keyword + (f" ({crc_note.strip()})" if crc_note else ""))
    elif parsed.salvaged is not None:
        texts[keyword] = ParsedChunk(keyword, value=parsed.salvaged)
        report.fixed.append(f"{keyword} ({parsed.note})")
    else:
        report.lost.append(f"chunk {keyword!r} ({parsed.error})")


def repair_png(
    src: Path | str,
    dest: Path | str,
    *,
    link: str | None = None,
    fallback_image: Image.Image | None = None,
    known: dict[str, str] | None = None,
) -> RepairReport:
    """Write a clean PNG at `dest`: the pixels re-encoded (or `fallback_image` when they are lost),
    every text chunk whose content parses, a fresh `takevault` link, fresh CRCs. Generation chunks
    that could not be saved are taken from `known` (what the catalog kept), when it has them.

    Raises PngStructureError when neither the pixels nor a fallback image is available.
    """
    image, texts, report = salvage(src)
    if image is None:
        if fallback_image is None:
            raise PngStructureError("its pixels are damaged and there is no video to take a new still from")
        image = fallback_image
        report.pixels = "replaced"
    out = {k: v.value for k, v in texts.items()}
    for keyword, text in (known or {}).items():
        if keyword in GENERATION_KEYWORDS and keyword not in out:
            out[keyword] = text
            report.restored.append(keyword)
    write_png(dest, image, out, link)
    return report


def extract_workflow(check: PngCheck) -> str | None:
    """The JSON to drop into ComfyUI (the editor workflow, else the API prompt), or InvokeAI's workflow."""
    for keyword in ("workflow", "prompt", "invokeai_workflow"):
        if keyword in check.values:
            return json.dumps(check.values[keyword], indent=2, ensure_ascii=False)
    return None
