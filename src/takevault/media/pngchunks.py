"""PNG at the chunk level: a streaming, bounded reader and a writer with fresh CRCs.

Pillow trusts a PNG more than we can: it reads a whole text chunk into memory
whatever its size and stops at the first bad CRC. Workflow PNGs arrive from
many tools and are often damaged, so we walk the chunks ourselves, reading
each one in bounded pieces, and say precisely what is wrong.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TEXT_TYPES = (b"tEXt", b"zTXt", b"iTXt")

MAX_TEXT_BYTES = 16 * 1024 * 1024
"""A text chunk (stored or inflated) larger than this is refused: real workflows are well under 1 MB."""

MAX_TOTAL_TEXT_BYTES = 32 * 1024 * 1024
"""All text chunks of one PNG together (stored or inflated) may hold no more than this: a budget per
file, not per chunk, or 200 chunks of 15 MiB each would inflate to 3 GB in memory."""

MAX_CHUNK_BYTES = 256 * 1024 * 1024
"""Any single chunk larger than this is refused; a still never needs it."""

MAX_PIXELS = 8192 * 4608
"""A still with more pixels than this is refused instead of inflated: the largest video frame a take
may have (8K), and below Pillow's own bomb warning, so decoding one for a card stays near 150 MB."""

_READ = 1024 * 1024
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


class PngStructureError(Exception):
    """The file is not a well-formed PNG; the message is the reason shown to users."""


class PngBudgetError(PngStructureError):
    """The file asks for more memory than any workflow PNG needs (text or pixel budget)."""


@dataclass(frozen=True)
class TextChunk:
    """One tEXt, zTXt or iTXt chunk, decoded; `error` says why its text could not be read."""

    type: str
    keyword: str
    text: str | None
    error: str | None = None


@dataclass
class PngScan:
    """What one pass over a PNG found: header, text chunks and any damage."""

    width: int = 0
    height: int = 0
    bit_depth: int = 0
    color_type: int = 0
    interlace: int = 0
    texts: list[TextChunk] = field(default_factory=list)
    chunk_types: list[str] = field(default_factory=list)
    error: str | None = None
    pixels_ok: bool = False
    complete: bool = False
    over_budget: bool = False  # stopped by a size budget (text or pixels): a bomb, not a damaged file

    def text(self, keyword: str) -> str | None:
        """The first readable text chunk with this keyword (case-sensitive, as PNG keywords are)."""
        for chunk in self.texts:
            if chunk.keyword == keyword and chunk.text is not None:
                return chunk.text
        return None


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _read_exact(fp: BinaryIO, n: int) -> bytes:
    data = fp.read(n)
    if len(data) != n:
        raise PngStructureError("truncated: the file ends in the middle of a chunk")
    return data


