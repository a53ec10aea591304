"""Checking workflow PNGs: every status, from files written the way the tools write them."""

from __future__ import annotations

import json
import struct
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image

from takevault.media.pngchunks import PNG_SIGNATURE, chunk_bytes, scan_png
from takevault.media.workflow_png import (
    extract_workflow,
    inspect_png,
    link_text,
    relink,
    repair_png,
    write_png,
)
from tests.media.workflows import (
    a1111_png,
    comfy_png,
    comfy_prompt,
    comfy_workflow,
    invoke_png,
    save_with_texts,
    still,
)

SHA = "a" * 64


def _chunks(path: Path) -> list[tuple[int, bytes, int]]:
    """(offset, type, length) of every chunk, to break files precisely."""
    data = path.read_bytes()
    pos, out = 8, []
    while pos < len(data):
        length, ctype = struct.unpack(">I4s", data[pos : pos + 8])
        out.append((pos, ctype, length))
        pos += 12 + length
    return out


def _insert_before_iend(path: Path, raw_chunk: bytes) -> None:
    data = path.read_bytes()
    iend = data.rindex(b"IEND") - 4
    path.write_bytes(data[:iend] + raw_chunk + data[iend:])


# -- the good ones --------------------------------------------------------------------
def test_comfyui_vhs_png_is_present(tmp_path: Path) -> None:
    check = inspect_png(comfy_png(tmp_path / "fox_00001.png"))
    assert check.status == "present", check.reason
    assert check.reason is None
    assert {"prompt", "workflow", "CreationTime"} <= set(check.texts)
    assert check.values["prompt"]["3"]["class_type"] == "KSampler"
    assert (check.width, check.height) == (64, 48)
    gen = check.generation
    assert gen["seed"] == 156680208700286 and gen["steps"] == 30 and gen["sampler"] == "uni_pc"


def test_itxt_chunks_are_read(tmp_path: Path) -> None:
    # Pillow writes iTXt when the text is not Latin-1, as happens with a Japanese prompt.
    prompt = comfy_prompt(positive="桜の木の下の狐")
    path = save_with_texts(tmp_path / "jp.png", [("prompt", json.dumps(prompt, ensure_ascii=False))])
    assert any(t == "iTXt" for t in scan_png(path).chunk_types)
    check = inspect_png(path)
    assert check.status == "present"
    assert check.generation["positive"] == "桜の木の下の狐"


def test_compressed_itxt_is_read(tmp_path: Path) -> None:
    path = tmp_path / "z.png"
    still().save(path)
    body = zlib.compress(json.dumps(comfy_prompt()).encode())
    _insert_before_iend(path, chunk_bytes(b"iTXt", b"prompt\0\x01\x00\0\0" + body))
    assert inspect_png(path).status == "present"


def test_a1111_png_is_present(tmp_path: Path) -> None:
    check = inspect_png(a1111_png(tmp_path / "a.png"))
    assert check.status == "present"
    assert check.generation["seed"] == 3141592653


def test_invokeai_png_is_present(tmp_path: Path) -> None:
    check = inspect_png(invoke_png(tmp_path / "i.png"))
    assert check.status == "present"
    assert check.generation["model"] == "Juggernaut XL v9"


def test_plain_image_is_thumbnail_only(tmp_path: Path) -> None:
    path = save_with_texts(tmp_path / "t.png", [("Software", "GIMP")])
    check = inspect_png(path)
    assert check.status == "thumbnail_only"
    assert "without prompt or workflow" in check.reason


# -- missing, placeholder ----------------------------------------------------------------
def test_missing_and_placeholder(tmp_path: Path) -> None:
    assert inspect_png(tmp_path / "nope.png").status == "missing"
    assert inspect_png(None).status == "missing"
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    check = inspect_png(empty)
    assert check.status == "placeholder"
    assert "zero-byte" in check.reason


# -- broken files ------------------------------------------------------------------------
def test_not_a_png(tmp_path: Path) -> None:
    path = tmp_path / "photo.png"
    still().save(path, format="JPEG")
    check = inspect_png(path)
    assert check.status == "invalid"
    assert "not a PNG" in check.reason


