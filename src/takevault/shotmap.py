"""Which shot a file belongs to, from its path: the one set of rules `import` and `watch` share.

Default rules (no `--map`), on the path relative to where the file was found:

- The shot is a code such as `SH010` (SH, digits, an optional letter; any case,
  stored upper-case) standing on its own between separators. The file name is
  looked at first (`SH010_anything.mp4`, `SEQ01_SH010.mov`), then the folders from
  the nearest outward (`SH010/anything.mp4`, `SH020/render_00001.mp4`).
- A section is a code such as `SEQ01`, `SQ01` or `SC01` before the shot, as a
  folder (`SEQ01/SH010/x.mp4`) or a name prefix (`SQ01_SH010.mp4`).
- `video_03` right after the shot code in the name (`SH010_video_03_00001.mp4`)
  makes the file a new version of that take.

`--map` replaces the rules: a regular expression with named groups `shot`
(needed), `section` and `take`, searched in the relative path; or a template
such as `{section}/{shot}_*`, where `{name}` matches one path part without `_`
and `*` matches anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from takevault.errors import InvalidInputError

_SHOT = re.compile(r"(?i)(?<![A-Za-z0-9])(SH\d+[A-Za-z]?)(?![A-Za-z0-9])")
_SECTION = re.compile(r"(?i)(?<![A-Za-z0-9])((?:SEQ|SQ|SC)\d+[A-Za-z]?)(?=[/_-])")
_TAKE_AFTER = re.compile(r"(?i)^[_\-. ](video_\d+)(?![0-9])")

DEFAULT_RULES = "codes such as SH010 in the file name or its folders (SEQ01/SH010/any.mp4, SH010_any.mp4)"


@dataclass(frozen=True)
class ShotTarget:
    """Where a file goes: a new take of `shot` (in `section`), or a new version of `take` of it."""

    shot: str
    section: str | None = None
    take: str | None = None

    @property
    def path(self) -> str:
        return f"{self.section}/{self.shot}" if self.section else self.shot


Mapper = Callable[[str], ShotTarget | None]


def default_target(relative: str) -> ShotTarget | None:
    """The default rules applied to a `/`-separated relative path; None when no shot code is in it."""
    parts = [p for p in relative.split("/") if p]
    if not parts:
        return None
    name = parts[-1]
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    pieces = [*parts[:-1], stem]
    for index in [len(pieces) - 1, *range(len(pieces) - 2, -1, -1)]:
        found = _SHOT.search(pieces[index])
        if found:
            break
    else:
        return None
    take = None
    if index == len(pieces) - 1:
        after = _TAKE_AFTER.match(pieces[index][found.end() :])
        take = after.group(1).lower() if after else None
    before = "/".join([*pieces[:index], pieces[index][: found.start()]])
    sections = _SECTION.findall(before)
    section = sections[-1].upper() if sections else None
    return ShotTarget(shot=found.group(1).upper(), section=section, take=take)


def compile_map(pattern: str | None) -> Mapper:
    """A mapper from a relative path (with `/`) to a ShotTarget: the default rules, or `pattern`."""
    if not pattern:
        return default_target
    text = pattern if "(?P<" in pattern else _template_to_regex(pattern)
    try:
        regex = re.compile(text)
    except re.error as exc:
        raise InvalidInputError(
            f"The --map pattern {pattern} is not a valid regular expression ({exc}); fix it, or leave --map out "
            f"to find {DEFAULT_RULES}."
        ) from None
    if "shot" not in regex.groupindex:
        raise InvalidInputError(
            f"The --map pattern {pattern} has no shot part; add {{shot}} to a template, or a named group 'shot' "
            "to a regular expression, e.g. (?P<shot>SH\\d+)."
        )

    def mapper(relative: str) -> ShotTarget | None:
        found = regex.search(relative)
        if not found or not found.group("shot"):
            return None
        groups = found.groupdict()
        take = groups.get("take")
        if take and take.isdigit():
            take = f"video_{int(take):02d}"
        return ShotTarget(shot=groups["shot"], section=groups.get("section") or None, take=take or None)

    return mapper


def _template_to_regex(template: str) -> str:
    out = []
    for part in re.split(r"(\{[a-z]+\}|\*)", template):
        if part == "*":
            out.append(r"[^/]*")
        elif part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            body = r"video_\d+|\d+" if name == "take" else r"[^/_]+"
            out.append(f"(?P<{name}>{body})")
        else:
            out.append(re.escape(part))
    return r"(?:^|/)" + "".join(out) + r"(?:\.[^./]+)?$"


__all__ = ["DEFAULT_RULES", "Mapper", "ShotTarget", "compile_map", "default_target"]
