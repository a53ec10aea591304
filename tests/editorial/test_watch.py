"""Watch folders on a real vault, unattended in a thread, with a short settle time."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from takevault.editorial.watch import compile_map
from takevault.errors import InvalidInputError, NotFoundError
from tests.clips import make_clip
from tests.editorial.aimms_fixture import workflow_png

SETTLE = 0.3


class Watching:
    """`vault.watch` running in a thread; `stop()` ends it and re-raises what it raised."""

    def __init__(self, vault, folder: Path, **kwargs) -> None:
        self.stop_event = threading.Event()
        self.error: BaseException | None = None
        self.report = None
        self.decisions: list = []

        def run() -> None:
            try:
                self.report = vault.watch(
                    folder,
                    stop_event=self.stop_event,
                    settle_seconds=SETTLE,
                    poll_seconds=0.05,
                    on_decision=self.decisions.append,
                    **kwargs,
                )
            except BaseException as exc:  # noqa: BLE001 - handed to the test through stop()
                self.error = exc

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def wait_for(self, predicate, timeout: float = 15.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if predicate():
                return
            if not self.thread.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(
            f"condition not met; decisions: {[d.message for d in self.decisions]}, error: {self.error}"
        )

    def stop(self):
        self.stop_event.set()
        self.thread.join(10)
        if self.error:
            raise self.error
        return self.report


@pytest.fixture
def shots(local_vault):
    local_vault.add_shot("SH010")
    local_vault.add_shot("SH020")
    return local_vault


@pytest.fixture(scope="module")
def renders(tmp_path_factory):
    d = tmp_path_factory.mktemp("renders")
    return {
        "silent": make_clip(d / "silent.mp4", frames=12, scenes=((0, 1),)),
        "audio": make_clip(d / "audio.mp4", frames=12, scenes=((0, 1),), audio=True),
        "other": make_clip(d / "other.mp4", frames=12, scenes=((0, 7),)),
        "third": make_clip(d / "third.mp4", frames=12, scenes=((0, 8),)),
        "third.webm": make_clip(d / "third.webm", frames=24, scenes=((0, 8),)),
    }


def _drop(src: Path, dest: Path) -> Path:
    """Land a finished file the way renderers do: written elsewhere, then renamed in."""
    tmp = dest.with_name(f".{dest.name}.part")
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, tmp)
    tmp.replace(dest)
    return dest


def test_vhs_renders_become_takes_with_pngs_audio_variants_and_no_double_ingest(shots, renders, tmp_path):
    v = shots
    folder = tmp_path / "out"
    folder.mkdir()
    w = Watching(v, folder)
    workflow_png(folder / "SH010_00001.png", "a rider", seed=3)
    _drop(renders["silent"], folder / "SH010_00001.mp4")
    _drop(renders["audio"], folder / "SH010_00001-audio.mp4")
    _drop(renders["other"], folder / "sub" / "SH020_00001.mp4")
    _drop(renders["third"], folder / "SH999_00001.mp4")
    w.wait_for(lambda: len(w.decisions) >= 4)
    w.stop()
    takes = v.takes()
    assert [t.ref for t in takes] == ["SH010/video_01", "SH020/video_01"]
    sh010 = takes[0]
    assert sh010.current.sha256 == _sha(renders["audio"])  # the -audio variant is the take
    assert sh010.current.png is not None and sh010.current.png.status == "present"
    actions = {d.path: d.action for d in w.decisions}
    assert actions["SH010_00001.mp4"] == "skipped" and actions["SH010_00001-audio.mp4"] == "ingested"
    assert actions["sub/SH020_00001.mp4"] == "ingested"
    assert actions["SH999_00001.mp4"] == "failed"
    assert "SH999" in next(d.message for d in w.decisions if d.path == "SH999_00001.mp4")
    # a restart sees the same files and ingests nothing twice
    report = v.watch(folder, once=True, settle_seconds=0, poll_seconds=0.05)
    assert [t.ref for t in v.takes()] == ["SH010/video_01", "SH020/video_01"]
    assert {d.action for d in report.decisions} <= {"duplicate", "skipped", "failed"}
    assert sum(d.action == "duplicate" for d in report.decisions) == 2


def test_audio_variant_arriving_later_becomes_a_new_version(shots, renders, tmp_path):
    v = shots
    folder = tmp_path / "out"
    folder.mkdir()
    w = Watching(v, folder)
    _drop(renders["silent"], folder / "SH010_00002.mp4")
    w.wait_for(lambda: any(d.action == "ingested" for d in w.decisions))
    _drop(renders["audio"], folder / "SH010_00002-audio.mp4")
    w.wait_for(lambda: any(d.action == "new_version" for d in w.decisions))
    w.stop()
    take = v.take("SH010/video_01")
    assert take.versions_count == 2 and take.current.sha256 == _sha(renders["audio"])


def test_a_growing_file_is_only_ingested_once_complete(shots, renders, tmp_path):
    v = shots
    folder = tmp_path / "out"
    folder.mkdir()
    w = Watching(v, folder)
    data = renders["other"].read_bytes()
    target = folder / "SH020_00001.mp4"
    with target.open("wb") as f:
        step = max(1, len(data) // 8)
        for i in range(0, len(data), step):
            f.write(data[i : i + step])
            f.flush()
            time.sleep(0.1)  # shorter than the settle time: never looks finished
    w.wait_for(lambda: any(d.action == "ingested" for d in w.decisions))
    w.stop()
    assert [t.current.sha256 for t in v.takes()] == [_sha(renders["other"])]
    assert [d.action for d in w.decisions] == ["ingested"]


@pytest.mark.parametrize("suffix", [".mp4", ".webm"])
def test_a_half_written_render_is_not_ingested_until_it_is_whole(shots, renders, tmp_path, suffix):
    # A half MP4 has no index and does not open; a half WebM opens and plays its first frames.
    v = shots
    folder = tmp_path / "out"
    folder.mkdir()
    w = Watching(v, folder)
    data = renders["third" + (suffix if suffix != ".mp4" else "")].read_bytes()
    target = folder / f"SH020_00007{suffix}"
    target.write_bytes(data[: len(data) // 2])  # a crashed render: stops growing half way
    w.wait_for(lambda: any(d.action == "failed" for d in w.decisions))
    assert v.takes() == []
    target.write_bytes(data)  # rendered again, whole
    w.wait_for(lambda: any(d.action == "ingested" for d in w.decisions))
    w.stop()
    assert [t.current.sha256 for t in v.takes()] == [_sha(target)]


def test_map_pattern_with_a_take_makes_a_new_version(shots, renders, tmp_path):
    v = shots
    v.add(renders["other"], shot="SH020")
    folder = tmp_path / "out"
    folder.mkdir()
    _drop(renders["third"], folder / "shots" / "SH020" / "fix_video_01.mp4")
    report = v.watch(folder, map_pattern="shots/{shot}/fix_{take}", once=True, settle_seconds=0, poll_seconds=0.05)
    assert [d.action for d in report.decisions] == ["new_version"]
    assert v.take("SH020/video_01").versions_count == 2


def test_a_watch_folder_that_disappears_stops_with_a_clear_error(shots, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    w = Watching(shots, folder)
    time.sleep(0.2)
    shutil.rmtree(folder)
    w.thread.join(10)
    assert isinstance(w.error, NotFoundError)
    assert "does not exist" in str(w.error) and "start watch again" in str(w.error)
    with pytest.raises(NotFoundError, match="does not exist"):
        shots.watch(tmp_path / "never", once=True)


def test_create_shots_and_bad_patterns(local_vault, renders, tmp_path):
    folder = tmp_path / "out"
    _drop(renders["other"], folder / "SEQ09" / "SH500_0001.mp4")
    report = local_vault.watch(
        folder, map_pattern="{section}/{shot}_*", create_shots=True, once=True, settle_seconds=0, poll_seconds=0.05
    )
    assert [d.take for d in report.decisions] == ["SEQ09/SH500/video_01"]
    with pytest.raises(InvalidInputError, match="no shot part"):
        compile_map("{section}/*")
    with pytest.raises(InvalidInputError, match="not a valid regular expression"):
        compile_map("(?P<shot>[a-z")


def test_default_map():
    m = compile_map(None)
    assert m("SH010_00001.mp4").shot == "SH010"
    assert m("renders/SH010-audio.mp4").shot == "SH010"
    t = m("SH010_video_03_00001.mp4")
    assert (t.shot, t.take) == ("SH010", "video_03")


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()
