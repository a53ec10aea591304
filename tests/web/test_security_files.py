"""Where bytes go and what they cost: `get -o` and exports never replace a device, FIFO, socket, folder
or link; PNG text bombs and giant-frame videos are refused early, under 300 MB, in the CLI and the server."""

from __future__ import annotations

import json
import os
import socket
import stat
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import av
import pytest

from takevault.cli.app import main
from tests.clips import make_clip

PEAK_LIMIT_MB = 300


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    from takevault.vault import Vault

    root = tmp_path / "vault"
    clip = make_clip(tmp_path / "a.mp4", frames=12, scenes=((0, 1),))
    with Vault.init(root) as v:
        v.add_shot("SH010")
        v.add(clip, shot="SH010")
        v.star("SH010/video_01")
    return root


def specials(folder: Path) -> dict[str, Path]:
    """One of each thing a file must never be written over."""
    folder.mkdir(parents=True, exist_ok=True)
    made = {}
    os.mkfifo(folder / "fifo")
    made["fifo"] = folder / "fifo"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "sock"))
    sock.close()
    made["socket"] = folder / "sock"
    (folder / "real.txt").write_text("keep me")
    (folder / "link").symlink_to(folder / "real.txt")
    made["link"] = folder / "link"
    (folder / "dangling").symlink_to(folder / "nowhere")
    made["dangling link"] = folder / "dangling"
    try:
        os.mknod(folder / "null", stat.S_IFCHR | 0o666, os.makedev(1, 3))
        made["device"] = folder / "null"
    except PermissionError:
        pass  # not root: the FIFO and socket cases still run
    return made


def kind(path: Path) -> int:
    return stat.S_IFMT(os.lstat(path).st_mode)


def test_get_never_replaces_special_files(vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture):
    targets = specials(tmp_path / "out")
    for name, path in targets.items():
        before = kind(path)
        code = main(["--vault", str(vault), "get", "SH010/video_01", "-o", str(path)])
        err = capsys.readouterr().err
        assert code == 2, name
        assert "not a regular file" in err and "Traceback" not in err, name
        assert kind(path) == before, name
    assert (tmp_path / "out" / "real.txt").read_text() == "keep me"
    assert not (tmp_path / "out" / "nowhere").exists()
    assert not list((tmp_path / "out").glob(".*.part"))
    # A folder still gets a file named after the take; a regular file is still replaced.
    assert main(["--vault", str(vault), "get", "SH010/video_01", "-o", str(tmp_path)]) == 0
    assert (tmp_path / "SH010_video_01_v1.mp4").is_file()
    assert main(["--vault", str(vault), "get", "SH010/video_01", "-o", str(tmp_path / "out" / "real.txt")]) == 0
    assert (tmp_path / "out" / "real.txt").stat().st_size > 1000


def test_folder_export_never_replaces_special_files(vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture):
    dest = tmp_path / "export"
    assert main(["--vault", str(vault), "export", "--to", str(dest), "--starred"]) == 0
    exported = [p for p in dest.rglob("*.mp4")]
    assert len(exported) == 1
    target = exported[0]
    target.unlink()
    os.mkfifo(target)
    capsys.readouterr()
    assert main(["--vault", str(vault), "export", "--to", str(dest), "--starred"]) == 2
    err = capsys.readouterr().err
    assert "not a regular file" in err and "Traceback" not in err
    assert stat.S_ISFIFO(os.lstat(target).st_mode)
    target.unlink()
    target.symlink_to(tmp_path / "elsewhere.mp4")
    assert main(["--vault", str(vault), "export", "--to", str(dest), "--starred"]) == 2
    assert target.is_symlink() and not (tmp_path / "elsewhere.mp4").exists()


