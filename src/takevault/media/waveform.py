"""Waveform peaks of a video's sound: per-column min and max of the mono mix, for the player's strip.

The sound is decoded once, streamed through a mono resampler, and folded into
columns of a fixed length in time, so memory stays at one column's worth of
samples whatever the file's length. Knows nothing of the catalog.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import av
import numpy as np

from takevault.errors import MediaError, NotFoundError

WAVEFORM_FORMAT = 1
"""Bumped when the JSON below changes, so stored peaks of an older shape are not reused."""
RATE = 16000
"""Samples per second the sound is read at: plenty for peaks, a third of the work of 48 kHz."""
COLUMNS_PER_SECOND = 100
MAX_COLUMNS = 4000
"""A 40 s clip gets 100 columns a second; longer ones fewer, so the JSON stays small (< 64 KB)."""


class NoSoundError(NotFoundError):
    """The file has no audio stream."""


def _columns_per_second(duration: float) -> float:
    if duration <= 0:
        return float(COLUMNS_PER_SECOND)
    return min(float(COLUMNS_PER_SECOND), MAX_COLUMNS / duration)


def waveform_peaks(path: Path | str, name: str | None = None) -> dict[str, Any]:
    """Min/max peaks of the first audio stream of `path` (values -1..1, mono mix).

    Returns `{"format", "per_second", "duration", "sample_rate", "channels", "min", "max"}`:
    column k covers seconds [k / per_second, (k + 1) / per_second). Raises NoSoundError for a
    file without sound and MediaError for one that cannot be read.
    """
    path = Path(path)
    label = name or path.name
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise MediaError(f"The sound of {label} cannot be read ({exc}); the file may be damaged.") from None
    with container:
        if not container.streams.audio:
            raise NoSoundError(f"{label} has no sound, so it has no waveform.")
        stream = container.streams.audio[0]
        duration = 0.0
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration:
            duration = container.duration / av.time_base
        per_second = _columns_per_second(duration)
        per_column = RATE / per_second
        lows: list[float] = []
        highs: list[float] = []
        pending = np.zeros(0, dtype=np.float32)
        taken = 0  # samples already folded into columns

        def fold(samples: np.ndarray, final: bool) -> np.ndarray:
            nonlocal taken
            while True:
                # Column edges are rounded from exact times, so long files do not drift.
                end = max(1, round((len(lows) + 1) * per_column) - taken)
                if end > len(samples):
                    break
                lows.append(float(samples[:end].min()))
                highs.append(float(samples[:end].max()))
                samples = samples[end:]
                taken += end
            if final and len(samples):
                lows.append(float(samples.min()))
                highs.append(float(samples.max()))
                taken += len(samples)
                samples = samples[:0]
            return samples

        resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        try:
            for frame in container.decode(stream):
                for mono in resampler.resample(frame):
                    pending = fold(np.concatenate([pending, mono.to_ndarray().reshape(-1)]), False)
            for mono in resampler.resample(None):
                pending = fold(np.concatenate([pending, mono.to_ndarray().reshape(-1)]), False)
        except (av.error.FFmpegError, ValueError) as exc:
            raise MediaError(f"The sound of {label} is damaged ({exc}); it has no waveform.") from None
        fold(pending, True)
        channels = stream.codec_context.channels
    return {
        "format": WAVEFORM_FORMAT,
        "per_second": per_second,
        "duration": round(taken / RATE, 6) if taken else duration,
        "sample_rate": stream.codec_context.sample_rate or 0,
        "channels": channels,
        "min": [_clip(v) for v in lows],
        "max": [_clip(v) for v in highs],
    }


def _clip(value: float) -> float:
    if not math.isfinite(value):
        return 0.0
    return round(max(-1.0, min(1.0, value)), 3)


__all__ = ["WAVEFORM_FORMAT", "NoSoundError", "waveform_peaks"]