def _raw_image_size(width: int, height: int, bit_depth: int, color_type: int, interlace: int) -> int:
    """Bytes the inflated image data must have (filter byte per row included)."""
    bits = _CHANNELS[color_type] * bit_depth
    if not interlace:
        return height * (1 + (width * bits + 7) // 8)
    total = 0
    for xs, ys, dx, dy in _ADAM7:
        w = (width - xs + dx - 1) // dx if width > xs else 0
        h = (height - ys + dy - 1) // dy if height > ys else 0
        if w and h:
            total += h * (1 + (w * bits + 7) // 8)
    return total


def _inflate_bounded(data: bytes, limit: int, what: str) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise ValueError(f"{what} does not decompress ({exc})") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise ValueError(f"{what} inflates to more than {_mb(limit)}")
    if not inflater.eof:
        raise ValueError(f"{what} is cut short")
    return out


def decode_text_chunk(ctype: bytes, data: bytes, limit: int = MAX_TEXT_BYTES) -> TextChunk:
    """Decode one text chunk's payload; never raises, a damaged one carries `error`."""
    name = ctype.decode("ascii")
    keyword_raw, sep, rest = data.partition(b"\0")
    keyword = keyword_raw.decode("latin-1")
    if not sep or not 1 <= len(keyword_raw) <= 79:
        return TextChunk(name, keyword, None, f"{name} chunk has no valid keyword")
    try:
        if ctype == b"tEXt":
            return TextChunk(name, keyword, rest.decode("latin-1"))
        if ctype == b"zTXt":
            if not rest or rest[0] != 0:
                return TextChunk(name, keyword, None, f"zTXt chunk {keyword!r} uses an unknown compression")
            raw = _inflate_bounded(rest[1:], limit, f"zTXt chunk {keyword!r}")
            return TextChunk(name, keyword, raw.decode("latin-1"))
        if len(rest) < 2:
            return TextChunk(name, keyword, None, f"iTXt chunk {keyword!r} is cut short")
        compressed, method = rest[0], rest[1]
        _lang, _, rest = rest[2:].partition(b"\0")
        _translated, _, body = rest.partition(b"\0")
        if compressed:
            if method != 0:
                return TextChunk(name, keyword, None, f"iTXt chunk {keyword!r} uses an unknown compression")
            body = _inflate_bounded(body, limit, f"iTXt chunk {keyword!r}")
        return TextChunk(name, keyword, body.decode("utf-8"))
    except ValueError as exc:
        # UnicodeDecodeError is a ValueError; its own text is too technical for users.
        reason = str(exc) if not isinstance(exc, UnicodeDecodeError) else f"{name} chunk {keyword!r} is not UTF-8"
        return TextChunk(name, keyword, None, reason)


@dataclass(frozen=True)
class RawChunk:
    """One chunk as read: `data` is None for an oversized text chunk skipped in lenient mode."""

    type: bytes
    data: bytes | None
    crc_ok: bool = True
    size: int = 0

    @property
    def keyword(self) -> str | None:
        if self.type not in TEXT_TYPES or self.data is None:
            return None
        return self.data.partition(b"\0")[0].decode("latin-1")


def iter_chunks(fp: BinaryIO, *, max_text: int = MAX_TEXT_BYTES, strict: bool = True) -> Iterator[RawChunk]:
    """Yield every chunk up to IEND, reading each in bounded pieces.

    Raises PngStructureError for a bad signature, truncation or an oversized chunk, and
    (when `strict`) a CRC error or an oversized text chunk. With `strict=False` a bad CRC
    gives `crc_ok=False` and an oversized text chunk is skipped unread (`data=None`).
    """
    if fp.read(8) != PNG_SIGNATURE:
        raise PngStructureError("not a PNG file (the PNG signature is missing)")
    while True:
        head = fp.read(8)
        if not head:
            raise PngStructureError("truncated: the file ends before the IEND chunk")
        if len(head) < 8:
            raise PngStructureError("truncated: the file ends in the middle of a chunk header")
        length, ctype = struct.unpack(">I4s", head)
        if not ctype.isalpha():
            raise PngStructureError(f"damaged: a chunk has the invalid type {ctype!r}")
        label = ctype.decode("ascii")
        oversized_text = ctype in TEXT_TYPES and length > max_text
        if oversized_text and strict:
            raise PngStructureError(f"text chunk {label} is {_mb(length)}, over the {_mb(max_text)} limit")
        if length > MAX_CHUNK_BYTES and not oversized_text:
            raise PngStructureError(f"chunk {label} is {_mb(length)}, over the {_mb(MAX_CHUNK_BYTES)} limit")
        crc = zlib.crc32(ctype)
        pieces: list[bytes] = []
        remaining = length
        while remaining:
            piece = fp.read(min(_READ, remaining))
            if not piece:
                raise PngStructureError(f"truncated: the file ends inside the {label} chunk")
            crc = zlib.crc32(piece, crc)
            if not oversized_text:
                pieces.append(piece)
            remaining -= len(piece)
        stored = fp.read(4)
        if len(stored) < 4:
            raise PngStructureError(f"truncated: the file ends before the CRC of the {label} chunk")
        crc_ok = struct.unpack(">I", stored)[0] == crc & 0xFFFFFFFF
        if strict and not crc_ok:
            raise PngStructureError(f"CRC error in the {label} chunk (its bytes were changed or damaged)")
        yield RawChunk(ctype, None if oversized_text else b"".join(pieces), crc_ok, length)
        if ctype == b"IEND":
            return


def scan_png(path: Path | str, *, max_text: int = MAX_TEXT_BYTES) -> PngScan:
    """Walk a PNG once: header, every text chunk, CRCs, and a bounded inflate of the image data.

    Never raises for a damaged file: `scan.error` holds the reason, and what was read
    before the damage stays in the scan (repair uses it).
    """
    scan = PngScan()
    text_left = MAX_TOTAL_TEXT_BYTES
    inflater: zlib._Decompress | None = None
    expected = 0
    produced = 0
    seen_idat = False
    idat_done = False
    try:
        with open(path, "rb") as fp:
            for chunk in iter_chunks(fp, max_text=max_text):
                ctype, data = chunk.type, chunk.data or b""
                scan.chunk_types.append(ctype.decode("ascii"))
                if len(scan.chunk_types) == 1 and ctype != b"IHDR":
                    raise PngStructureError("damaged: the first chunk is not IHDR")
                if ctype == b"IHDR":
                    _read_ihdr(scan, data)
                    expected = _raw_image_size(scan.width, scan.height, scan.bit_depth, scan.color_type, scan.interlace)
                    inflater = zlib.decompressobj()
                elif ctype == b"IDAT":
                    if idat_done:
                        raise PngStructureError("damaged: the image data is split by other chunks")
                    seen_idat = True
                    produced += _inflate_count(inflater, data, expected - produced)
                elif ctype in TEXT_TYPES:
                    decoded = decode_text_chunk(ctype, data, min(max_text, text_left))
                    if decoded.text is None and text_left < max_text and "inflates to more" in (decoded.error or ""):
                        raise PngBudgetError(total_text_error())
                    text_left -= len(decoded.text or "")
                    if text_left < 0:
                        raise PngBudgetError(total_text_error())
                    scan.texts.append(decoded)
                if seen_idat and ctype != b"IDAT":
                    idat_done = True
            if not seen_idat:
                raise PngStructureError("damaged: it holds no image data (IDAT)")
            if produced < expected or (inflater is not None and not inflater.eof):
                raise PngStructureError("truncated: the image data is cut short")
            scan.pixels_ok = True
            scan.complete = True
    except PngStructureError as exc:
        scan.error = str(exc)
        scan.over_budget = isinstance(exc, PngBudgetError)
    except OSError as exc:
        scan.error = f"cannot be read ({exc.strerror or exc})"
    return scan


def total_text_error() -> str:
    return f"its text chunks together hold more than {_mb(MAX_TOTAL_TEXT_BYTES)}, more than a workflow needs"


def _read_ihdr(scan: PngScan, data: bytes) -> None:
    if len(data) != 13:
        raise PngStructureError("damaged: the IHDR chunk has the wrong size")
    width, height, depth, ctype, _comp, _filt, interlace = struct.unpack(">IIBBBBB", data)
    if not width or not height or ctype not in _CHANNELS or depth not in (1, 2, 4, 8, 16):
        raise PngStructureError("damaged: the IHDR chunk describes an impossible image")
    if width * height > MAX_PIXELS:
        raise PngBudgetError(f"the image is {width}x{height}, larger than a still should be")
    scan.width, scan.height, scan.bit_depth, scan.color_type, scan.interlace = width, height, depth, ctype, interlace


def _inflate_count(inflater: zlib._Decompress | None, data: bytes, room: int) -> int:
    """Inflate `data` without keeping the output; count bytes, refuse more than `room`."""
    if inflater is None:
        raise PngStructureError("damaged: image data comes before the IHDR chunk")
    produced = 0
    try:
        buf = data
        while buf:
            out = inflater.decompress(buf, _READ)
            produced += len(out)
            if produced > room:
                raise PngStructureError("damaged: the image data is larger than the image")
            buf = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error as exc:
        raise PngStructureError(f"damaged: the image data does not decompress ({exc})") from None
    return produced


def chunk_bytes(ctype: bytes, data: bytes) -> bytes:
    """One chunk with its length and a fresh CRC."""
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(ctype)))


def text_chunk(keyword: str, text: str) -> bytes:
    """A tEXt chunk when the text is Latin-1, else an uncompressed iTXt (as Pillow writes them)."""
    key = keyword.encode("latin-1")
    try:
        return chunk_bytes(b"tEXt", key + b"\0" + text.encode("latin-1"))
    except UnicodeEncodeError:
        return chunk_bytes(b"iTXt", key + b"\0\0\0\0\0" + text.encode("utf-8"))


def copy_with_text(src: Path, dest: BinaryIO, replace: dict[str, str]) -> None:
    """Copy a well-formed PNG chunk by chunk, dropping text chunks whose keyword is in `replace`
    and adding `replace`'s texts before IEND; every other byte stays as it was.

    Raises PngStructureError if `src` is damaged (then nothing useful was written).
    """
    dest.write(PNG_SIGNATURE)
    with open(src, "rb") as fp:
        for chunk in iter_chunks(fp):
            if chunk.keyword in replace:
                continue
            if chunk.type == b"IEND":
                for keyword, text in replace.items():
                    dest.write(text_chunk(keyword, text))
            dest.write(chunk_bytes(chunk.type, chunk.data or b""))
