"""Browser-facing derived media: playback proxies and review stills.

Pure functions over paths (no catalog, no store). A proxy is an H.264 MP4 that
every browser plays: yuv420p, even picture size, every frame a keyframe so a
seek lands on the exact frame at once, `+faststart` so playback starts before
the whole file has arrived, audio as AAC. Frame N of the proxy is frame N of the
source: the proxy is constant frame rate at the source's average rate.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image

from takevault.errors import MediaError

ProgressCallback = Callable[[int], None]

# What Chromium, Firefox and Safari all decode natively; anything else gets a proxy.
_PLAYABLE_CONTAINERS = {"mp4": {"h264", "av1", "vp9"}, "m4v": {"h264"}, "webm": {"vp8", "vp9", "av1"}}
_PLAYABLE_PIX_FMTS = {"yuv420p", "yuvj420p", None}
_BROWSER_MIME = {"mp4": "video/mp4", "m4v": "video/mp4", "webm": "video/webm"}
PROXY_MAX_HEIGHT = 1080
PROXY_FORMAT = 2
"""Bumped whenever proxies are encoded differently, so cached ones made the old way are remade."""
STILL_MAX_WIDTH = 480


def browser_playable(container: str, codec: str, pix_fmt: str | None, profile: str | None = None) -> bool:
    """True when browsers play this container/codec as it is (no proxy needed)."""
    codecs = _PLAYABLE_CONTAINERS.get((container or "").lower())
    if not codecs or (codec or "").lower() not in codecs:
        return False
    if pix_fmt not in _PLAYABLE_PIX_FMTS:
        return False
    # 10-bit and 4:2:2/4:4:4 H.264 profiles do not decode in browsers.
    return not (profile and any(p in profile for p in ("High 10", "High 4:2:2", "High 4:4:4")))


def browser_mime(container: str) -> str:
    return _BROWSER_MIME.get((container or "").lower(), "video/mp4")


def _even(n: int) -> int:
    return max(2, n - n % 2)


def proxy_size(width: int, height: int, max_height: int = PROXY_MAX_HEIGHT) -> tuple[int, int]:
    """Picture size of the proxy: at most `max_height` tall, both sides even (yuv420p needs it)."""
    if height > max_height:
        width = round(width * max_height / height)
        height = max_height
    return _even(width), _even(height)


def _open(src: Path) -> av.container.InputContainer:
    try:
        return av.open(str(src), mode="r")
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise MediaError(f"{src.name} cannot be opened for playback ({exc}); check that it is a video file.") from None


def make_proxy(
    src: Path | str,
    dest: Path | str,
    *,
    progress: ProgressCallback | None = None,
    max_height: int = PROXY_MAX_HEIGHT,
    crf: int = 20,
) -> Path:
    """Encode `src` into a browser proxy at `dest` (written whole; callers rename it into place).

    `progress` is called with 1 for each video frame encoded.
    """
    src, dest = Path(src), Path(dest)
    with _open(src) as inp:
        if not inp.streams.video:
            raise MediaError(f"{src.name} has no video stream; nothing to play.")
        vin = inp.streams.video[0]
        vin.thread_type = "AUTO"
        fps = Fraction(vin.average_rate or vin.guessed_rate or 24)
        if fps <= 0 or fps > 240:
            fps = Fraction(24)
        width, height = proxy_size(vin.codec_context.width, vin.codec_context.height, max_height)
        ain = inp.streams.audio[0] if inp.streams.audio else None
        try:
            with av.open(str(dest), mode="w", format="mp4", options={"movflags": "+faststart"}) as out:
                vout = out.add_stream("libx264", rate=fps)
                vout.width, vout.height, vout.pix_fmt = width, height, "yuv420p"
                # Intra-only: every frame a keyframe, so any seek is exact and instant.
                vout.options = {"preset": "veryfast", "crf": str(crf), "g": "1", "keyint_min": "1"}
                vout.codec_context.time_base = 1 / fps
                aout = resampler = None
                if ain is not None:
                    aout = out.add_stream("aac", rate=48000)
                    aout.layout = "stereo"
                    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=48000)
                streams = [s for s in (vin, ain) if s is not None]
                index = 0
                audio_pts = 0
                for packet in inp.demux(*streams):
                    for frame in packet.decode():
                        if isinstance(frame, av.VideoFrame):
                            image = frame.reformat(width=width, height=height, format="yuv420p")
                            image.pts = index
                            image.time_base = vout.codec_context.time_base
                            index += 1
                            for pkt in vout.encode(image):
                                out.mux(pkt)
                            if progress:
                                progress(1)
                        elif isinstance(frame, av.AudioFrame) and aout is not None and resampler is not None:
                            frame.pts = None
                            for chunk in resampler.resample(frame):
                                chunk.pts, chunk.time_base = audio_pts, Fraction(1, 48000)
                                audio_pts += chunk.samples
                                for pkt in aout.encode(chunk):
                                    out.mux(pkt)
                for pkt in vout.encode():
                    out.mux(pkt)
                if aout is not None and resampler is not None:
                    for chunk in resampler.resample(None):
                        chunk.pts, chunk.time_base = audio_pts, Fraction(1, 48000)
                        audio_pts += chunk.samples
                        for pkt in aout.encode(chunk):
                            out.mux(pkt)
                    for pkt in aout.encode():
                        out.mux(pkt)
        except av.error.FFmpegError as exc:
            raise MediaError(
                f"{src.name} could not be converted for browser playback ({exc}); "
                "download the original and play it in a desktop player."
            ) from None
        if index == 0:
            raise MediaError(f"{src.name} has no decodable frames; nothing to play.")
    return dest


def grab_still(src: Path | str, dest: Path | str, *, at: float = 0.5, max_width: int = STILL_MAX_WIDTH) -> Path:
    """Save one frame of `src` (at fraction `at` of its length) as a JPEG at most `max_width` wide."""
    src, dest = Path(src), Path(dest)
    with _open(src) as inp:
        if not inp.streams.video:
            raise MediaError(f"{src.name} has no video stream; there is no frame to show.")
        stream = inp.streams.video[0]
        target = None
        if stream.duration and stream.time_base:
            target = int(stream.duration * at)
            try:
                inp.seek(target + (stream.start_time or 0), stream=stream, backward=True, any_frame=False)
            except av.error.FFmpegError:
                target = None
                inp.seek(0)
        chosen = None
        try:
            for frame in inp.decode(stream):
                chosen = frame
                if target is None or frame.pts is None or frame.pts - (stream.start_time or 0) >= target:
                    break
        except av.error.FFmpegError:
            pass
        if chosen is None:
            raise MediaError(f"{src.name} has no decodable frame; there is no still to show.")
        image = chosen.to_image()
    return _save_jpeg(image, dest, max_width)


def still_from_png(png: Path | str, dest: Path | str, *, max_width: int = STILL_MAX_WIDTH) -> Path:
    """A small JPEG of a workflow PNG's picture, for gallery cards."""
    png, dest = Path(png), Path(dest)
    try:
        with Image.open(png) as img:
            img.load()
            image = img.convert("RGB")
    except (OSError, ValueError) as exc:
        raise MediaError(f"{png.name} is not a readable PNG ({exc}); run 'takevault png repair' on the take.") from None
    return _save_jpeg(image, dest, max_width)


def _save_jpeg(image: Image.Image, dest: Path, max_width: int) -> Path:
    if image.width > max_width:
        size = (max_width, max(1, round(image.height * max_width / image.width)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    image.convert("RGB").save(dest, format="JPEG", quality=85)
    return dest


__all__ = ["browser_mime", "browser_playable", "grab_still", "make_proxy", "proxy_size", "still_from_png"]