@pytest.mark.parametrize("cut", [0.3, 0.7, 0.98])
def test_truncated(tmp_path: Path, cut: float) -> None:
    path = comfy_png(tmp_path / "t.png")
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * cut)])
    check = inspect_png(path)
    assert check.status == "invalid"
    assert "truncated" in check.reason


def test_crc_error_in_text_chunk(tmp_path: Path) -> None:
    path = comfy_png(tmp_path / "c.png")
    offset, _, length = next(c for c in _chunks(path) if c[1] == b"tEXt")
    data = bytearray(path.read_bytes())
    data[offset + 8 + length // 2] ^= 0x01
    path.write_bytes(bytes(data))
    check = inspect_png(path)
    assert check.status == "invalid"
    assert "CRC error in the tEXt chunk" in check.reason


def test_crc_error_in_image_data(tmp_path: Path) -> None:
    path = comfy_png(tmp_path / "c.png")
    offset, _, length = next(c for c in _chunks(path) if c[1] == b"IDAT")
    data = bytearray(path.read_bytes())
    data[offset + 8 + length - 1] ^= 0xFF
    path.write_bytes(bytes(data))
    assert "CRC error in the IDAT chunk" in inspect_png(path).reason


def test_image_data_that_does_not_inflate(tmp_path: Path) -> None:
    path = tmp_path / "bad.png"
    still().save(path)
    data = path.read_bytes()
    offset, _, length = next(c for c in _chunks(path) if c[1] == b"IDAT")
    garbage = bytes(range(256)) * (length // 256 + 1)
    fixed = data[:offset] + chunk_bytes(b"IDAT", garbage[:length]) + data[offset + 12 + length :]
    path.write_bytes(fixed)
    check = inspect_png(path)
    assert check.status == "invalid"
    assert "image data" in check.reason


def test_prompt_not_json(tmp_path: Path) -> None:
    path = save_with_texts(tmp_path / "j.png", [("prompt", '{"3": {"class_type": "KSampler", ')])
    check = inspect_png(path)
    assert check.status == "invalid"
    assert check.reason.startswith("chunk 'prompt' is not valid JSON at line 1")


def test_bare_nan_is_invalid_with_a_clear_reason(tmp_path: Path) -> None:
    workflow = comfy_workflow(comfy_prompt())
    text = json.dumps(workflow).replace('"shift": 8.0', '"shift": NaN').replace("[100, 100]", "[NaN, 100]")
    path = save_with_texts(tmp_path / "nan.png", [("workflow", text)])
    check = inspect_png(path)
    assert check.status == "invalid"
    assert "bare NaN" in check.reason


def test_double_encoded_json(tmp_path: Path) -> None:
    twice = json.dumps(json.dumps(comfy_prompt()))
    path = save_with_texts(tmp_path / "dbl.png", [("prompt", twice)])
    check = inspect_png(path)
    assert check.status == "invalid"
    assert "JSON-encoded twice" in check.reason


@pytest.mark.parametrize(
    ("keyword", "value", "words"),
    [
        ("prompt", [1, 2, 3], "not a ComfyUI prompt graph"),
        ("prompt", {"3": {"inputs": {}}}, "has no class_type"),
        ("workflow", {"links": []}, "not a workflow"),
        ("workflow", {"nodes": [{"id": 1}]}, "has no type"),
        ("invokeai_metadata", "just text", "a JSON string"),
        ("prompt", 42, "not a ComfyUI prompt graph"),
    ],
)
def test_wrong_shape(tmp_path: Path, keyword: str, value: object, words: str) -> None:
    path = save_with_texts(tmp_path / "s.png", [(keyword, json.dumps(value))])
    check = inspect_png(path)
    assert check.status == "invalid"
    assert words in check.reason


def test_64_mb_text_chunk_is_refused_quickly(tmp_path: Path) -> None:
    path = comfy_png(tmp_path / "big.png")
    data = path.read_bytes()
    iend = data.rindex(b"IEND") - 4
    size = 64 * 1024 * 1024
    with path.open("wb") as out:
        out.write(data[:iend])
        out.write(struct.pack(">I", size) + b"tEXt")
        crc = zlib.crc32(b"tEXt")
        block = b"workflow\0" + b"x" * (1024 * 1024 - 9)
        for i in range(64):
            piece = block if i == 0 else b"x" * (1024 * 1024)
            crc = zlib.crc32(piece, crc)
            out.write(piece)
        out.write(struct.pack(">I", crc & 0xFFFFFFFF))
        out.write(data[iend:])
    started = time.monotonic()
    check = inspect_png(path)
    assert time.monotonic() - started < 2
    assert check.status == "invalid"
    assert "64.0 MB, over the 16.0 MB limit" in check.reason


def test_zip_bomb_text_chunk(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    still().save(path)
    bomb = zlib.compress(b"{" + b" " * (40 * 1024 * 1024), 9)
    _insert_before_iend(path, chunk_bytes(b"zTXt", b"workflow\0\0" + bomb))
    check = inspect_png(path)
    assert check.status == "invalid"
    assert "inflates to more than" in check.reason


def test_stale_link(tmp_path: Path) -> None:
    path = tmp_path / "s.png"
    write_png(
        path,
        still(),
        {"prompt": json.dumps(comfy_prompt())},
        link_text(take_id="t", ref="SH010/video_01", version=1, video_sha256="b" * 64),
    )
    assert inspect_png(path, video_sha256="b" * 64).status == "present"
    check = inspect_png(path, video_sha256=SHA)
    assert check.status == "stale"
    assert "SH010/video_01" in check.reason


def test_placeholder_image_chunk_types_are_kept_in_order(tmp_path: Path) -> None:
    scan = scan_png(comfy_png(tmp_path / "o.png"))
    assert scan.chunk_types[0] == "IHDR" and scan.chunk_types[-1] == "IEND"
    assert scan.pixels_ok and scan.complete


def test_interlaced_png_is_valid(tmp_path: Path) -> None:
    # Pillow cannot write interlaced PNGs; build one by hand (Adam7, 8-bit greyscale 3x3).
    width = height = 3
    raw = b""
    passes = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))
    for xs, ys, dx, dy in passes:
        w = len(range(xs, width, dx))
        h = len(range(ys, height, dy))
        if w and h:
            raw += (b"\0" + b"\x80" * w) * h
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 1)
    path = tmp_path / "i.png"
    path.write_bytes(
        PNG_SIGNATURE
        + chunk_bytes(b"IHDR", ihdr)
        + chunk_bytes(b"IDAT", zlib.compress(raw))
        + chunk_bytes(b"IEND", b"")
    )
    assert inspect_png(path).status == "thumbnail_only"
    with Image.open(path) as img:
        img.load()


