"""Compare two takes, take versions or files: resolve each side to local bytes, hand them to `compare`."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from takevault.errors import InvalidInputError
from takevault.media.formats import VIDEO_SUFFIXES

if TYPE_CHECKING:
    from takevault.vault import Vault


def compare(
    vault: Vault,
    a: str | Path,
    b: str | Path,
    *,
    out_dir: Path | str | None = None,
    progress: Callable[[int], None] | None = None,
    video: bool = False,
) -> dict[str, Any]:
    """The comparison report of A against B (see docs/compare.md); pictures and report.json go to `out_dir`.

    Each side is an existing file path, else a take reference (`SH010/video_02`, `…@v1`, a UUID).
    """
    from takevault.compare.report import compare_files

    if video and out_dir is None:
        raise InvalidInputError("A side-by-side video needs a folder to go in; add --out DIR.")
    with contextlib.ExitStack() as stack:
        path_a, side_a = _compare_side(vault, a, stack)
        path_b, side_b = _compare_side(vault, b, stack)
        report = compare_files(
            path_a,
            path_b,
            out_dir=out_dir,
            progress=progress,
            video=video,
            labels=(side_a["label"], side_b["label"]),
        )
    report["a"] = side_a
    report["b"] = side_b
    if out_dir is not None:
        Path(out_dir, "report.json").write_text(json.dumps(report, indent=2, default=str, ensure_ascii=False) + "\n")
    return report


def _compare_side(vault: Vault, ref: str | Path, stack: contextlib.ExitStack) -> tuple[Path, dict[str, Any]]:
    text = str(ref)
    path = Path(text).expanduser()
    if path.exists():
        return path, {"label": path.name, "path": str(path), "ref": None}
    if path.suffix.lower() in VIDEO_SUFFIXES:
        raise InvalidInputError(f"{text} does not exist; give an existing video file or a take reference.")
    take, version = vault.resolve_version(text)
    local = stack.enter_context(vault.open_version(f"{take.id}@v{version.number}"))
    label = f"{take.ref}@v{version.number}"
    return Path(local), {
        "label": label,
        "ref": label,
        "take_id": take.id,
        "version": version.number,
        "sha256": version.sha256,
        "path": None,
    }
