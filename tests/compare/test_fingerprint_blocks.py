"""Fingerprints and analysis sound live in preallocated blocks: what a block holds does not depend on
how well the header guessed the length, and nothing is kept per frame beside the blocks."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from takevault.compare.audio import ANALYSIS_RATE, STORE, _Store, read_sound
from takevault.compare.frames import iter_frames
from takevault.compare.signatures import Track, dhash, signature
from takevault.editorial.cutcheck.pictures import load_track, save_track
from tests.clips import make_clip


def _track(path: Path, capacity: int | None) -> Track:
    track = Track(capacity=capacity)
    for t, frame in iter_frames(path):
        track.add(t, frame)
    return track


@pytest.mark.parametrize("capacity", [None, 1, 7, 250, 1000])
def test_every_frame_is_kept_whatever_the_header_said(footage: dict[str, Path], capacity: int | None) -> None:
    exact, track = _track(footage["a"], 250), _track(footage["a"], capacity)
    assert len(track) == len(exact) == 250
    assert np.array_equal(track.tiny, exact.tiny) and np.array_equal(track.time, exact.time)
    assert np.array_equal(track.sig, exact.sig) and np.array_equal(track.hashes, exact.hashes)
    assert track.keys == exact.keys and track.keys[0] == 0


def test_block_signatures_are_the_per_frame_ones(footage: dict[str, Path]) -> None:
    track = _track(footage["a"], None)
    for i in (0, 31, 249):
        assert np.allclose(track.sig[i], signature(track.tiny[i]), atol=1e-6)
        assert track.hashes[i] == dhash(track.tiny[i])
    assert abs(float(np.linalg.norm(track.sig[31])) - 1.0) < 1e-5
    flat = np.full((1, 3, 18, 32), 90, dtype=np.uint8)
    assert not signature(flat[0]).any()  # a flat frame has no pattern to match


def test_frames_added_after_a_read_get_their_signatures(footage: dict[str, Path]) -> None:
    decoded = list(iter_frames(footage["a"]))
    track = Track(capacity=100)
    for t, frame in decoded[:100]:
        track.add(t, frame)
    first = track.sig.copy()
    for t, frame in decoded[100:]:
        track.add(t, frame)
    assert track.sig.shape == (250, 144) and np.array_equal(track.sig[:100], first)
    assert np.array_equal(track.sig, _track(footage["a"], 250).sig)


def test_a_track_sized_from_the_header_allocates_only_its_blocks(footage: dict[str, Path]) -> None:
    decoded = list(iter_frames(footage["a"]))
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    track = Track(capacity=16 * len(decoded))
    for rep in range(16):  # 4,000 frames
        for t, frame in decoded:
            track.add(rep * 10 + t, frame)
    held = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    blocks = track.tiny.nbytes + track.times.nbytes
    assert blocks <= held < blocks + 64 * 1024  # the blocks, the key-frame list and one reformatter


def test_saved_fingerprints_load_back(footage: dict[str, Path], tmp_path: Path) -> None:
    track = _track(footage["a"], None)
    save_track(track, tmp_path / "a.npz")
    loaded = load_track(tmp_path / "a.npz")
    assert loaded is not None and len(loaded) == 250
    assert np.array_equal(loaded.tiny, track.tiny) and np.array_equal(loaded.sig, track.sig)


def test_fingerprints_of_the_wrong_shape_are_not_loaded(tmp_path: Path) -> None:
    np.savez(tmp_path / "bad.npz", times=np.zeros(4), tiny=np.zeros((4, 3, 9, 16), dtype=np.uint8))
    assert load_track(tmp_path / "bad.npz") is None
    with pytest.raises(ValueError, match="do not fit 3 times"):
        Track.from_arrays(np.zeros(3), np.zeros((4, 3, 18, 32), dtype=np.uint8))


def test_sound_store_grows_past_a_short_header() -> None:
    rng = np.random.default_rng(3)
    chunks = [rng.uniform(-1, 1, size=int(n)).astype(np.float32) for n in rng.integers(1, 400, size=300)]
    store = _Store(0)
    for chunk in chunks:
        store.add(chunk)
    joined = np.concatenate(chunks)
    assert store.samples.dtype == STORE and len(store.samples) == len(joined) > ANALYSIS_RATE
    assert np.abs(store.samples.astype(np.float32) - joined).max() < 1e-3


def test_sound_is_kept_in_half_the_bytes_and_read_back_as_float32(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "s.mp4", width=64, height=36, frames=48, audio="speech")
    sound = read_sound(clip)
    assert sound is not None and sound.samples.dtype == STORE
    assert sound.duration == pytest.approx(2.0, abs=0.1)
    piece = sound.span(0.5, 1.0)
    assert piece.dtype == np.float32 and len(piece) == ANALYSIS_RATE // 2 and np.abs(piece).max() > 0.01
    assert len(sound.envelope()) == int(sound.duration * 50)
