"""Typer's value coercion without Pydantic for the plain option types: `str`, `int`, `bool`, `Path`.

Typer 0.29 checks every non-boolean option's value through a Pydantic `TypeAdapter` it builds
for that option on first use, even for an option left at its default; a listing with a few
`str | None` filters imports Pydantic and builds an adapter per option, about half as much CPU
as the whole listing may cost (docs/startup.md). `plain_coercion` gives the options of a built
command a coercion that takes an ordinary value as it is (`"SH010"` stays a `str`, `"3"`
becomes `3`, a path string a `Path` checked by Typer's own path code), and hands anything else
to Typer's own coercion, so an unusual value gets Typer's result and a bad one Typer's error
sentence, unchanged. Types with choices, ranges, parsers, files or lists keep Typer's own.

This leans on two internals of Typer (`_TyperParameter._runtime_param`, `typer._coercion`);
when they are not there, nothing is changed and Typer coerces as it always did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

try:
    from typer import _coercion, _param_types
except ImportError:  # another Typer: leave its coercion alone
    _coercion = None  # type: ignore[assignment]

C = TypeVar("C")
_INT = re.compile(r"-?[1-9][0-9]{0,17}|0")

if _coercion is not None:

    @dataclass(frozen=True)
    class _PlainParam(_coercion.RuntimeParam):
        """An ordinary value as it is; anything else through Typer's own coercion."""

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            kind = self.annotation
            if (kind is str and type(value) is str) or (kind is bool and type(value) is bool):
                return value
            if kind is int and type(value) is str and _INT.fullmatch(value):
                return int(value)
            if kind is Path and type(value) is str and value:
                # Typer's own checks of a path (stat, readable, …), given a Path so it needs no adapter.
                return _param_types.coerce_cli_path(
                    Path(value), self.parameter_info, path_type=Path, param=param, ctx=ctx
                )
            typer_own = _coercion.build_runtime_param(param.type_descriptor)
            return typer_own._coerce_value(value, param=param, ctx=ctx)


def _plain(descriptor: Any) -> bool:
    """Whether Typer would build a plain adapter for this option: `str`, `int`, `bool` or `Path`, nothing more."""
    info = descriptor.parameter_info
    kind = descriptor.annotation
    if kind not in (str, int, bool, Path) or info.parser is not None or descriptor.is_file or descriptor.is_choice:
        return False
    if info.min is not None or info.max is not None or info.clamp:
        return False
    if kind is Path:
        defaults = {"exists": False, "resolve_path": False, "allow_dash": False, "path_type": None}
        return all(getattr(info, flag, None) == want for flag, want in defaults.items())
    return not descriptor.is_path


def plain_coercion(command: C) -> C:
    """Give every plain option of `command` (and of its subcommands) the Pydantic-free coercion."""
    if _coercion is None:
        return command
    for param in getattr(command, "params", ()):
        _give_plain(param)
    # The --help option is made when a context asks for it, after this runs.
    made_help = getattr(command, "get_help_option", None)
    if made_help is not None:

        def get_help_option(ctx: Any) -> Any:
            option = made_help(ctx)
            if option is not None:
                _give_plain(option)
            return option

        command.get_help_option = get_help_option  # type: ignore[attr-defined]
    for sub in getattr(command, "commands", {}).values():  # a group's subcommands
        plain_coercion(sub)
    return command


def _give_plain(param: Any) -> None:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is not None and getattr(param, "_runtime_param", False) is None and _plain(descriptor):
        param._runtime_param = _PlainParam(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation)


__all__ = ["plain_coercion"]