# -- bombs -------------------------------------------------------------------------------------------
def png_bomb(path: Path, chunks: int = 200, inflated: int = 15 * 1024 * 1024) -> Path:
    """A small valid PNG picture plus `chunks` zTXt chunks that each inflate to `inflated` bytes."""

    def chunk(ctype: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(ctype)))

    ihdr = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"".join(b"\0" + b"\x80" * 24 for _ in range(8)))
    payload = zlib.compress(b"{" + b" " * (inflated - 2) + b"}", 9)
    with path.open("wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat))
        for n in range(chunks):
            out.write(chunk(b"zTXt", f"k{n:03d}".encode() + b"\0\0" + payload))
        out.write(chunk(b"IEND", b""))
    return path


def png_pixel_bomb(path: Path, width: int = 16000, height: int = 10000) -> Path:
    """A 1-bit PNG a few KB small whose picture is 160 million pixels (480 MB as RGB)."""

    def chunk(ctype: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(ctype)))

    row = b"\0" + b"\0" * ((width + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


def video_bomb(path: Path, side: int = 16000) -> Path:
    """A tiny MOV whose PNG-codec frames are side x side: gigabytes once decoded to RGB."""
    with av.open(str(path), "w", format="mov") as out:
        stream = out.add_stream("png", rate=1)
        stream.width = stream.height = side
        stream.pix_fmt = "monob"
        frame = av.VideoFrame(side, side, "monob")
        for pts in range(2):
            frame.pts = pts
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


# The child's own peak is VmHWM (its memory since exec): ru_maxrss would report the pytest
# process's size when the child was spawned, whatever the child did.
PEAK = """
def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
"""

CLI_RUN = PEAK + """
import json, sys
from takevault.cli.app import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "peak_mb": peak_mb()}))
"""

SERVER_RUN = PEAK + """
import asyncio, json, sys
import httpx
from takevault.web import create_app

async def go(root, url, path):
    app = create_app(root)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as c:
        r = await c.post(url, content=open(path, "rb").read(), headers={"Content-Type": "application/octet-stream"})
    app.state.web.close()
    return r

r = asyncio.run(go(*sys.argv[1:4]))
print(json.dumps({"status": r.status_code, "error": r.json().get("error"),
                  "peak_mb": peak_mb()}))
"""


def run_measured(script: str, *args: str) -> tuple[dict, str]:
    proc = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=300)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert lines, proc.stderr[-2000:]
    return json.loads(lines[-1]), proc.stderr


def test_png_text_bomb_refused_under_memory_budget(vault: Path, tmp_path: Path):
    bomb = png_bomb(tmp_path / "bomb.png")
    assert bomb.stat().st_size < 5 * 1024 * 1024
    clip = make_clip(tmp_path / "b.mp4", frames=12, scenes=((0, 2),))
    result, err = run_measured(CLI_RUN, "--vault", str(vault), "add", str(clip), "--shot", "SH010",
                               "--workflow-png", str(bomb))  # fmt: skip
    assert result["code"] != 0 and "Traceback" not in err
    assert "text chunks together" in err
    assert result["peak_mb"] < PEAK_LIMIT_MB, result
    result, err = run_measured(CLI_RUN, "--vault", str(vault), "png", "attach", "SH010/video_01", str(bomb))
    assert result["code"] != 0 and "text chunks together" in err and result["peak_mb"] < PEAK_LIMIT_MB, result
    from takevault.vault import Vault

    with Vault.open(vault) as v:
        take = v.take("SH010/video_01")
        assert len(v.takes()) == 1
    url = f"/api/takes/{take.id}/versions/1/png?filename=bomb.png"
    result, _err = run_measured(SERVER_RUN, str(vault), url, str(bomb))
    assert result["status"] in (400, 413, 415) and "text chunks together" in result["error"], result
    assert result["peak_mb"] < PEAK_LIMIT_MB, result


def test_png_pixel_bomb_refused(vault: Path, tmp_path: Path):
    bomb = png_pixel_bomb(tmp_path / "pixels.png")
    assert bomb.stat().st_size < 1024 * 1024
    result, err = run_measured(CLI_RUN, "--vault", str(vault), "png", "attach", "SH010/video_01", str(bomb))
    assert result["code"] == 2 and "16000x10000" in err and result["peak_mb"] < PEAK_LIMIT_MB, (result, err)


def test_giant_frame_video_refused_from_its_header(vault: Path, tmp_path: Path):
    bomb = video_bomb(tmp_path / "bomb.mov")
    assert bomb.stat().st_size < 3 * 1024 * 1024
    result, err = run_measured(CLI_RUN, "--vault", str(vault), "add", str(bomb), "--shot", "SH010")
    assert result["code"] == 2 and "16000x16000" in err and "Traceback" not in err
    assert result["peak_mb"] < PEAK_LIMIT_MB, result
    result, _err = run_measured(SERVER_RUN, str(vault), "/api/shots/SH010/takes?filename=bomb.mov", str(bomb))
    assert result["status"] == 415 and "16000x16000" in result["error"], result
    assert result["peak_mb"] < PEAK_LIMIT_MB, result
    from takevault.vault import Vault

    with Vault.open(vault) as v:
        assert len(v.takes()) == 1


def test_text_pretending_to_be_video_is_refused_whatever_its_suffix(vault: Path, tmp_path: Path, capsys):
    fake = tmp_path / "page.mp4"
    fake.write_text("<html><script>alert(1)</script></html>\n" * 50)
    ansi = tmp_path / "art.ans"
    ansi.write_text("\x1b[31mred\x1b[0m text " * 200)
    for path in (fake, ansi):
        assert main(["--vault", str(vault), "add", str(path), "--shot", "SH010"]) == 2
        err = capsys.readouterr().err
        assert "not a video" in err and "Traceback" not in err, path