# -- writing, relinking, repairing, extracting -------------------------------------------
def test_write_png_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "w.png"
    texts = {"workflow": json.dumps(comfy_workflow(comfy_prompt())), "prompt": json.dumps(comfy_prompt())}
    write_png(path, still(), texts, link_text(take_id="id1", ref="SH010/video_02", version=3, video_sha256=SHA))
    check = inspect_png(path, video_sha256=SHA)
    assert check.status == "present"
    assert check.link["version"] == 3 and check.link["ref"] == "SH010/video_02"
    # ComfyUI reads chunks by name; prompt comes first, as ComfyUI writes it.
    assert [t.keyword for t in scan_png(path).texts] == ["prompt", "workflow", "takevault"]
    with Image.open(path) as img:
        assert img.text["prompt"] == texts["prompt"]


def test_relink_keeps_every_other_byte(tmp_path: Path) -> None:
    src = comfy_png(tmp_path / "src.png")
    dest = tmp_path / "dest.png"
    assert relink(src, dest, link_text(take_id="x", ref="SH010/video_01", version=1, video_sha256=SHA))
    assert relink(dest, dest, link_text(take_id="x", ref="SH010/video_01", version=2, video_sha256=SHA))
    check = inspect_png(dest, video_sha256=SHA)
    assert check.status == "present" and check.link["version"] == 2
    assert [t.keyword for t in scan_png(dest).texts].count("takevault") == 1
    assert dest.read_bytes().startswith(src.read_bytes()[: src.read_bytes().rindex(b"IEND") - 4])


