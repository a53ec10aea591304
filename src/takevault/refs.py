"""Take references as users type them, parsed without touching the catalog.

Accepted forms: `SH010/video_03`, `SEQ01/SH010/video_03`, either with `@v2`
for one version, or a take UUID (optionally `@v2`). Shots are `SH010` or
`SEQ01/SH010`. Codes of sections and shots are letters, digits, `.`, `_`, `-`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from takevault.errors import BadReferenceError, InvalidInputError

FORMS = "SH010/video_03, SEQ01/SH010/video_03, either with @v2 for a version, or the take's UUID"
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_TAKE_RE = re.compile(r"^video_(\d{1,6})$")
_VERSION_RE = re.compile(r"^v?(\d{1,6})$", re.IGNORECASE)


@dataclass(frozen=True)
class TakeRef:
    """A parsed reference: either `take_id`, or `shot` (+ `section`) and `number`; `version` when `@vN` was given."""

    text: str
    take_id: str | None = None
    section: str | None = None
    shot: str | None = None
    number: int | None = None
    version: int | None = None


def take_name(number: int) -> str:
    return f"video_{number:02d}"


def parse_version(text: str) -> int:
    """`v2`, `2` → 2."""
    match = _VERSION_RE.match(text.strip())
    if not match or int(match.group(1)) < 1:
        raise BadReferenceError(f"{text!r} is not a version; write it as v1, v2, … (see 'takevault history TAKE').")
    return int(match.group(1))


def parse_ref(text: str) -> TakeRef:
    if not isinstance(text, str) or not text.strip():
        raise BadReferenceError(f"The take reference is empty; write {FORMS}.")
    raw = text.strip()
    base, at, version_text = raw.partition("@")
    version = None
    if at:
        try:
            version = parse_version(version_text)
        except BadReferenceError:
            raise BadReferenceError(f"{raw!r} is not a take reference; write {FORMS}.") from None
    try:
        take_id = str(uuid.UUID(base))
    except ValueError:
        take_id = None
    if take_id is not None:
        return TakeRef(text=raw, take_id=take_id, version=version)
    parts = base.split("/")
    if len(parts) not in (2, 3) or not all(CODE_RE.match(p) for p in parts[:-1]):
        raise BadReferenceError(f"{raw!r} is not a take reference; write {FORMS}.")
    match = _TAKE_RE.match(parts[-1])
    if not match or int(match.group(1)) < 1:
        raise BadReferenceError(f"{raw!r} does not name a take: the last part must look like video_03; write {FORMS}.")
    section = parts[0] if len(parts) == 3 else None
    return TakeRef(text=raw, section=section, shot=parts[-2], number=int(match.group(1)), version=version)


def parse_shot(text: str) -> tuple[str | None, str]:
    """`SH010` → (None, 'SH010'); `SEQ01/SH010` → ('SEQ01', 'SH010')."""
    parts = (text or "").strip().split("/")
    if len(parts) not in (1, 2) or not all(CODE_RE.match(p) for p in parts):
        raise BadReferenceError(
            f"{text!r} is not a shot; write its code such as SH010, or SEQ01/SH010 when codes repeat across sections."
        )
    return (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])


_EXAMPLES = {"project": "trailer", "section": "SEQ01", "shot": "SH010"}


def check_code(code: str, what: str) -> str:
    """`code` when it is a valid code of a `what` (project, section, shot): letters, digits, '.', '_', '-'."""
    if not isinstance(code, str) or not CODE_RE.match(code):
        label = f"{what} name" if what == "project" else f"{what} code"
        raise InvalidInputError(
            f"{code!r} is not a valid {label}; use letters, digits, '.', '_' or '-' (up to 100, starting with a "
            f"letter or digit), e.g. {_EXAMPLES.get(what, 'SH010')}."
        )
    return code
