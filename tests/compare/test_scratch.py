"""A comparison's per-frame arrays live in file-backed scratch: same answers, pages handed back,
nothing left behind on success, on error or on Ctrl-C, and a full or unusable disk is one sentence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from takevault.compare.frames import iter_frames
from takevault.compare.report import compare_files
from takevault.compare.scratch import Scratch, ScratchError, _mapping, forget
from takevault.compare.signatures import Track


def _resident_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssFile:"):
            return int(line.split()[1])
    raise AssertionError("no RssFile in /proc/self/status")


def test_arrays_keep_their_data_after_their_pages_are_handed_back(tmp_path: Path) -> None:
    with Scratch(tmp_path) as scratch:
        assert scratch.folder is not None and scratch.folder.parent == tmp_path
        arr = scratch.array("x", (4096, 4096), np.uint8)  # 16 MB
        assert list(scratch.folder.iterdir()) == []  # unlinked once mapped: a killed process leaves no file
        before = _resident_kb()
        arr[:] = np.arange(4096, dtype=np.uint8)[:, None]
        assert _resident_kb() - before > 12_000
        forget(arr[:2048])
        assert _resident_kb() - before < 10_000  # half of it handed back
        scratch.release()
        assert _resident_kb() - before < 2_000
        assert int(arr[4095, 0]) == 4095 % 256 and int(arr.sum(dtype=np.int64)) == 4096 * sum(range(256)) * 16
    assert not any(tmp_path.iterdir())


def test_forget_leaves_ordinary_arrays_alone() -> None:
    arr = np.arange(10)
    forget(arr)
    forget(arr[::2])
    assert arr.sum() == 45


def test_the_folder_goes_on_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), Scratch(tmp_path) as scratch:
        scratch.array("x", (10,), np.float32)[:] = 1
        raise RuntimeError("boom")
    assert not any(tmp_path.iterdir())


def test_an_unusable_folder_is_one_sentence(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    with pytest.raises(ScratchError) as info:
        Scratch(not_a_folder)
    assert info.value.message.startswith(f"The temporary folder {not_a_folder} is not usable")
    assert "TMPDIR" in info.value.message and "\n" not in info.value.message


@pytest.mark.parametrize("capacity", [None, 7, 250])
def test_a_file_backed_track_holds_what_an_in_memory_one_does(
    footage: dict[str, Path], tmp_path: Path, capacity: int | None
) -> None:
    plain = Track(capacity=250)
    with Scratch(tmp_path) as scratch:
        backed = Track(capacity=capacity, scratch=scratch)  # None and 7: grown, as for a header without a count
        for t, frame in iter_frames(footage["a"]):
            plain.add(t, frame)
            backed.add(t, frame)
        assert _mapping(backed.tiny) is not None and _mapping(backed.sig) is not None  # file-backed
        for name in ("tiny", "times", "sig", "hashes", "means", "flats"):
            assert np.array_equal(getattr(backed, name), getattr(plain, name)), name
        backed.release()
        assert np.array_equal(backed.sig, plain.sig)  # read back from the file
        assert np.array_equal(plain.means, plain.tiny[:, 0].mean(axis=(1, 2)))
        assert np.array_equal(plain.flats, ~plain.sig.any(axis=1))


def test_a_comparison_leaves_nothing_behind(footage: dict[str, Path], tmp_path: Path, monkeypatch) -> None:
    scratch_parent = tmp_path / "tmp"
    scratch_parent.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch_parent))
    monkeypatch.setattr("tempfile.tempdir", None)  # re-read TMPDIR
    report = compare_files(footage["a"], footage["remove"], metrics=False)
    assert [s["kind"] for s in report["segments"]] == ["same", "removed", "same"]
    assert not any(scratch_parent.iterdir())

    def interrupt(n: int) -> None:
        raise KeyboardInterrupt  # Ctrl-C half-way through decoding

    with pytest.raises(KeyboardInterrupt):
        compare_files(footage["a"], footage["remove"], progress=interrupt)
    assert not any(scratch_parent.iterdir())


CHILD = """
import json, resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing us
resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))  # a disk with 64 KB to spare per file
from takevault.compare.report import compare_files
from takevault.errors import TakevaultError
try:
    compare_files(sys.argv[1], sys.argv[2])
except TakevaultError as exc:
    print(json.dumps({"message": exc.message, "code": exc.exit_code}))
"""


def test_a_full_disk_is_one_sentence_and_leaves_nothing(footage: dict[str, Path], tmp_path: Path) -> None:
    scratch_parent = tmp_path / "tmp"
    scratch_parent.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "TMPDIR": str(scratch_parent)}
    run = subprocess.run(
        [sys.executable, "-c", CHILD, str(footage["a"]), str(footage["remove"])],
        capture_output=True,
        text=True,
        env=env,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    said = json.loads(run.stdout.strip().splitlines()[-1])
    assert said["message"].startswith(f"The temporary folder {scratch_parent} has no room for the comparison's")
    assert "\n" not in said["message"] and said["code"] == 1
    assert not any(scratch_parent.iterdir())
