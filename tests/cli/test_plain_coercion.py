"""Typer's options coerced without Pydantic (cli/coercion.py) give Typer's own values and Typer's own errors."""

from __future__ import annotations

from pathlib import Path

import typer.main
from typer import _coercion
from typer._click.exceptions import BadParameter

from takevault.cli.app import app_for
from takevault.cli.coercion import plain_coercion

VALUES = ["SH010", "", " x ", "007", "0", "-3", "3", "+4", " 5", "1.5", "1e3", "abc", "9" * 30, "tmp/some where", "/"]


def _outcome(runtime: _coercion.RuntimeParam, value: str, param: object) -> object:
    try:
        return ("value", runtime._coerce_value(value, param=param, ctx=None))  # type: ignore[arg-type]
    except BadParameter as exc:
        return ("error", exc.message)


def test_plain_options_get_typers_values_and_errors() -> None:
    command = plain_coercion(typer.main.get_command(app_for(["--vault", "v", "takes"])))
    params = [*command.params, *command.commands["takes"].params]  # type: ignore[attr-defined]
    kinds = set()
    for param in params:
        plain = param._runtime_param  # type: ignore[attr-defined]
        assert plain is not None, f"{param.name} keeps Typer's Pydantic coercion"
        kinds.add(param.type_descriptor.annotation)  # type: ignore[attr-defined]
        typer_own = _coercion.build_runtime_param(param.type_descriptor)  # type: ignore[attr-defined]
        for value in VALUES:
            assert _outcome(plain, value, param) == _outcome(typer_own, value, param), (param.name, value)
    assert {str, int, bool, Path} <= kinds


def test_options_with_constraints_keep_typers_coercion() -> None:
    command = plain_coercion(typer.main.get_command(app_for(["fsck"])))
    idle = next(p for p in command.commands["fsck"].params if p.name == "idle_for")  # type: ignore[attr-defined]
    assert idle._runtime_param is None  # type: ignore[attr-defined]