def test_relink_refuses_a_broken_png(tmp_path: Path) -> None:
    src = comfy_png(tmp_path / "src.png")
    src.write_bytes(src.read_bytes()[:-30])
    assert not relink(src, tmp_path / "d.png", "{}")
    assert not (tmp_path / "d.png").exists()


def test_repair_crc_error_keeps_chunks_that_parse(tmp_path: Path) -> None:
    path = comfy_png(tmp_path / "c.png")
    # Damage the CRC of the prompt chunk only: its content still parses, so it is kept.
    offset, _, length = next(c for c in _chunks(path) if c[1] == b"tEXt")
    data = bytearray(path.read_bytes())
    data[offset + 8 + length] ^= 0xFF
    path.write_bytes(bytes(data))
    assert inspect_png(path).status == "invalid"
    out = tmp_path / "fixed.png"
    report = repair_png(path, out, link=link_text(take_id="t", ref="r", version=1, video_sha256=SHA))
    assert report.pixels == "kept"
    assert any(k.startswith("prompt") and "CRC" in k for k in report.kept)
    assert "workflow" in report.kept and "CreationTime" in report.kept
    check = inspect_png(out, video_sha256=SHA)
    assert check.status == "present"
    assert check.values["prompt"] == comfy_prompt()
    with Image.open(out) as a, Image.open(comfy_png(tmp_path / "orig.png")) as b:
        assert a.tobytes() == b.tobytes()


def test_repair_salvages_nan_and_double_encoding(tmp_path: Path) -> None:
    text = json.dumps(comfy_workflow(comfy_prompt())).replace('"shift": 8.0', '"shift": NaN')
    text = text.replace("[100, 100]", "[NaN, 100]")
    path = save_with_texts(
        tmp_path / "n.png", [("prompt", json.dumps(json.dumps(comfy_prompt()))), ("workflow", text), ("Bad", "x")]
    )
    out = tmp_path / "fixed.png"
    report = repair_png(path, out)
    assert any("one level of JSON encoding" in f for f in report.fixed)
    assert any("NaN" in f for f in report.fixed)
    check = inspect_png(out)
    assert check.status == "present"
    assert check.values["prompt"]["3"]["inputs"]["seed"] == 156680208700286


def test_repair_reports_what_it_lost_and_uses_a_fallback_for_pixels(tmp_path: Path) -> None:
    path = comfy_png(tmp_path / "t.png")
    data = path.read_bytes()
    idat = next(c for c in _chunks(path) if c[1] == b"IDAT")
    # Cut inside the image data: pixels are lost; the chunks before it survive.
    path.write_bytes(data[: idat[0] + 20])
    with pytest.raises(Exception, match="no video to take a new still"):
        repair_png(path, tmp_path / "x.png")
    report = repair_png(path, tmp_path / "x.png", fallback_image=still(seed=9))
    assert report.pixels == "replaced"
    assert any("truncated" in item for item in report.lost)


def test_repair_drops_broken_json_and_oversized_chunks(tmp_path: Path) -> None:
    path = save_with_texts(tmp_path / "b.png", [("prompt", json.dumps(comfy_prompt())), ("workflow", "{nope")])
    _insert_before_iend(path, chunk_bytes(b"tEXt", b"huge\0" + b"y" * (17 * 1024 * 1024)))
    report = repair_png(path, tmp_path / "f.png")
    assert report.kept == ["prompt"]
    assert any("workflow" in item and "not valid JSON" in item for item in report.lost)
    assert any("over the text size limit" in item for item in report.lost)
    assert inspect_png(tmp_path / "f.png").status == "present"


def test_extract_workflow_prefers_the_editor_graph(tmp_path: Path) -> None:
    check = inspect_png(comfy_png(tmp_path / "e.png"))
    data = json.loads(extract_workflow(check))
    assert "nodes" in data and "links" in data
    only_prompt = save_with_texts(tmp_path / "p.png", [("prompt", json.dumps(comfy_prompt()))])
    assert "3" in json.loads(extract_workflow(inspect_png(only_prompt)))
    assert extract_workflow(inspect_png(a1111_png(tmp_path / "a.png"))) is None
