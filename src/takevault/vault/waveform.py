"""The waveform of a take version's sound, made once and kept as a derived file for everyone.

    .takevault/derived/waveforms/<sha256>-w<N>.json    per-column min/max peaks (media/waveform.py)

Like proxies and stills, the name is the sha256 of the video, so it never goes
stale; `<vault>/cache/waveforms/` is only this machine's copy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from takevault.vault import playback as _playback

if TYPE_CHECKING:
    from takevault.vault import Vault


def waveform(vault: Vault, ref: str) -> dict[str, Any]:
    """The peaks of that version's sound (see `media.waveform.waveform_peaks`), with its reference.

    A version without sound is a NotFoundError saying so, found from its probe (nothing decoded).
    """
    from takevault.media.waveform import WAVEFORM_FORMAT, NoSoundError, waveform_peaks

    take, version = vault.resolve_version(ref)
    name = f"{take.ref}@v{version.number}"
    if not version.media.audio:
        raise NoSoundError(f"{name} has no sound, so it has no waveform.")
    dest = vault.cache_dir / "waveforms" / f"{version.sha256}-w{WAVEFORM_FORMAT}.json"

    def make(tmp: Path) -> Path:
        peaks = waveform_peaks(_playback._local_bytes(vault, version), name)
        tmp.write_text(json.dumps(peaks, separators=(",", ":")), encoding="utf-8")
        return tmp

    if not dest.is_file():
        _playback._make_derived(vault, "waveforms", dest, make, sources=version.sha256)
    data: dict[str, Any] = json.loads(dest.read_text(encoding="utf-8"))
    return {"ref": name, "take_id": take.id, "version": version.number, **data}


__all__ = ["waveform"]
